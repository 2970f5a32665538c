import type { BlockedOrderEntry } from '../erp/store/blockedOrders';
import type { PageOrderEntry } from '../erp/store/pageOrders';
import { existingOrderStatuses } from '../erp/store/salesOrders';
import { mapPlatformOrder } from '../mapping';
import type { OrderEvent } from '../shared/importTypes';
import { blockReason, isPermanentOrderError } from './blocking';
import { mapWithConcurrency } from './concurrency';
import { progress, type VitrineImport } from './context';
import { decideOrder, mappedStatusOf } from './orderRules';
import { erpStatusFor, isCancellationRequest, isForwardTransition, type ErpStatus } from './rules/statuses';

export interface FetchedOrders {
  /** One entry per order: new (mapped), existing (with the platform's state), or settled already. */
  entries: PageOrderEntry[];
  /** Orders the fetch blocked, with the platform's document when it sent one. */
  blocked: BlockedOrderEntry[];
}

/**
 * Order fetch: what the platform says of the orders a queue page announced. One query tells which
 * orders the ERP already has. A new order is read from the platform, mapped, and checked against
 * the status and payment DE-PARA while its document is at hand (a refused order keeps it). An
 * order the ERP has is read only when its event would move it forward; a repeated or late event
 * is settled as unchanged without asking the platform again.
 */
export async function fetchOrders(vi: VitrineImport, events: OrderEvent[]): Promise<FetchedOrders> {
  const { settings } = vi;
  // The latest event of each order says which state it reached on the platform.
  const latest = new Map<string, string>();
  for (const event of events) latest.set(event.orderId, event.state);
  const statuses = await existingOrderStatuses(vi.db, settings.vitrine.id, [...latest.keys()]);

  const entries: PageOrderEntry[] = [];
  const blocked: BlockedOrderEntry[] = [];
  const toFetch: Array<{ orderId: string; state: string; existing: boolean }> = [];
  for (const [orderId, state] of latest) {
    const status = statuses.get(orderId);
    const announced = erpStatusFor(settings.statusMappings, state);
    // A cancellation request is read whatever the status (the status step decides what it changes).
    if (status !== undefined && announced && !isForwardTransition(status, announced) && !isCancellationRequest(state)) {
      entries.push({ externalOrderId: orderId, kind: 'existing', platformState: state, outcome: 'unchanged' });
    } else {
      toFetch.push({ orderId, state, existing: status !== undefined });
    }
  }

  const done = progress(vi.run);
  await mapWithConcurrency(toFetch, vi.concurrency, async ({ orderId, state, existing }) => {
    const kind = existing ? 'existing' : 'new';
    let raw: unknown;
    try {
      raw = await vi.connector.getOrder(orderId);
      const mapped = mapPlatformOrder(settings.vitrine.platform, raw);
      const order = { ...mapped, platformState: platformStateOf(settings.statusMappings, mapped.platformState, state) };
      if (existing) {
        mappedStatusOf(settings, order.platformState);
        entries.push({
          externalOrderId: orderId,
          kind,
          platformState: order.platformState,
          approvedAt: order.approvedAt,
          cancelReason: order.cancelReason,
        });
      } else {
        decideOrder(settings, order);
        entries.push({ externalOrderId: orderId, kind, platformState: order.platformState, erpOrder: order });
      }
    } catch (error) {
      // The platform not answering fails the step (it is retried); anything else that went wrong
      // with the document at hand is this order's own: it is blocked, and the page goes on.
      if (raw === undefined && !isPermanentOrderError(error)) throw error;
      entries.push({ externalOrderId: orderId, kind, platformState: state, outcome: 'blocked' });
      blocked.push({ externalOrderId: orderId, reason: blockReason(error), payload: raw ?? null });
    }
    done();
  });
  return { entries, blocked };
}

/**
 * The state an order is imported or updated with: the document's, which is the newest (feed events
 * may come late or out of order), when the status DE-PARA maps it; otherwise the feed's (old
 * documents carry empty or retired state names). An admin's retry has no event: the document's.
 */
function platformStateOf(statusMappings: Map<string, ErpStatus>, documentState: string, feedState: string): string {
  if (documentState && erpStatusFor(statusMappings, documentState)) return documentState;
  return feedState || documentState;
}
