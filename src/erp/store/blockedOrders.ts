import type { Knex } from 'knex';
import type { BlockedOrderRow } from '../tables';

// Card data must not be kept, even for a blocked order.
const CARD_FIELDS = new Set(['cardNumber', 'cvv2', 'expireMonth', 'expireYear', 'dueDate', 'cardHolder']);

function withoutCardData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCardData);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).filter(([key]) => !CARD_FIELDS.has(key)).map(([key, inner]) => [key, withoutCardData(inner)]),
    );
  }
  return value;
}

/** Keeps (or refreshes) an order that could not be imported, with the reason, for a later retry. */
export async function recordBlockedOrder(
  db: Knex,
  entry: { vitrineId: number; externalOrderId: string; reason: string; payload: unknown },
): Promise<void> {
  const payload = entry.payload === undefined ? null : JSON.stringify(withoutCardData(entry.payload));
  await db('blocked_orders')
    .insert({
      vitrine_id: entry.vitrineId,
      external_order_id: entry.externalOrderId,
      reason: entry.reason,
      payload,
    })
    .onConflict(['vitrine_id', 'external_order_id'])
    .merge({
      reason: entry.reason,
      payload,
      last_seen_at: db.fn.now(),
      attempts: db.raw('blocked_orders.attempts + 1'),
    });
}

export async function listBlockedOrders(db: Knex, filter: { vitrineId?: number } = {}): Promise<BlockedOrderRow[]> {
  const query = db<BlockedOrderRow>('blocked_orders').orderBy('last_seen_at', 'desc');
  if (filter.vitrineId !== undefined) query.where({ vitrine_id: filter.vitrineId });
  return query;
}
