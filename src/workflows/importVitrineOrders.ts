import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  log,
  TimeoutFailure,
  defineQuery,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  startChild,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ImportActivities } from '../activities';
import { deliverPlatformNotifications, notificationsQueuedSignal } from './deliverPlatformNotifications';
import { NON_RETRYABLE_FAILURE_TYPES } from '../shared/failureTypes';
import { NOTIFICATIONS_TIMEOUT, notificationsWorkflowIdFor, SEARCH_ATTRIBUTES } from '../shared/ids';
import {
  zeroCounts,
  type ImportCounts,
  type ImportRunSummary,
  type ImportVitrineOrdersInput,
  type RunFailure,
} from '../shared/importTypes';

/**
 * Queue items handled per page: one fetch, one import batch (one ERP transaction), one commit.
 * Larger pages cost fewer activities and transactions per order; 500 keeps a retried page a few
 * seconds of work (docs/PERFORMANCE.md).
 */
export const PAGE_SIZE = 500;
/** Pages per workflow execution before it continues as new, to keep its history small (~5,000 queue items). */
export const PAGES_PER_EXECUTION = 10;

/** Marks the workflow code that serves hook pages and small pages at once (runs begun before it replay without). */
export const HOOK_PAGES_PATCH = 'order-hook-pages';

/**
 * A page of at most this many items runs its order steps as local activities: a hook
 * notification's page, or a quiet queue's, then costs one workflow task instead of one per step,
 * which is most of the delay between a notification and its ERP row. The steps are the same ones,
 * in the same order, each still its own entry in the run's history.
 */
export const SMALL_PAGE_ITEMS = 50;

/** Tries of one step before its failure fails the run (with the backoff below, about 2 minutes of retries). */
export const MAX_ATTEMPTS = 8;

/**
 * How every step is retried, by what failed (src/shared/failureTypes.ts):
 * - transient (the platform's 5xx, 429 and timeouts; the ERP database restarting, too busy, a
 *   serialization failure or a deadlock; a worker that died mid-step): again after 1 s, then twice
 *   as long each time, at most a minute apart, or after the platform's Retry-After;
 * - permanent (a platform refusal, a missing schema, a statement or values the database refuses
 *   outside any one order, a programming error, a vitrine or queue page that is gone): never again,
 *   the run fails at once;
 * - anything else: like a transient failure.
 * After MAX_ATTEMPTS tries a step fails the run, whatever the failure: the vitrine's next run
 * starts at its next tick, and operators see the failed run. No step waits for ever.
 */
const RETRY: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: MAX_ATTEMPTS,
  nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
};

/**
 * Queue fetch and commit and the run's bookkeeping are single short calls: they run as local
 * activities, in the worker that runs the workflow task, so they cost Temporal no activity task
 * and a run of an empty queue is one workflow task (500 vitrines on one worker: docs/BENCHMARKS.md).
 * They are retried like activities and are idempotent like them.
 */
export const QUEUE_ACTIVITY_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: RETRY,
};
/**
 * Order batches and notifications run as activities: bounded per worker, heartbeating as they go
 * (a worker that dies is noticed within 20 s), and never longer than 30 minutes with every retry.
 */
export const BATCH_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: RETRY,
};
const { openImportRun, fetchHookPage, fetchQueuePage, commitQueueItems, saveImportRun } =
  proxyLocalActivities<ImportActivities>(QUEUE_ACTIVITY_OPTIONS);
type PageSteps = Pick<ImportActivities, 'fetchPageOrders' | 'applyClientFieldDefaults' | 'importOrders' | 'processApprovedOrders'>;
/** The order steps of a large page: activities, bounded per worker and heartbeating. */
const LARGE_PAGE_STEPS: PageSteps = proxyActivities<ImportActivities>(BATCH_ACTIVITY_OPTIONS);
/** The same steps of a small page: local activities, retried alike (a small page takes seconds). */
const SMALL_PAGE_STEPS: PageSteps = proxyLocalActivities<ImportActivities>(QUEUE_ACTIVITY_OPTIONS);

