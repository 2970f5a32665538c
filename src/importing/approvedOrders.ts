import type { Knex } from 'knex';
import { lockSalesOrder, markCancellationRequested, updateSalesOrderStatus } from '../erp/store/salesOrders';
import { databaseErrorClass } from '../erp/databaseErrors';
import { blockReason, type OrderToBlock } from './blocking';
import { mapWithConcurrency } from './concurrency';
import { progress, type VitrineImport } from './context';
import { erpStatusFor, isCancellationRequest, isForwardTransition, isPaymentApproved } from './rules/statuses';

/** An order the ERP has, with the state the platform gave it. */
export interface PlatformStateOfOrder {
  externalOrderId: string;
  platformState: string;
  approvedAt: string | null;
  cancelReason?: string | null;
}

/** Called in each order's transaction with what became of it: a page records it there too. */
export type OnApplied = (trx: Knex.Transaction, externalOrderId: string, outcome: 'updated' | 'unchanged') => Promise<void>;

/**
 * Processar Pedido Aprovado: brings orders the ERP has up to their state on the platform (payment
 * approved, cancelled...) through the vitrine's status DE-PARA, one transaction per order. Only
 * forward moves are applied, so a repeated or late event changes nothing. A state with no DE-PARA
 * row is to be blocked.
 */
export async function applyPlatformStates(
  vi: VitrineImport,
  orders: PlatformStateOfOrder[],
  onApplied: OnApplied,
): Promise<{ updated: number; unchanged: number; blocked: OrderToBlock[] }> {
  const { settings } = vi;
  const vitrineId = settings.vitrine.id;
  const result = { updated: 0, unchanged: 0, blocked: [] as OrderToBlock[] };
  const done = progress(vi.run);
  await mapWithConcurrency(orders, vi.concurrency, async (o) => {
    const status = erpStatusFor(settings.statusMappings, o.platformState);
    if (!status) {
      result.blocked.push({ externalOrderId: o.externalOrderId, reason: `unmapped platform state ${o.platformState}` });
      return done();
    }
    let outcome: 'updated' | 'unchanged';
    try {
      outcome = await vi.db.transaction(async (trx) => {
        const row = await lockSalesOrder(trx, vitrineId, o.externalOrderId);
        let applied: 'updated' | 'unchanged' = 'unchanged';
        if (row && isCancellationRequest(o.platformState)) {
          // The customer asks to cancel: the order waits for an admin (Problemas), whatever its status, unless it is over.
          if (row.status !== 'Cancelado' && row.cancellation_requested_at === null) {
            await markCancellationRequested(trx, row.id, o.cancelReason ?? null);
            await updateSalesOrderStatus(trx, row.id, { status, platformState: o.platformState, source: 'platform-update' });
            applied = 'updated';
          }
        } else if (row && isForwardTransition(row.status, status)) {
          const approvedAt = row.approved_at === null && isPaymentApproved(status) ? o.approvedAt : undefined;
          await updateSalesOrderStatus(trx, row.id, { status, platformState: o.platformState, approvedAt, source: 'platform-update' });
          applied = 'updated';
        }
        await onApplied(trx, o.externalOrderId, applied);
        return applied;
      });
    } catch (error) {
      // The database away, or its schema missing, is not this order's: the step fails and is
      // retried. Anything else failed on this order alone: it is blocked, the others go on.
      const kind = databaseErrorClass(error);
      if (kind === 'unavailable' || kind === 'schema') throw error;
      result.blocked.push({ externalOrderId: o.externalOrderId, reason: blockReason(error) });
      return done();
    }
    result[outcome] += 1;
    if (outcome === 'updated')
      vi.log.push({ level: 'info', externalOrderId: o.externalOrderId, message: `status updated from platform state ${o.platformState}` });
    done();
  });
  return result;
}
