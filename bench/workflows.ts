/**
 * Workflows of the benchmark worker (bench/worker.ts): the product's own workflows, plus the
 * one-workflow-per-order variant the issue asks to measure once. The variant calls the product's
 * activities unchanged; only the orchestration differs:
 *
 *   benchImportPerOrder (one per vitrine)  reads the queue page by page, exactly like
 *                                          importVitrineOrders, and starts one child workflow per
 *                                          order of the page, then waits for all of them;
 *   benchImportOneOrder (one per order)    importOrders with that single order id, then
 *                                          processApprovedOrders if it was already there, then
 *                                          commits that order's queue handles.
 *
 * It is not product code: it exists to compare the orchestration cost of the two designs.
 */
import { continueAsNew, executeChild, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { ImportActivities } from '../src/activities';
import type { ImportCounts, ImportRunSummary, ImportVitrineOrdersInput } from '../src/shared/importTypes';
import { BATCH_ACTIVITY_OPTIONS, QUEUE_ACTIVITY_OPTIONS } from '../src/workflows/importVitrineOrders';

export { importVitrineOrders, progressQuery } from '../src/workflows';

const PAGE_SIZE = 100;
/** Each page adds about 3 history events per child: continue as new sooner than the batch workflow. */
const PAGES_PER_EXECUTION = 10;

// The product workflow's activity options, local activities included.
const { openImportRun, fetchQueuePage, commitQueueItems, saveImportRun } = proxyLocalActivities<ImportActivities>(QUEUE_ACTIVITY_OPTIONS);
const { importOrders, processApprovedOrders, sendPlatformNotifications } = proxyActivities<ImportActivities>(BATCH_ACTIVITY_OPTIONS);

export interface PerOrderInput {
  vitrineCode: string;
  continued?: ImportVitrineOrdersInput['continued'];
}

export interface OneOrderInput {
  vitrineId: number;
  orderId: string;
  /** The state of the order's latest event in the page. */
  state: string;
  handles: string[];
}

export async function benchImportPerOrder(input: PerOrderInput): Promise<ImportRunSummary> {
  const { vitrineId, importRunId, pendingNotifications } =
    input.continued ?? (await openImportRun({ vitrineCode: input.vitrineCode, workflowId: workflowInfo().workflowId }));
  const counts: ImportCounts = input.continued
    ? { ...input.continued.counts }
    : { fetched: 0, imported: 0, updated: 0, unchanged: 0, blocked: 0, committed: 0 };
  const continuations = input.continued?.continuations ?? 0;

  for (let page = 0; page < PAGES_PER_EXECUTION; page++) {
    const items = await fetchQueuePage({ vitrineId, maxItems: PAGE_SIZE });
    if (items.length === 0) {
      if (pendingNotifications > 0) await sendPlatformNotifications({ vitrineId });
      await saveImportRun({ importRunId, counts, status: 'completed' });
      return { vitrineCode: input.vitrineCode, importRunId, continuations, ...counts };
    }
    counts.fetched += items.length;
    const byOrder = new Map<string, { state: string; handles: string[] }>();
    for (const item of items) {
      const entry = byOrder.get(item.orderId) ?? { state: item.state, handles: [] };
      entry.state = item.state;
      entry.handles.push(item.handle);
      byOrder.set(item.orderId, entry);
    }
    const results = await Promise.all(
      [...byOrder].map(([orderId, { state, handles }]) =>
        executeChild(benchImportOneOrder, {
          workflowId: `${workflowInfo().workflowId}/${orderId}`,
          args: [{ vitrineId, orderId, state, handles }],
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
  const out = { imported: 0, updated: 0, unchanged: 0, blocked: 0, committed: 0 };
  const imported = await importOrders({ vitrineId: input.vitrineId, orderIds: [input.orderId] });
  out.imported = imported.imported.length;
  out.blocked = imported.blocked.length;
  if (imported.existing.length > 0) {
    const statuses = await processApprovedOrders({ vitrineId: input.vitrineId, events: [{ orderId: input.orderId, state: input.state }] });
    out.updated = statuses.updated;
    out.unchanged = statuses.unchanged;
    out.blocked += statuses.blocked;
  }
  out.committed = (await commitQueueItems({ vitrineId: input.vitrineId, handles: input.handles })).committed;
  return out;
}