export const progressQuery = defineQuery<ImportCounts>('progress');

/**
 * One import run of one vitrine: drains its platform queue page by page. For each page the ERP
 * commits first (order fetch, client-field defaulting, Importar Pedido writing each order with its
 * default fields in one transaction, Processar Pedido Aprovado) and the queue items are
 * acknowledged after, so a crash anywhere replays a step instead of losing a page. Before each
 * queue page it serves the orders hook's waiting notifications the same way (push mode: the hook
 * receiver triggers the vitrine's schedule, so a run follows a notification within a second, and
 * never beside another run). At the end it makes sure the vitrine's due platform notifications are
 * being delivered.
 */
export async function importVitrineOrders(input: ImportVitrineOrdersInput): Promise<ImportRunSummary> {
  const { vitrineId, importRunId, pendingNotifications } =
    input.continued ??
    (await openImportRun({ vitrineCode: input.vitrineCode, workflowId: workflowInfo().workflowId, runId: workflowInfo().runId }));
  // Counts carried over from a run begun by an older release may lack the newer counts.
  const counts: ImportCounts = { ...zeroCounts(), ...input.continued?.counts };
  const continuations = input.continued?.continuations ?? 0;
  setHandler(progressQuery, () => counts);

  let drained: boolean;
  try {
    drained = await drainQueue(
      { vitrineId, importRunId },
      counts,
      input.pagesPerExecution ?? PAGES_PER_EXECUTION,
      input.pageSize ?? PAGE_SIZE,
    );
    // Notifications the worker's waker did not deliver (no worker ran, the switch was off) go now.
    if (drained && pendingNotifications > 0) await wakeNotificationDelivery(vitrineId, input.vitrineCode);
  } catch (error) {
    // The run is marked failed in the ERP too, with the failure's type and message (ids only);
    // Temporal keeps the whole failure chain. If even that cannot be written, the vitrine's next
    // run closes this one as failed when it opens.
    const marked = await saveImportRun({ importRunId, counts, status: 'failed', failure: failureOf(error) }).then(
      () => undefined,
      (markError: unknown) => markError,
    );
    if (marked !== undefined) log.warn('the failed run could not be marked failed; the next run of the vitrine closes it', { importRunId });
    throw error;
  }
  if (drained) {
    await saveImportRun({ importRunId, counts, status: 'completed' });
    // Lets operators see and search finished runs by what they did in the Temporal UI.
    upsertMemo({ summary: { ...counts, continuations } });
    const searchAttributes = [
      { key: SEARCH_ATTRIBUTES.importedOrders, value: counts.imported },
      { key: SEARCH_ATTRIBUTES.updatedOrders, value: counts.updated },
      { key: SEARCH_ATTRIBUTES.blockedOrders, value: counts.blocked },
    ];
    if (patched(HOOK_PAGES_PATCH)) {
      upsertSearchAttributes([
        ...searchAttributes,
        { key: SEARCH_ATTRIBUTES.importTrigger, value: counts.hooked > 0 ? 'hook' : 'schedule' },
      ]);
    } else upsertSearchAttributes(searchAttributes);
    return { vitrineCode: input.vitrineCode, importRunId, continuations, ...counts };
  }

  await saveImportRun({ importRunId, counts, status: 'running' });
  return continueAsNew<typeof importVitrineOrders>({
    ...input,
    continued: { vitrineId, importRunId, pendingNotifications, counts, continuations: continuations + 1 },
  });
}

/**
 * Handles up to `pages` pages of the queue; true when the queue was found empty. A page's items
 * and orders stay in the ERP (queue_pages, queue_page_orders): the activities pass its id, and
 * history holds only counts.
 */
