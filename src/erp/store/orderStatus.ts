import type { Knex } from 'knex';
import { platformActionFor, type ErpStatus } from '../../importing/rules/statuses';
import { notificationsQueuedNow, setErpStatus } from './invoices';

/**
 * An ERP user moves an order to `status`. When the status DE-PARA says the platform must hear of
 * it (Em preparação: VTEX start-handling; Cancelado: cancel), the outbox trigger queues the
 * notification, once per order and action, in this transaction.
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
    await setErpStatus(trx, { id: order.id, platformState: order.platform_state }, status);
    const action = platformActionFor(statusMappings, status);
    const queued = action ? await notificationsQueuedNow(trx, order.id) : [];
    return { changed: true, previous: order.status, notification: action, notificationQueued: queued.includes(action ?? '') };
  });
}
