import type { Knex } from 'knex';

/**
 * The notification outbox (platform_notifications): what the platform must still be told of each
 * order, filled by the triggers of migration 20261202000000_status_updates, in the transaction of
 * the change. Rows only; src/importing/platformNotifications.ts sends them.
 */

/** The channel the triggers pg_notify on commit, with the vitrine's id. */
export const NOTIFICATION_CHANNEL = 'platform_notifications';

export interface OutboxNotification {
  id: number;
  action: 'start-handling' | 'invoice' | 'tracking-number' | 'tracking-status' | 'cancel';
  revision: number;
  salesOrderId: number;
  orderCode: string;
  externalOrderId: string;
  invoiceId: number | null;
}

/**
 * The vitrine's notifications to send, oldest first. One that follows a blocked notification of
 * the same order waits for it: a platform is told of an order's steps in their order.
 */
export async function dueNotifications(db: Knex, vitrineId: number, limit = 100): Promise<OutboxNotification[]> {
  return db('platform_notifications as n')
    .join('sales_orders as o', 'o.id', 'n.sales_order_id')
    .where('o.vitrine_id', vitrineId)
    .whereNull('n.sent_at')
    .whereNull('n.blocked_at')
    .whereNotExists(
      db('platform_notifications as b')
        .whereRaw('b.sales_order_id = n.sales_order_id')
        .whereRaw('b.id < n.id')
        .whereNull('b.sent_at')
        .whereNotNull('b.blocked_at'),
    )
    .orderBy('n.id')
    .limit(limit)
    .select({
      id: 'n.id',
      action: 'n.action',
      revision: 'n.revision',
      salesOrderId: 'n.sales_order_id',
      orderCode: 'o.order_code',
      externalOrderId: 'o.external_order_id',
      invoiceId: 'n.invoice_id',
    });
}

/** Marks it sent, unless a change came since it was read (its revision moved): then it stays due. */
export async function markSent(db: Knex, notification: { id: number; revision: number }): Promise<boolean> {
  const updated = await db('platform_notifications')
    .where({ id: notification.id, revision: notification.revision })
    .whereNull('sent_at')
    .update({ sent_at: db.fn.now(), attempts: db.raw('attempts + 1'), last_error: null });
  return updated > 0;
}

/** The platform refused it for good: kept with its reason until an operator retries it. */
export async function markBlocked(db: Knex, id: number, reason: string): Promise<void> {
  await db('platform_notifications')
    .where({ id })
    .update({ blocked_at: db.fn.now(), attempts: db.raw('attempts + 1'), last_error: reason.slice(0, 1000) });
}

/** A try that failed for a while (the platform away, a 5xx): counted, retried. */
export async function noteFailedAttempt(db: Knex, id: number, reason: string): Promise<void> {
  await db('platform_notifications')
    .where({ id })
    .update({ attempts: db.raw('attempts + 1'), last_error: reason.slice(0, 1000) });
}

