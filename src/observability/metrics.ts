/**
 * The worker's Prometheus metrics. The Temporal Runtime serves them on WORKER_METRICS_ADDRESS
 * (`/metrics`): the SDK's own (`temporal_*`: polls, task slots, workflow and activity latencies,
 * failures) and the product's below, created on the SDK's metric meter so that one endpoint
 * serves both. Names and labels are documented in docs/DEPLOYMENT.md.
 */
import type { MetricMeter } from '@temporalio/common';

export const METRICS = {
  ordersImported: {
    name: 'vitrine_orders_imported_total',
    description: 'Orders new to the ERP imported (Importar Pedido), per vitrine',
  },
  ordersUpdated: {
    name: 'vitrine_orders_updated_total',
    description: 'Orders already in the ERP brought to the platform state (Processar Pedido Aprovado), per vitrine',
  },
  ordersBlocked: {
    name: 'vitrine_orders_blocked_total',
    description: 'Orders kept in blocked_orders, per vitrine',
  },
  runDuration: {
    name: 'vitrine_import_run_duration_seconds',
    description: 'Duration of finished import runs, from opening to closing, per vitrine and status',
  },
} as const;

/** Of the worker process itself, labelled by its identity (host/task queue). */
export const WORKER_METRICS = {
  restarts: {
    name: 'vitrine_worker_restarts',
    description: 'Times this worker (host and task queue) started again in the last hour: it died and its supervisor restarted it',
  },
} as const;

/** Buckets of the run duration histogram, in seconds: from a few seconds to two hours. */
export const RUN_DURATION_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/** Label every product metric carries: the vitrine code. */
export const VITRINE_LABEL = 'vitrine';

export interface OrderCounts {
  imported?: number;
  updated?: number;
  blocked?: number;
}

/** Adds one activity's order counts to the vitrine's counters. */
export function recordOrderCounts(meter: MetricMeter, vitrineCode: string, counts: OrderCounts): void {
  const tags = { [VITRINE_LABEL]: vitrineCode };
  const add = (metric: { name: string; description: string }, value: number | undefined) => {
    if (value) meter.createCounter(metric.name, undefined, metric.description).add(value, tags);
  };
  add(METRICS.ordersImported, counts.imported);
  add(METRICS.ordersUpdated, counts.updated);
  add(METRICS.ordersBlocked, counts.blocked);
}

/** Records a finished run's duration. */
export function recordRunDuration(meter: MetricMeter, vitrineCode: string, status: string, seconds: number): void {
  const { name, description } = METRICS.runDuration;
  meter.createHistogram(name, 'float', 's', description).record(Math.max(0, seconds), { [VITRINE_LABEL]: vitrineCode, status });
}
