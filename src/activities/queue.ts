import { commitHookPage, takeHookPage } from '../erp/store/hooks';
import { markQueuePageCommitted, saveQueuePage } from '../erp/store/queuePages';
import { getVitrineById } from '../erp/store/vitrines';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import type { FetchedPage } from '../shared/importTypes';
import { queuePageOf, type ActivityDependencies } from './context';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../shared/failureTypes';
import { withFailureTypes } from './failures';

/**
 * Queue fetch and acknowledgement: the platform's integration queue, a page at a time, and the
 * notifications of its orders hook, taken as pages of the same kind.
 */
export function createQueueActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const connectorFor = deps.connectorFor ?? defaultConnectorFor;
  return {
    /** Queue fetch: reads up to `maxItems` of the vitrine's queue into a page kept in the ERP; an empty queue keeps none. */
    async fetchQueuePage(input: { vitrineId: number; importRunId: number; maxItems: number; checkFeed?: boolean }): Promise<FetchedPage> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      const connector = connectorFor(vitrine);
      const items = await withFailureTypes(`queue fetch for vitrine ${vitrine.code}`, () => connector.fetchQueue(input.maxItems));
      if (items.length === 0) {
        // An empty queue may be no queue: VTEX deletes a feed configuration that got no event during its retention.
        if (
          input.checkFeed &&
          (await withFailureTypes(`feed configuration of vitrine ${vitrine.code}`, () => connector.getFeedConfig())) === null
        ) {
          throw ApplicationFailure.create({
            type: FAILURE_TYPES.feedNotConfigured,
            message: `the platform has no feed configuration for vitrine ${vitrine.code}, so no order reaches its queue: vitrine feed ${vitrine.code} configure`,
            nonRetryable: true,
          });
        }
        return { pageId: null, items: 0 };
      }
      const pageId = await saveQueuePage(db, {
        importRunId: input.importRunId,
        vitrineId: vitrine.id,
        items: items.map(({ handle, orderId, state }) => ({ handle, orderId, state })),
      });
      return { pageId, items: items.length };
    },

    /**
     * The orders hook's waiting notifications of the vitrine as a page, served by the same steps as
     * a queue page; none waiting keeps none. The feed still announces these orders: its items are
     * acknowledged when a run reads them, and find the orders imported.
     */
    async fetchHookPage(input: { vitrineId: number; importRunId: number; maxItems: number }): Promise<FetchedPage> {
      const page = await takeHookPage(db, input);
      return page ? { pageId: page.pageId, items: page.items } : { pageId: null, items: 0 };
    },

    /**
     * Acknowledges a page's queue items; called only after the ERP committed what they announced.
     * A hook page's notifications are served: they leave hook_notifications (nothing to tell the platform).
     */
    async commitQueueItems(input: { vitrineId: number; pageId: number }): Promise<{ committed: number }> {
      const page = await queuePageOf(db, input.vitrineId, input.pageId);
      if (page.source === 'hook') {
        await commitHookPage(db, page.id);
        return { committed: 0 };
      }
      if (!page.committed) {
        const vitrine = await getVitrineById(db, input.vitrineId);
        await withFailureTypes(`queue commit for vitrine ${vitrine.code}`, () =>
          connectorFor(vitrine).commitQueue(page.items.map((item) => item.handle)),
        );
        await markQueuePageCommitted(db, page.id);
      }
      return { committed: page.items.length };
    },
  };
}
