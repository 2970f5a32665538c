import type { Knex } from 'knex';
import { platformActionFor, type ErpStatus } from '../../importing/rules/statuses';

/**
 * An ERP user moves an order to `status`. When the status DE-PARA says the platform must hear of
 * it (Em preparação: VTEX start-handling), a notification is queued, once per order and action;
 * the next import run of the vitrine sends it.
 */
export async function setOrderStatusInErp(
  db: Knex,
  statusMappings: Map<string, ErpStatus>,
  salesOrderId: number,
  status: ErpStatus,
): Promise<{ changed: boolean; previous?: string; notification?: string; notificationQueued: boolean }> {
  return db.transaction(async (trx) => {
    const order = await trx('sales_orders').where({ id: salesOrderId }).forUpdate().first('id', 'status', 'platform_state');
    if (!order || order.status === status) return { changed: false, previous: order?.status, notificationQueued: false };
    await trx('sales_orders').where({ id: order.id }).update({ status, updated_at: trx.fn.now() });
    await trx('sales_order_status_history').insert({
      sales_order_id: order.id,
      status,
      platform_state: order.platform_state,
      source: 'erp',
    });
    const action = platformActionFor(statusMappings, status);
    // Once per order and action: an order that enters Em preparação again is not announced again.
    const queued = action
      ? await trx('platform_notifications')
          .insert({ sales_order_id: order.id, action })
          .onConflict(['sales_order_id', 'action'])
          .ignore()
          .returning('id')
      : [];
    return { changed: true, previous: order.status, notification: action, notificationQueued: queued.length > 0 };
  });
}

export interface PendingNotification {
  id: number;
  action: string;
  externalOrderId: string;
}

/** The vitrine's notifications still to send, as a query to read or count. */
function pendingOf(db: Knex, vitrineId: number) {
  return (
    db('platform_notifications as n')
      .join('sales_orders as o', 'o.id', 'n.sales_order_id')
      .where('o.vitrine_id', vitrineId)
      .whereNull('n.sent_at')
      // A notification the platform keeps refusing stops being sent; it stays visible with its error.
      .where('n.attempts', '<', 10)
  );
}

export async function pendingNotifications(db: Knex, vitrineId: number, limit = 100): Promise<PendingNotification[]> {
  return pendingOf(db, vitrineId)
    .orderBy('n.id')
    .limit(limit)
    .select({ id: 'n.id', action: 'n.action', externalOrderId: 'o.external_order_id' });
}

/** How many notifications pendingNotifications would go through, without reading them. */
export async function countPendingNotifications(db: Knex, vitrineId: number): Promise<number> {
  const [{ count }] = await pendingOf(db, vitrineId).count({ count: '*' });
  return Number(count);
}

export async function markNotification(db: Knex, id: number, outcome: { sent: true } | { error: string }): Promise<void> {
  await db('platform_notifications')
    .where({ id })
    .update({
      attempts: db.raw('attempts + 1'),
      sent_at: 'sent' in outcome ? db.fn.now() : null,
      last_error: 'error' in outcome ? outcome.error : null,
    });
}