export interface NotificationListRow {
  id: number;
  vitrineCode: string;
  orderCode: string;
  action: string;
  invoiceNumber: string | null;
  state: 'sent' | 'blocked' | 'pending';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export async function listNotifications(
  db: Knex,
  filter: { vitrineId?: number; blocked?: boolean; orderId?: number; limit: number },
): Promise<NotificationListRow[]> {
  const query = db('platform_notifications as n')
    .join('sales_orders as o', 'o.id', 'n.sales_order_id')
    .join('vitrines as v', 'v.id', 'o.vitrine_id')
    .leftJoin('sales_order_invoices as i', 'i.id', 'n.invoice_id')
    .orderBy('n.id', 'desc')
    .limit(filter.limit);
  if (filter.vitrineId !== undefined) query.where('o.vitrine_id', filter.vitrineId);
  if (filter.orderId !== undefined) query.where('o.id', filter.orderId);
  if (filter.blocked) query.whereNotNull('n.blocked_at').whereNull('n.sent_at');
  const rows = await query.select({
    id: 'n.id',
    vitrineCode: 'v.code',
    orderCode: 'o.order_code',
    action: 'n.action',
    invoiceNumber: 'i.number',
    sentAt: 'n.sent_at',
    blockedAt: 'n.blocked_at',
    attempts: 'n.attempts',
    lastError: 'n.last_error',
    createdAt: 'n.created_at',
  });
  return rows.map(({ blockedAt, ...row }) => ({ ...row, state: row.sentAt ? 'sent' : blockedAt ? 'blocked' : 'pending' }));
}

/**
 * Sends blocked notifications again (after the cause was fixed): `ids`, or every blocked one of
 * the vitrine (or of all). Wakes the workers. Returns the vitrines and how many were unblocked.
 */
export async function unblockNotifications(db: Knex, which: { ids: number[] } | { vitrineId?: number }): Promise<number> {
  return db.transaction(async (trx) => {
    const query = trx('platform_notifications as n').whereNotNull('n.blocked_at').whereNull('n.sent_at');
    if ('ids' in which) query.whereIn('n.id', which.ids);
    else if (which.vitrineId !== undefined)
      query.whereIn('n.sales_order_id', trx('sales_orders').where('vitrine_id', which.vitrineId).select('id'));
    const rows: Array<{ sales_order_id: number }> = await query.update({ blocked_at: null }).returning('sales_order_id');
    if (rows.length > 0) {
      await trx.raw(`select pg_notify(?, vitrine_id::text) from (select distinct vitrine_id from sales_orders where id = any(?)) v`, [
        NOTIFICATION_CHANNEL,
        rows.map((r) => r.sales_order_id),
      ]);
    }
    return rows.length;
  });
}

/** One notification by id, to tell "does not exist" from "is not blocked". */
export async function notificationState(db: Knex, id: number): Promise<'sent' | 'blocked' | 'pending' | undefined> {
  const row = await db('platform_notifications').where({ id }).first('sent_at', 'blocked_at');
  if (!row) return undefined;
  return row.sent_at ? 'sent' : row.blocked_at ? 'blocked' : 'pending';
}

/** Per vitrine with the switch on: notifications due, and the age of the oldest, for the sweep and `vitrine status`. */
export async function notificationBacklog(
  db: Knex,
  vitrineId?: number,
): Promise<
  Array<{ vitrineId: number; vitrineCode: string; importOrders: boolean; due: number; blocked: number; oldestDueSeconds: number | null }>
> {
  const query = db('platform_notifications as n')
    .join('sales_orders as o', 'o.id', 'n.sales_order_id')
    .join('vitrines as v', 'v.id', 'o.vitrine_id')
    .whereNull('n.sent_at')
    .groupBy('v.id', 'v.code', 'v.import_orders')
    .select({ vitrineId: 'v.id', vitrineCode: 'v.code', importOrders: 'v.import_orders' })
    .select(
      db.raw('count(*) filter (where n.blocked_at is null)::int as due'),
      db.raw('count(*) filter (where n.blocked_at is not null)::int as blocked'),
      db.raw(`extract(epoch from now() - min(n.created_at) filter (where n.blocked_at is null))::int as "oldestDueSeconds"`),
    );
  if (vitrineId !== undefined) query.where('v.id', vitrineId);
  return query;
}

export async function cancelReasonOf(db: Knex, salesOrderId: number): Promise<string | null> {
  const row = await db('sales_orders').where({ id: salesOrderId }).first('cancel_reason');
  return row?.cancel_reason ?? null;
}

/** The vitrine of a notification (through its order), for the audit trail. */
export async function vitrineOfNotification(db: Knex, id: number): Promise<{ id: number; code: string } | null> {
  const row = await db('platform_notifications as n')
    .join('sales_orders as o', 'o.id', 'n.sales_order_id')
    .join('vitrines as v', 'v.id', 'o.vitrine_id')
    .where('n.id', id)
    .first({ id: 'v.id', code: 'v.code' });
  return row ? { id: Number(row.id), code: row.code } : null;
}
