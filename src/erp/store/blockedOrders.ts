import type { Knex } from 'knex';
import type { BlockedOrderRow } from '../tables';
import { chunksOf } from './chunks';

// Card data must not be kept, even for a blocked order.
const CARD_FIELDS = new Set(['cardNumber', 'cvv2', 'expireMonth', 'expireYear', 'dueDate', 'cardHolder']);

function withoutCardData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCardData);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !CARD_FIELDS.has(key))
        .map(([key, inner]) => [key, withoutCardData(inner)]),
    );
  }
  return value;
}

export interface BlockedOrderEntry {
  externalOrderId: string;
  reason: string;
  /** The platform's order document, when there is one. */
  payload: unknown;
}

/**
 * Keeps (or refreshes) orders of a vitrine that could not be imported, with the reason, for a
 * later retry; one statement per chunk of orders.
 */
export async function recordBlockedOrders(db: Knex | Knex.Transaction, vitrineId: number, entries: BlockedOrderEntry[]): Promise<void> {
  // One row per order: Postgres refuses to update the same row twice in one statement.
  const rows = [...new Map(entries.map((entry) => [entry.externalOrderId, entry])).values()].map((entry) => ({
    vitrine_id: vitrineId,
    external_order_id: entry.externalOrderId,
    reason: entry.reason,
    payload: entry.payload === undefined || entry.payload === null ? null : JSON.stringify(withoutCardData(entry.payload)),
  }));
  for (const chunk of chunksOf(rows)) {
    await db('blocked_orders')
      .insert(chunk)
      .onConflict(['vitrine_id', 'external_order_id'])
      .merge({
        reason: db.raw('excluded.reason'),
        payload: db.raw('excluded.payload'),
        last_seen_at: db.fn.now(),
        attempts: db.raw('blocked_orders.attempts + 1'),
      });
  }
}

/** Orders that imported now leave the blocked list. */
export async function clearBlockedOrders(db: Knex | Knex.Transaction, vitrineId: number, externalOrderIds: string[]): Promise<void> {
  if (externalOrderIds.length === 0) return;
  await db('blocked_orders').where({ vitrine_id: vitrineId }).whereRaw('external_order_id = any(?::text[])', [externalOrderIds]).delete();
}

export async function listBlockedOrders(db: Knex, filter: { vitrineId?: number } = {}): Promise<BlockedOrderRow[]> {
  const query = db<BlockedOrderRow>('blocked_orders').orderBy('last_seen_at', 'desc');
  if (filter.vitrineId !== undefined) query.where({ vitrine_id: filter.vitrineId });
  return query;
}

export interface BlockedOrderSummary {
  id: number;
  vitrineCode: string;
  externalOrderId: string;
  reason: string;
  attempts: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

const SUMMARY_COLUMNS = {
  id: 'b.id',
  vitrineCode: 'v.code',
  externalOrderId: 'b.external_order_id',
  reason: 'b.reason',
  attempts: 'b.attempts',
  firstSeenAt: 'b.first_seen_at',
  lastSeenAt: 'b.last_seen_at',
};

/** Blocked orders with their vitrine's code, most recently seen first. */
export async function listBlockedOrderSummaries(
  db: Knex,
  filter: { vitrineId?: number; limit?: number } = {},
): Promise<BlockedOrderSummary[]> {
  const query = db('blocked_orders as b')
    .join('vitrines as v', 'v.id', 'b.vitrine_id')
    .orderBy([
      { column: 'b.last_seen_at', order: 'desc' },
      { column: 'b.id', order: 'desc' },
    ])
    .select(SUMMARY_COLUMNS);
  if (filter.vitrineId !== undefined) query.where('b.vitrine_id', filter.vitrineId);
  if (filter.limit !== undefined) query.limit(filter.limit);
  return query;
}

/** One blocked order with its payload (card data already removed), or undefined. */
export async function getBlockedOrder(
  db: Knex,
  id: number,
): Promise<(BlockedOrderSummary & { vitrineId: number; payload: unknown }) | undefined> {
  return db('blocked_orders as b')
    .join('vitrines as v', 'v.id', 'b.vitrine_id')
    .where('b.id', id)
    .first({ ...SUMMARY_COLUMNS, vitrineId: 'b.vitrine_id', payload: 'b.payload' });
}

export async function deleteBlockedOrder(db: Knex, id: number): Promise<void> {
  await db('blocked_orders').where({ id }).delete();
}

/** How many orders of the vitrine are blocked. */
export async function countBlockedOrders(db: Knex, vitrineId: number): Promise<number> {
  const [{ count }] = await db('blocked_orders').where({ vitrine_id: vitrineId }).count({ count: '*' });
  return Number(count);
}
