/**
 * The baseline's drain: the product's activity and importer code called in a plain loop, no
 * Temporal. bench/baseline.ts runs it in a process of its own, started like a worker; the
 * benchmark imports only this module's types and constants.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import { createActivities } from '../src/activities';
import type { VitrineRow } from '../src/erp/tables';
import { loadQueuePage } from '../src/erp/store/queuePages';
import { createOrderImporter } from '../src/importing/orderImporter';
import { PlatformError } from '../src/platform/types';
import { zeroCounts, type ImportCounts } from '../src/shared/importTypes';
import { PAGE_SIZE } from '../src/workflows/importVitrineOrders';

/** Steps tried again, by reason. */
export interface Retries {
  count: number;
  reasons: Record<string, number>;
}

/** What bench/baseline.ts prints once it is ready for its request. */
export const BASELINE_READY_LINE = 'baseline ready';

/** The benchmark to the baseline process: drain these vitrines. */
export interface BaselineRequest {
  runId: string;
  vitrineIds: number[];
}

export type BaselineReply = { ok: true; counts: ImportCounts; retries: Retries } | { ok: false; message: string; retries: Retries };

/** The short reason of a failure: a Postgres error's own text ("deadlock detected"), else the message's start. */
export function failureReason(message: string): string {
  const pg = message.lastIndexOf(' - ');
  return (pg >= 0 ? message.slice(pg + 3) : message).slice(0, 100);
}

/**
 * Runs one step the way an activity runs under the workflow's retry policy (1 s, doubling, at most
 * 1 min apart, no attempt limit): tried again on any error except a platform error that says it is
 * final (the activities turn those into non-retryable failures).
 */
async function retried<T>(step: () => Promise<T>, retries: Retries): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (error instanceof PlatformError && !error.retryable) throw error;
      const reason = failureReason(error instanceof Error ? error.message : String(error));
      retries.count += 1;
      retries.reasons[reason] = (retries.reasons[reason] ?? 0) + 1;
      // A step that keeps failing is a bug to see, not a wait to sit through.
      if (attempt >= 3) process.stderr.write(`  baseline: a step failed ${attempt} times: ${reason}\n`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** (attempt - 1), 60_000)));
    }
  }
}

/**
 * The baseline: what one import run does per vitrine (open the run, page by page fetch the queue,
 * Importar Pedido, Processar Pedido Aprovado for orders already there, commit the page, then the
 * platform notifications and the run's summary), with the very functions the activities run,
 * called in a plain loop, all vitrines concurrently, no Temporal. The activities that need no
 * Temporal context are called as they are; the ones that heartbeat are the importer's methods
 * they wrap. Each step is retried as Temporal would retry its activity, so that a transient error
 * (a deadlock between two vitrines' imports, say) costs the baseline what it costs the workflow.
 * The loop mirrors drainQueue in src/workflows/importVitrineOrders.ts: keep them alike.
 */
export async function drainWithoutTemporal(db: Knex, vitrines: VitrineRow[], runId: string, retries: Retries): Promise<ImportCounts> {
  const activities = createActivities({ db });
  const importer = createOrderImporter({ db });
  const totals = zeroCounts();
  const step = <T>(work: () => Promise<T>) => retried(work, retries);
  // BENCH_BASELINE_ALS=1 runs each loop inside an AsyncLocalStorage context, as the SDK runs an
  // activity: on Node 20 that turns on promise hooks for the whole process (docs/PERFORMANCE.md).
  const context = process.env.BENCH_BASELINE_ALS === '1' ? new AsyncLocalStorage<string>() : undefined;
  const outcomes = await Promise.allSettled(
    vitrines.map((vitrine) => (context ? context.run(vitrine.code, () => drain(vitrine)) : drain(vitrine))),
  );
  async function drain(vitrine: VitrineRow): Promise<void> {
    const workflowId = `bench-${runId}-baseline-${vitrine.code}`;
    const run = { workflowId };
    const { vitrineId, importRunId, pendingNotifications } = await step(() =>
      activities.openImportRun({ vitrineCode: vitrine.code, workflowId, runId: workflowId }),
    );
    const counts = zeroCounts();
    for (;;) {
      const { pageId, items } = await step(() => activities.fetchQueuePage({ vitrineId, importRunId, maxItems: PAGE_SIZE }));
      if (pageId === null) break;
      counts.fetched += items;
      const page = () => loadQueuePage(db, pageId);
      // As the activities do: the page read inside each retried step.
      const fetched = await step(async () => importer.fetchPageOrders(await page(), run));
      counts.unchanged += fetched.unchanged;
      counts.blocked += fetched.blocked;
      let existing = fetched.existing;
      if (fetched.new > 0) {
        counts.blocked += (await step(async () => importer.applyPageDefaults(await page(), run))).blocked;
        const imported = await step(async () => importer.importPageOrders(await page(), run));
        counts.imported += imported.imported;
        counts.blocked += imported.blocked;
        existing = imported.existing;
      }
      if (existing > 0) {
        const statuses = await step(async () => importer.processPageStatuses(await page(), run));
        counts.updated += statuses.updated;
        counts.unchanged += statuses.unchanged;
        counts.blocked += statuses.blocked;
      }
      counts.committed += (await step(() => activities.commitQueueItems({ vitrineId, pageId }))).committed;
    }
    if (pendingNotifications > 0) await step(() => importer.sendPlatformNotifications(vitrineId, run));
    await step(() => activities.saveImportRun({ importRunId, counts, status: 'completed' }));
    for (const key of Object.keys(totals) as Array<keyof ImportCounts>) totals[key] += counts[key];
  }
  // Every vitrine's loop has stopped before the database goes away.
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return totals;
}
