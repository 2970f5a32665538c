import { commitHookPage, takeHookPage } from '../erp/store/hooks';
import { markQueuePageCommitted, saveQueuePage } from '../erp/store/queuePages';
import { getVitrineById } from '../erp/store/vitrines';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import type { FetchedPage } from '../shared/importTypes';
import { queuePageOf, type ActivityDependencies } from './context';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../shared/failureTypes';
import { withFailureTypes } from './failures';
import { writeLog } from '../erp/store/integrationLog';
import type { VitrineRow } from '../erp/tables';
import type { MalformedQueueItem, PlatformConnector } from '../platform/types';

/**
 * Queue items that break the contract are written to the integration log (ids only, never a
 * handle: it embeds the app key), then acknowledged when they have a handle: they cannot be
 * imported, and left in the queue they would come back on every read. One without a handle cannot
 * be acknowledged; the platform drops it at the end of its retention.
 */
async function setAsideMalformedItems(
  db: ActivityDependencies['db'],
  vitrine: VitrineRow,
  connector: PlatformConnector,
  importRunId: number,
  malformed: MalformedQueueItem[],
): Promise<void> {
  await writeLog(
    db,
    vitrine,
    malformed.map((item) => ({
      level: 'error' as const,
      message: `malformed queue item ${item.handle ? 'acknowledged' : 'without a handle (it cannot be acknowledged)'}: ${item.reason}`,
      externalOrderId: item.orderId,
      importRunId,
    })),
  );
  const handles = malformed.flatMap((item) => (item.handle ? [item.handle] : []));
  if (handles.length > 0) {
    await withFailureTypes(`queue commit of malformed items for vitrine ${vitrine.code}`, () => connector.commitQueue(handles));
  }
}

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
      const { items, malformed } = await withFailureTypes(`queue fetch for vitrine ${vitrine.code}`, () =>
        connector.fetchQueue(input.maxItems),
      );
      if (malformed.length > 0) await setAsideMalformedItems(db, vitrine, connector, input.importRunId, malformed);
      if (items.length === 0 && malformed.length > 0) return { pageId: null, items: 0, malformed: malformed.length };
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
      return { pageId, items: items.length, malformed: malformed.length };
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
