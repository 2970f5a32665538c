import type { BlockedOrderEntry } from '../erp/store/blockedOrders';
import { SLICE_BYTES, type PageOrderEntry } from '../erp/store/pageOrders';
import { existingOrderStatuses } from '../erp/store/salesOrders';
import { mapPlatformOrder } from '../mapping';
import type { OrderEvent } from '../shared/importTypes';
import { blockReason, isPermanentOrderError } from './blocking';
import { mapWithConcurrency } from './concurrency';
import { progress, type VitrineImport } from './context';
import { decideOrder, mappedStatusOf } from './orderRules';
import { erpStatusFor, isCancellationRequest, isForwardTransition, type ErpStatus } from './rules/statuses';

/** Orders the order fetch read, kept together: at most SLICE_BYTES of mapped orders and blocked documents. */
export interface FetchedSlice {
  /** One entry per order: new (mapped), existing (with the platform's state), or settled already. */
  entries: PageOrderEntry[];
  /** Orders the fetch blocked, with the platform's document when it sent one. */
  blocked: BlockedOrderEntry[];
}

/** Keeps a slice of fetched orders (the page step writes it in one transaction); the fetch waits for it. */
export type OnSlice = (slice: FetchedSlice) => Promise<void>;

/**
 * Order fetch: what the platform says of the orders a queue page announced. One query tells which
 * orders the ERP already has. A new order is read from the platform, mapped, and checked against
 * the status and payment DE-PARA while its document is at hand (a refused order keeps it). An
 * order the ERP has is read only when its event would move it forward; a repeated or late event
 * is settled as unchanged without asking the platform again.
 *
 * Memory is bounded by bytes, whatever the page's size and its orders': documents are received
 * within the process's document budget (src/platform/byteBudget.ts) and dropped once mapped, and
 * what the fetch keeps goes to `onSlice` every SLICE_BYTES, before more is read.
 */
export async function fetchOrders(
  vi: VitrineImport,
  events: OrderEvent[],
  onSlice: OnSlice,
  options: { concurrency?: number; sliceBytes?: number } = {},
): Promise<void> {
  const { settings } = vi;
  const sliceBytes = options.sliceBytes ?? SLICE_BYTES;
  // The latest event of each order says which state it reached on the platform.
  const latest = new Map<string, string>();
  for (const event of events) latest.set(event.orderId, event.state);
  const statuses = await existingOrderStatuses(vi.db, settings.vitrine.id, [...latest.keys()]);

  let slice: FetchedSlice = { entries: [], blocked: [] };
  let bytes = 0;
  let flushing: Promise<void> = Promise.resolve();
  // Slices are kept one after the other; a reader that fills one waits until it is kept.
  const flush = () => {
    const full = slice;
    slice = { entries: [], blocked: [] };
    bytes = 0;
    flushing = flushing.then(() => (full.entries.length > 0 || full.blocked.length > 0 ? onSlice(full) : undefined));
    return flushing;
  };
  const keep = async (entry: PageOrderEntry, blocked?: BlockedOrderEntry, size = 0) => {
    slice.entries.push(entry);
    if (blocked) slice.blocked.push(blocked);
    bytes += size;
    if (bytes >= sliceBytes) await flush();
  };

  const toFetch: Array<{ orderId: string; state: string; existing: boolean }> = [];
  for (const [orderId, state] of latest) {
    const status = statuses.get(orderId);
    const announced = erpStatusFor(settings.statusMappings, state);
    // A cancellation request is read whatever the status (the status step decides what it changes).
    if (status !== undefined && announced && !isForwardTransition(status, announced) && !isCancellationRequest(state)) {
      await keep({ externalOrderId: orderId, kind: 'existing', platformState: state, outcome: 'unchanged' });
    } else {
      toFetch.push({ orderId, state, existing: status !== undefined });
    }
  }

  const done = progress(vi.run);
  await mapWithConcurrency(toFetch, options.concurrency ?? vi.concurrency, async ({ orderId, state, existing }) => {
    const kind = existing ? 'existing' : 'new';
    let raw: unknown;
    let entry: PageOrderEntry;
    let blocked: BlockedOrderEntry | undefined;
    let size = 0;
    try {
      raw = await vi.connector.getOrder(orderId);
      const mapped = mapPlatformOrder(settings.vitrine.platform, raw);
      const order = { ...mapped, platformState: platformStateOf(settings.statusMappings, mapped.platformState, state) };
      if (existing) {
        mappedStatusOf(settings, order.platformState);
        entry = {
          externalOrderId: orderId,
          kind,
          platformState: order.platformState,
          approvedAt: order.approvedAt,
          cancelReason: order.cancelReason,
        };
      } else {
        decideOrder(settings, order);
        const erpOrderJson = JSON.stringify(order);
        size = erpOrderJson.length;
        entry = { externalOrderId: orderId, kind, platformState: order.platformState, erpOrderJson };
      }
    } catch (error) {
      // The platform not answering fails the step (it is retried); anything else that went wrong
      // with the document at hand is this order's own: it is blocked, and the page goes on.
      if (raw === undefined && !isPermanentOrderError(error)) throw error;
      entry = { externalOrderId: orderId, kind, platformState: state, outcome: 'blocked' };
      blocked = { externalOrderId: orderId, reason: blockReason(error), payload: raw ?? null };
      size = raw === undefined ? 0 : JSON.stringify(raw).length;
    }
    await keep(entry, blocked, size);
    done();
  });
  await flush();
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
