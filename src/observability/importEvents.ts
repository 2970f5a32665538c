/**
 * What an import activity tells operators: metrics on the activity's metric meter and a log line
 * on its logger (which carries workflowId, runId and activity type). Called from the activities,
 * so that they stay one line per event.
 */
import { Context } from '@temporalio/activity';
import type { ImportCounts } from '../shared/importTypes';
import { recordOrderCounts, recordRunDuration, type OrderCounts } from './metrics';

/** The running activity's context; none when the import code runs outside a worker (the benchmark's baseline, scripts). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Orders one activity imported, updated or blocked. */
export function reportOrders(vitrineCode: string, counts: OrderCounts & { blockedOrderIds?: string[] }): void {
  const context = activityContext();
  if (!context) return;
  const { metricMeter, log } = context;
  recordOrderCounts(metricMeter, vitrineCode, counts);
  if (counts.blocked) log.warn('orders blocked', { vitrineCode, ...counts });
  else if (counts.imported || counts.updated) log.info('orders written', { vitrineCode, ...counts });
}

export function reportRunOpened(vitrineCode: string, importRunId: number): void {
  activityContext()?.log.info('import run opened', { vitrineCode, importRunId });
}

/** A run closed as completed or failed: its duration and its counts. */
export function reportRunClosed(run: {
  vitrineCode: string;
  importRunId: number;
  status: string;
  counts: ImportCounts;
  durationSeconds: number;
}): void {
  const context = activityContext();
  if (!context) return;
  const { metricMeter, log } = context;
  recordRunDuration(metricMeter, run.vitrineCode, run.status, run.durationSeconds);
  const fields = {
    vitrineCode: run.vitrineCode,
    importRunId: run.importRunId,
    status: run.status,
    durationSeconds: run.durationSeconds,
    ...run.counts,
  };
  if (run.status === 'failed') log.error('import run failed', fields);
  else log.info(`import run ${run.status}`, fields);
}
