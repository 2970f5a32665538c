import { Context, heartbeat } from '@temporalio/activity';
import { createOrderImporter, type PageFetchResult } from '../importing/orderImporter';
import type { NotificationBatchResult } from '../importing/platformNotifications';
import { reportOrders } from '../observability/importEvents';
import type { PageImportResult, PageRef, StatusUpdateResult } from '../shared/importTypes';
import { activityRun, queuePageOf, vitrineCodes, type ActivityDependencies } from './context';
import { withFailureTypes } from './failures';

/**
 * The order steps of a queue page, one activity each (local activities for a small page): order fetch, client-field defaulting,
 * Importar Pedido and Processar Pedido Aprovado. Each passes the page's id to the importer and
 * returns counts: the orders themselves stay in the ERP (queue_page_orders).
 */
export function createOrderActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const importer = createOrderImporter(deps);
  const codeOf = vitrineCodes(db);
  const page = (ref: PageRef) => queuePageOf(db, ref.vitrineId, ref.pageId);
  /**
   * A page step says it is alive every 5 s, also while one platform call or one large slice takes
   * long: Temporal hands the step to another worker 20 s after the last heartbeat (the heartbeat
   * timeout), which then means the worker is gone, not busy.
   */
  const alive = async <T>(work: () => Promise<T>): Promise<T> => {
    if (Context.current().info.isLocal) return work();
    const timer = setInterval(() => heartbeat(), 5000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  };

  return {
    /** Reads the page's orders from the platform and maps them; orders it cannot take are blocked. */
    async fetchPageOrders(ref: PageRef): Promise<PageFetchResult> {
      const result = await alive(() =>
        withFailureTypes(`order fetch of vitrine ${ref.vitrineId}`, async () => importer.fetchPageOrders(await page(ref), activityRun())),
      );
      reportOrders(await codeOf(ref.vitrineId), { blocked: result.blocked });
      return result;
    },

    /** Client-field defaulting: the vitrine's default rules evaluated for the page's new orders. */
    async applyClientFieldDefaults(ref: PageRef): Promise<{ blocked: number }> {
      const result = await alive(() =>
        withFailureTypes(`client-field defaulting of vitrine ${ref.vitrineId}`, async () =>
          importer.applyPageDefaults(await page(ref), activityRun()),
        ),
      );
      reportOrders(await codeOf(ref.vitrineId), { blocked: result.blocked });
      return result;
    },

    /** Importar Pedido: the page's new orders written with their default fields. */
    async importOrders(ref: PageRef): Promise<PageImportResult> {
      const result = await alive(() =>
        withFailureTypes(`order import of vitrine ${ref.vitrineId}`, async () => importer.importPageOrders(await page(ref), activityRun())),
      );
      reportOrders(await codeOf(ref.vitrineId), { imported: result.imported, blocked: result.blocked });
      return result;
    },

    /** Processar Pedido Aprovado: the page's orders the ERP has, brought to their platform state. */
    async processApprovedOrders(ref: PageRef): Promise<StatusUpdateResult> {
      const result = await alive(() =>
        withFailureTypes(`approved-order processing of vitrine ${ref.vitrineId}`, async () =>
          importer.processPageStatuses(await page(ref), activityRun()),
        ),
      );
      reportOrders(await codeOf(ref.vitrineId), { updated: result.updated, blocked: result.blocked });
      return result;
    },

    /** Atualização de Status: sends a batch of the vitrine's notification outbox to the platform. */
    async sendPlatformNotifications(input: { vitrineId: number }): Promise<NotificationBatchResult> {
      // One platform call may take a while (its own timeout and in-place retries): the worker says it
      // is alive meanwhile, so that only a dead worker, not a slow platform, has the batch sent again.
      return alive(() =>
        withFailureTypes(`platform notifications of vitrine ${input.vitrineId}`, () =>
          importer.sendPlatformNotifications(input.vitrineId, activityRun()),
        ),
      );
    },
  };
}
