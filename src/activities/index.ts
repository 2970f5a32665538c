import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import { openImportRun, saveImportRun, type RunCounts, type RunStatus } from '../erp/store/importRuns';
import {
  deleteAbandonedQueuePages,
  deleteRunQueuePages,
  loadQueuePage,
  markQueuePageCommitted,
  QueuePageMissingError,
  saveQueuePage,
  type QueuePage,
} from '../erp/store/queuePages';
import { countPendingNotifications } from '../erp/store/orderStatus';
import { writeLog } from '../erp/store/integrationLog';
import { findVitrineByCode, getVitrineById } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import { createOrderImporter, type ImporterDependencies } from '../importing/orderImporter';
import { reportOrders, reportRunClosed, reportRunOpened } from '../observability/importEvents';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import { PlatformError, type PlatformConnector } from '../platform/types';
import type { FetchedPage, OpenedRun, PageImportResult, StatusUpdateResult } from '../shared/importTypes';

export type ActivityDependencies = ImporterDependencies;

/** Error types the workflow and operators see in the Temporal UI. */
export const FAILURE_TYPES = {
  unknownVitrine: 'UnknownVitrine',
  platformRejected: 'PlatformRejected',
  platformUnavailable: 'PlatformUnavailable',
  queuePageMissing: 'QueuePageMissing',
} as const;

/**
 * The import's activities: thin wrappers around the platform connector, the order importer and
 * the ERP store. Each one is idempotent, so Temporal may retry it after a crash anywhere.
 */
