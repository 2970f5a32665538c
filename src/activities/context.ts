import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import { loadQueuePage, QueuePageMissingError, type QueuePage } from '../erp/store/queuePages';
import { getVitrineById } from '../erp/store/vitrines';
import type { ImporterDependencies, RunContext } from '../importing/orderImporter';
import { FAILURE_TYPES } from './failures';

export type ActivityDependencies = ImporterDependencies;

/**
 * The running activity as the importer sees it: its workflow id for the integration log, and
 * progress as heartbeats, at most once a second (each one crosses into the SDK's core, and a page
 * reports progress per order; the heartbeat timeout is far above that).
 */
export function activityRun(): RunContext {
  let last = 0;
  const { info } = Context.current();
  return {
    workflowId: info.workflowExecution?.workflowId,
    // A local activity (a small page's step) has no heartbeat: the workflow task it runs in is its timeout.
    onProgress: (done: number) => {
      if (info.isLocal) return;
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      heartbeat(done);
    },
  };
}

/** A page of the vitrine's queue; gone only if its run was closed, which no retry can undo. */
export async function queuePageOf(db: Knex, vitrineId: number, pageId: number): Promise<QueuePage> {
  let page: QueuePage;
  try {
    page = await loadQueuePage(db, pageId);
  } catch (error) {
    if (!(error instanceof QueuePageMissingError)) throw error;
    throw ApplicationFailure.create({ type: FAILURE_TYPES.queuePageMissing, message: error.message, nonRetryable: true });
  }
  if (page.vitrineId !== vitrineId) {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.queuePageMissing,
      message: `queue page ${pageId} is not one of vitrine ${vitrineId}`,
      nonRetryable: true,
    });
  }
  return page;
}

/** Vitrine codes label the metrics; a vitrine's code never changes, so one read per worker. */
export function vitrineCodes(db: Knex): (vitrineId: number) => Promise<string> {
  const codes = new Map<number, string>();
  return async (vitrineId) => {
    if (!codes.has(vitrineId)) codes.set(vitrineId, (await getVitrineById(db, vitrineId)).code);
    return codes.get(vitrineId)!;
  };
}
