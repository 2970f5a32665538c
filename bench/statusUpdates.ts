/**
 * `npm run bench -- --variant status-updates`: how soon the platform hears of Atualização de
 * Status. N orders are imported into one vitrine with one worker; then each is invoiced and
 * given a tracking number through the admin functions the CLI runs (one transaction each), at a
 * steady pace; the simulator records when each change took effect. Reported: p50, p95 and max from
 * the ERP commit to the platform's change, per kind, and whether each change was applied once.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { invoiceOrder, trackOrder } from '../src/admin/statusUpdates';
import { createBenchDatabase, REPO, shortId } from './services';
import { startWorkers } from './workers';
import { addEnabledVitrine, benchCli, cleanUpVitrines, type SingleVitrineOptions } from './cliVitrine';
import { validKey } from '../test/support/nfe';

export interface StatusUpdatesOptions extends SingleVitrineOptions {
  /** Changes per second the ERP makes. */
  rate: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface StatusUpdatesResult {
  orders: number;
  rate: number;
  invoice: LatencySummary;
  tracking: LatencySummary;
  appliedOnce: boolean;
  stats: Record<string, number>;
  wallSeconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarise(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? NaN };
}

export async function runStatusUpdates(options: StatusUpdatesOptions): Promise<StatusUpdatesResult> {
  const { sim, log } = options;
  const id = shortId();
  const database = await createBenchDatabase(options.databaseServerUrl, `bench_status_${id}`);
  const code = `status-${id}`;
  const taskQueue = `bench-status-${id}`;
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.namespace,
    TASK_QUEUE: taskQueue,
  };
  const cli = benchCli(env);
  const workers = await startWorkers(options.client, 1, path.join(REPO, 'dist/worker/main.js'), env, `bench-status-${id}`);
  try {
    await addEnabledVitrine(cli, code, sim.url, 'BS', 'Bench status');
    const { orderIds } = await sim.call<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, {
      generate: options.orders,
      state: 'ready-for-handling',
      render: true,
    });
    log(`  importing ${orderIds.length} orders`);
    await cli(['run', code, '--wait']);
    const rows: Array<{ order_code: string; external_order_id: string }> = await database
      .db('sales_orders')
      .whereIn('external_order_id', orderIds)
      .select('order_code', 'external_order_id');
    if (rows.length !== orderIds.length) throw new Error(`imported ${rows.length} of ${orderIds.length} orders`);

    const committed = { invoice: new Map<string, number>(), tracking: new Map<string, number>() };
    const started = Date.now();
    const gap = 1000 / options.rate;
    log(`  invoicing and tracking ${rows.length} orders at ${options.rate} changes/s`);
    for (const [i, row] of rows.entries()) {
      // A steady pace: each change at its slot, measured from its commit.
      const slot = started + i * 2 * gap;
      if (Date.now() < slot) await new Promise((resolve) => setTimeout(resolve, slot - Date.now()));
      await invoiceOrder(database.db, row.order_code, { number: `B${i + 1}`, accessKey: validKey(i + 1) });
      committed.invoice.set(row.external_order_id, Date.now());
      if (Date.now() < slot + gap) await new Promise((resolve) => setTimeout(resolve, slot + gap - Date.now()));
      await trackOrder(database.db, row.order_code, { trackingNumber: `BR${String(i + 1).padStart(9, '0')}BR` });
      committed.tracking.set(row.external_order_id, Date.now());
    }
    // Every change on the platform, or give up after two minutes.
    const deadline = Date.now() + 120_000;
    let changes: Array<{ orderId: string; kind: string; at: string }> = [];
    for (;;) {
      changes = await sim.call('GET', `/_sim/${code}/changes?since=${started}`);
      const done = changes.filter((c) => c.kind === 'invoice' || c.kind === 'tracking').length;
      if (done >= rows.length * 2) break;
      if (Date.now() > deadline) throw new Error(`the platform took ${done} of ${rows.length * 2} changes within two minutes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const wallSeconds = (Date.now() - started) / 1000;
    const latencies = (kind: 'invoice' | 'tracking') =>
      changes.filter((c) => c.kind === kind).map((c) => Date.parse(c.at) - committed[kind].get(c.orderId)!);
    const stats = await sim.call<Record<string, number>>('GET', `/_sim/${code}/stats`);
    const appliedOnce =
      stats.invoicesApplied === rows.length && stats.trackingApplied === rows.length && stats.startHandlingCalls === rows.length;
    return {
      orders: rows.length,
      rate: options.rate,
      invoice: summarise(latencies('invoice')),
      tracking: summarise(latencies('tracking')),
      appliedOnce,
      stats,
      wallSeconds,
    };
  } finally {
    await cleanUpVitrines(options.client, workers, [code], database, options.keepDatabases);
  }
}

export function statusUpdatesMarkdown(result: StatusUpdatesResult, header: { date: string; machine: string; command: string }): string {
  const row = (kind: string, s: LatencySummary) => `| ${kind} | ${s.count} | ${s.p50} | ${s.p95} | ${s.max} |`;
  return [
    `# Atualização de Status: ERP commit to platform change`,
    '',
    `Run ${header.date} on ${header.machine}.`,
    '',
    `Command: \`${header.command}\``,
    '',
    `${result.orders} orders imported into one vitrine, one worker; each invoiced, then given a tracking number, ${result.rate} changes/s; ` +
      `the simulator records when each change took effect. All in ${result.wallSeconds.toFixed(1)} s.`,
    '',
    '| change | count | p50 ms | p95 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('invoice (after start-handling)', result.invoice),
    row('tracking number', result.tracking),
    '',
    `Applied once each: ${result.appliedOnce ? 'yes' : 'NO'} (start-handling ${result.stats.startHandlingCalls}, invoices ${result.stats.invoicesApplied} of ${result.stats.invoiceCalls} calls, ` +
      `tracking ${result.stats.trackingApplied} of ${result.stats.trackingCalls} calls).`,
    '',
  ].join('\n');
}

export function writeStatusUpdatesReport(markdownText: string, date: string, rate: number): string {
  const dir = path.join(REPO, 'docs', 'benchmarks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date.slice(0, 10)}-status-updates-${rate}-per-second.md`);
  writeFileSync(file, markdownText);
  return file;
}
