/**
 * Workflows of the benchmark worker (bench/worker.ts): the product's own workflows, plus the
 * one-workflow-per-order variant the issue asks to measure once. The variant calls the product's
 * activities unchanged; only the orchestration differs:
 *
 *   benchImportPerOrder (one per vitrine)  reads the queue page by page, exactly like
 *                                          importVitrineOrders, splits each page into one page
 *                                          per order (bench/activities.ts) and starts one child
 *                                          workflow per order, then waits for all of them;
 *   benchImportOneOrder (one per order)    fetchPageOrders, applyClientFieldDefaults and importOrders
 *                                          of that order's page, processApprovedOrders if it was
 *                                          already there, then
 *                                          commits that page's queue handles.
 *
 * It is not product code: it exists to compare the orchestration cost of the two designs.
 */
import { continueAsNew, executeChild, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { ImportActivities } from '../src/activities';
import type { BenchActivities } from './activities';
import type { ImportCounts, ImportRunSummary, ImportVitrineOrdersInput } from '../src/shared/importTypes';
import { BATCH_ACTIVITY_OPTIONS, QUEUE_ACTIVITY_OPTIONS } from '../src/workflows/importVitrineOrders';

export { importVitrineOrders, progressQuery } from '../src/workflows';

const PAGE_SIZE = 100;
/** Each page adds about 3 history events per child: continue as new sooner than the batch workflow. */
const PAGES_PER_EXECUTION = 10;

// The product workflow's activity options, local activities included.
const { openImportRun, fetchQueuePage, commitQueueItems, saveImportRun, splitQueuePage } = proxyLocalActivities<
  ImportActivities & BenchActivities
>(QUEUE_ACTIVITY_OPTIONS);
const { fetchPageOrders, applyClientFieldDefaults, importOrders, processApprovedOrders, sendPlatformNotifications } =
  proxyActivities<ImportActivities>(BATCH_ACTIVITY_OPTIONS);

export interface PerOrderInput {
  vitrineCode: string;
  continued?: ImportVitrineOrdersInput['continued'];
}

export interface OneOrderInput {
  vitrineId: number;
  /** The order's own page (its queue items). */
  pageId: number;
}

export async function benchImportPerOrder(input: PerOrderInput): Promise<ImportRunSummary> {
  const { vitrineId, importRunId, pendingNotifications } =
    input.continued ??
    (await openImportRun({ vitrineCode: input.vitrineCode, workflowId: workflowInfo().workflowId, runId: workflowInfo().runId }));
  const counts: ImportCounts = input.continued
    ? { ...input.continued.counts }
    : { fetched: 0, imported: 0, updated: 0, unchanged: 0, blocked: 0, committed: 0, hooked: 0, malformed: 0 };
  const continuations = input.continued?.continuations ?? 0;

  for (let page = 0; page < PAGES_PER_EXECUTION; page++) {
    const { pageId, items } = await fetchQueuePage({ vitrineId, importRunId, maxItems: PAGE_SIZE });
    if (pageId === null) {
      if (pendingNotifications > 0) await sendPlatformNotifications({ vitrineId });
      await saveImportRun({ importRunId, counts, status: 'completed' });
      return { vitrineCode: input.vitrineCode, importRunId, continuations, ...counts };
    }
    counts.fetched += items;
    const orders = await splitQueuePage({ pageId });
    const results = await Promise.all(
      orders.map((order) =>
        executeChild(benchImportOneOrder, {
          workflowId: `${workflowInfo().workflowId}/${order.orderId}`,
          args: [{ vitrineId, pageId: order.pageId }],
        }),
      ),
    );
    for (const r of results) {
      counts.imported += r.imported;
      counts.updated += r.updated;
      counts.unchanged += r.unchanged;
      counts.blocked += r.blocked;
      counts.committed += r.committed;
    }
  }
  await saveImportRun({ importRunId, counts, status: 'running' });
  return continueAsNew<typeof benchImportPerOrder>({
    ...input,
    continued: { vitrineId, importRunId, pendingNotifications, counts, continuations: continuations + 1 },
  });
}

export async function benchImportOneOrder(input: OneOrderInput): Promise<Omit<ImportCounts, 'fetched'>> {
  const out = { imported: 0, updated: 0, unchanged: 0, blocked: 0, committed: 0, hooked: 0, malformed: 0 };
  const fetched = await fetchPageOrders(input);
  out.unchanged = fetched.unchanged;
  out.blocked = fetched.blocked;
  let existing = fetched.existing;
  if (fetched.new > 0) {
    out.blocked += (await applyClientFieldDefaults(input)).blocked;
    const imported = await importOrders(input);
    out.imported = imported.imported;
    out.blocked += imported.blocked;
    existing = imported.existing;
  }
  if (existing > 0) {
    const statuses = await processApprovedOrders(input);
    out.updated = statuses.updated;
    out.unchanged += statuses.unchanged;
    out.blocked += statuses.blocked;
  }
  out.committed = (await commitQueueItems(input)).committed;
  return out;
}