export function createActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const connectorFor = deps.connectorFor ?? defaultConnectorFor;
  const importer = createOrderImporter(deps);
  // Heartbeats at most once a second: each one crosses into the SDK's core, and a page reports
  // progress per order. The heartbeat timeout (20 s) is far above that.
  const run = () => {
    let last = 0;
    return {
      workflowId: Context.current().info.workflowExecution?.workflowId,
      onProgress: (done: number) => {
        const now = Date.now();
        if (now - last < 1000) return;
        last = now;
        heartbeat(done);
      },
    };
  };
  // Vitrine codes label the metrics; a vitrine's code never changes, so one read per worker.
  const codes = new Map<number, string>();
  const vitrineCode = async (vitrineId: number): Promise<string> => {
    if (!codes.has(vitrineId)) codes.set(vitrineId, (await getVitrineById(db, vitrineId)).code);
    return codes.get(vitrineId)!;
  };

  /** A page of the vitrine's queue; gone only if its run was closed, which no retry can undo. */
  async function queuePage(vitrineId: number, pageId: number): Promise<QueuePage> {
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

  async function platformCall<T>(vitrine: VitrineRow, what: string, call: (connector: PlatformConnector) => Promise<T>): Promise<T> {
    try {
      return await call(connectorFor(vitrine));
    } catch (error) {
      throw asFailure(error, `${what} for vitrine ${vitrine.code}`);
    }
  }

  return {
    async openImportRun(input: { vitrineCode: string; workflowId: string }): Promise<OpenedRun> {
      const vitrine = await findVitrineByCode(db, input.vitrineCode);
      if (!vitrine) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.unknownVitrine,
          message: `vitrine ${input.vitrineCode} does not exist`,
          nonRetryable: true,
        });
      }
      const importRunId = await openImportRun(db, vitrine.id, input.workflowId);
      await deleteAbandonedQueuePages(db, vitrine.id);
      reportRunOpened(vitrine.code, importRunId);
      return { vitrineId: vitrine.id, importRunId, pendingNotifications: await countPendingNotifications(db, vitrine.id) };
    },

    /** Reads up to `maxItems` of the vitrine's queue into a page kept in the ERP; an empty queue keeps none. */
    async fetchQueuePage(input: { vitrineId: number; importRunId: number; maxItems: number }): Promise<FetchedPage> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      const items = await platformCall(vitrine, 'queue fetch', (c) => c.fetchQueue(input.maxItems));
      if (items.length === 0) return { pageId: null, items: 0 };
      const pageId = await saveQueuePage(db, {
        importRunId: input.importRunId,
        vitrineId: vitrine.id,
        items: items.map(({ handle, orderId, state }) => ({ handle, orderId, state })),
      });
      return { pageId, items: items.length };
    },

    /** Importar Pedido for the page's orders new to the ERP; keeps the ones already there with the page. */
    async importOrders(input: { vitrineId: number; pageId: number }): Promise<PageImportResult> {
      const page = await queuePage(input.vitrineId, input.pageId);
      const result = await withPlatformFailures(() => importer.importQueuePage(page, run()), `order import of vitrine ${input.vitrineId}`);
      reportOrders(await vitrineCode(input.vitrineId), {
        imported: result.imported.length,
        blocked: result.blocked.length,
        blockedOrderIds: result.blocked,
      });
      return { imported: result.imported.length, existing: result.existing.length, blocked: result.blocked.length };
    },

    /** Processar Pedido Aprovado for the page's orders that were already in the ERP. */
    async processApprovedOrders(input: { vitrineId: number; pageId: number }): Promise<StatusUpdateResult> {
      const events = (await queuePage(input.vitrineId, input.pageId)).existingEvents ?? [];
      const result = await withPlatformFailures(
        () => importer.processApprovedOrders(input.vitrineId, events, run()),
        `approved-order processing of vitrine ${input.vitrineId}`,
      );
      reportOrders(await vitrineCode(input.vitrineId), { updated: result.updated, blocked: result.blocked });
      return result;
    },

    /** ERP to platform: start-handling for orders that entered Em preparação in the ERP. */
    async sendPlatformNotifications(input: { vitrineId: number }): Promise<{ sent: number; failed: number }> {
      return withPlatformFailures(
        () => importer.sendPlatformNotifications(input.vitrineId, run()),
        `notifications of vitrine ${input.vitrineId}`,
      );
    },

    /** Acknowledges a page's queue items; called only after the ERP committed what they announced. */
    async commitQueueItems(input: { vitrineId: number; pageId: number }): Promise<{ committed: number }> {
      const page = await queuePage(input.vitrineId, input.pageId);
      if (!page.committed) {
        const vitrine = await getVitrineById(db, input.vitrineId);
        await platformCall(vitrine, 'queue commit', (c) => c.commitQueue(page.items.map((item) => item.handle)));
        await markQueuePageCommitted(db, page.id);
      }
      return { committed: page.items.length };
    },

    async saveImportRun(input: { importRunId: number; counts: RunCounts; status: RunStatus }): Promise<void> {
      await saveImportRun(db, input.importRunId, input.counts, input.status);
      await deleteRunQueuePages(db, input.importRunId, input.status !== 'running');
      if (input.status !== 'running') {
        const row = await db('import_runs')
          .where({ id: input.importRunId })
          .first('vitrine_id', 'workflow_id', 'started_at', 'finished_at');
        const vitrine = await getVitrineById(db, row.vitrine_id);
        const c = input.counts;
        await writeLog(db, vitrine, [
          {
            level: input.status === 'failed' ? 'error' : 'info',
            workflowId: row.workflow_id,
            message: `run ${input.status}: fetched ${c.fetched}, imported ${c.imported}, updated ${c.updated}, unchanged ${c.unchanged}, blocked ${c.blocked}, committed ${c.committed}`,
          },
        ]);
        const durationSeconds = (row.finished_at.getTime() - row.started_at.getTime()) / 1000;
        reportRunClosed({ vitrineCode: vitrine.code, importRunId: input.importRunId, status: input.status, counts: c, durationSeconds });
      }
    },
  };
}

async function withPlatformFailures<T>(work: () => Promise<T>, context: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asFailure(error, context);
  }
}

/** Turns a platform error into the Temporal failure that says whether to retry, and when. */
function asFailure(error: unknown, context: string): Error {
  if (!(error instanceof PlatformError)) return error as Error;
  return ApplicationFailure.create({
    type: error.retryable ? FAILURE_TYPES.platformUnavailable : FAILURE_TYPES.platformRejected,
    message: `${context}: ${error.message}`,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterSeconds ? `${error.retryAfterSeconds}s` : undefined,
  });
}

export type ImportActivities = ReturnType<typeof createActivities>;
