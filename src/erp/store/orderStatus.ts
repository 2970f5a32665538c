import type { Knex } from 'knex';
import { erpStatusForPlatformState, isForwardTransition, isPaymentApproved } from '../statuses';

export type StatusOutcome = 'updated' | 'unchanged';

/**
 * Processar Pedido Aprovado: brings an order already in the ERP up to the platform's current state
 * (payment approved, cancelled...). Only forward moves are applied, so a repeated or late event
 * changes nothing. Returns undefined when the platform state is not mapped.
 */
export async function applyPlatformState(
  db: Knex,
  update: { vitrineId: number; externalOrderId: string; platformState: string; approvedAt: string | null },
): Promise<StatusOutcome | undefined> {
  const status = erpStatusForPlatformState(update.platformState);
  if (!status) return undefined;
  return db.transaction(async (trx) => {
    const order = await trx('sales_orders')
      .where({ vitrine_id: update.vitrineId, external_order_id: update.externalOrderId })
      .forUpdate()
      .first('id', 'status', 'approved_at');
    if (!order || !isForwardTransition(order.status, status)) return 'unchanged';
    await trx('sales_orders')
      .where({ id: order.id })
      .update({
        status,
        platform_state: update.platformState,
        approved_at: order.approved_at ?? (isPaymentApproved(status) ? (update.approvedAt ?? trx.fn.now()) : null),
        updated_at: trx.fn.now(),
      });
    await trx('sales_order_status_history').insert({
      sales_order_id: order.id,
      status,
      platform_state: update.platformState,
      source: 'platform-update',
    });
    return 'updated';
  });
}