async function drainQueue(
  run: { vitrineId: number; importRunId: number },
  counts: ImportCounts,
  pages: number,
  pageSize: number,
): Promise<boolean> {
  const { vitrineId } = run;
  // Runs begun before push mode replay without the hook pages.
  const withHooks = patched(HOOK_PAGES_PATCH);
  for (let page = 0; page < pages; page++) {
    // Orders the hook announced first: a notification is served by the run it triggered, not
    // after the queue's backlog.
    let hooked = false;
    if (withHooks) {
      const hookPage = await fetchHookPage({ ...run, maxItems: pageSize });
      if (hookPage.pageId !== null) {
        hooked = true;
        if (counts.hooked === 0) markHookTriggered();
        counts.hooked += hookPage.items;
        await importPage({ vitrineId, pageId: hookPage.pageId }, counts, hookPage.items <= SMALL_PAGE_ITEMS);
      }
    }
    // The run's first fetch checks, when the queue is empty, that the platform still has a feed.
    const {
      pageId,
      items,
      malformed = 0,
    } = await fetchQueuePage({ ...run, maxItems: pageSize, checkFeed: counts.fetched === 0 && !hooked });
    counts.malformed += malformed;
    if (pageId === null) {
      // Drained once a round finds neither: a notification taken this round, or a read of nothing
      // but malformed items, may have more behind it.
      if (!hooked && malformed === 0) return true;
      continue;
    }
    counts.fetched += items;
    await importPage({ vitrineId, pageId }, counts, withHooks && items <= SMALL_PAGE_ITEMS);
  }
  return false;
}

/** The steps of one page, feed or hook: the ERP commits what the page announced, then the page is acknowledged. */
async function importPage(ref: { vitrineId: number; pageId: number }, counts: ImportCounts, small: boolean): Promise<void> {
  const { fetchPageOrders, applyClientFieldDefaults, importOrders, processApprovedOrders } = small ? SMALL_PAGE_STEPS : LARGE_PAGE_STEPS;
  const fetched = await fetchPageOrders(ref);
  counts.unchanged += fetched.unchanged;
  counts.blocked += fetched.blocked;
  let existing = fetched.existing;
  if (fetched.new > 0) {
    counts.blocked += (await applyClientFieldDefaults(ref)).blocked;
    const imported = await importOrders(ref);
    counts.imported += imported.imported;
    counts.blocked += imported.blocked;
    existing = imported.existing;
  }
  if (existing > 0) {
    const statuses = await processApprovedOrders(ref);
    counts.updated += statuses.updated;
    counts.unchanged += statuses.unchanged;
    counts.blocked += statuses.blocked;
  }
  const { committed } = await commitQueueItems(ref);
  counts.committed += committed;
}

/** Marks the run in the Temporal UI as one that served hook notifications (search attribute ImportTrigger). */
function markHookTriggered(): void {
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.importTrigger, value: 'hook' }]);
}

/**
 * Starts the vitrine's notification delivery (deliverPlatformNotifications), or wakes it when it
 * runs already. It outlives this run (ABANDON): a run does not wait for the platform's answers.
 */
async function wakeNotificationDelivery(vitrineId: number, vitrineCode: string): Promise<void> {
  const workflowId = notificationsWorkflowIdFor(vitrineCode);
  try {
    await startChild(deliverPlatformNotifications, {
      workflowId,
      args: [{ vitrineId, vitrineCode }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowExecutionTimeout: NOTIFICATIONS_TIMEOUT,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.vitrineCode, value: vitrineCode }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    await getExternalWorkflowHandle(workflowId).signal(notificationsQueuedSignal);
  }
}

/** The type and message of what failed a run: the activity's failure, without the wrapping. */
function failureOf(error: unknown): RunFailure {
  let cause = error;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message.slice(0, 500) };
  if (cause instanceof TimeoutFailure) return { type: 'ActivityTimedOut', message: `a step timed out (${cause.timeoutType})` };
  return {
    type: cause instanceof Error ? cause.name : 'Error',
    message: (cause instanceof Error ? cause.message : String(cause)).slice(0, 500),
  };
}
