import type { Knex } from 'knex';
import { deleteBlockedOrder } from '../erp/store/blockedOrders';
import type { BlockedOrderRow } from '../erp/tables';
import { PlatformError } from '../platform/types';
import { createOrderImporter, type ImporterDependencies } from './orderImporter';

/**
 * Retry of blocked orders, once an admin fixed what blocked them (a DE-PARA row, a default field):
 * each order is fetched from the platform again and goes through the import's steps. An order the
 * ERP already has goes through Processar Pedido Aprovado instead (it was blocked on a status update).
 * The platform's queue is not touched: the order's queue item was acknowledged when it was blocked.
 */

export type RetryOutcome =
  /** Imported now; it left the blocked list. */
  | 'imported'
  /** Still cannot be imported; `reason` is the new reason, `attempts` counts this retry. */
  | 'blocked'
  /** The ERP already had the order; its platform state was applied and it left the blocked list. */
  | 'existing'
  /** The platform could not be reached (a temporary error): nothing changed for the order. */
  | 'failed';

export interface RetriedOrder {
  id: number;
  vitrineCode: string;
  externalOrderId: string;
  outcome: RetryOutcome;
  /** The ERP order code, for an order imported now or already there. */
  orderCode?: string;
  reason?: string;
  attempts?: number;
}

export type RetrySelection = { id: number } | { all: true; vitrineId?: number };

type Blocked = Pick<BlockedOrderRow, 'id' | 'vitrine_id' | 'external_order_id' | 'reason' | 'attempts'>;

/** Orders per importer call: bounds what one call fetches and holds. */
const CHUNK_SIZE = 100;

export async function retryBlockedOrders(deps: ImporterDependencies, selection: RetrySelection): Promise<RetriedOrder[]> {
  const { db } = deps;
  const query = db<BlockedOrderRow>('blocked_orders').orderBy('id');
  if ('id' in selection) query.where({ id: selection.id });
  else if (selection.vitrineId !== undefined) query.where({ vitrine_id: selection.vitrineId });
  const rows: Blocked[] = await query.select('id', 'vitrine_id', 'external_order_id', 'reason', 'attempts');

  const codes = new Map<number, string>(
    (
      await db('vitrines')
        .whereIn('id', [...new Set(rows.map((row) => row.vitrine_id))])
        .select('id', 'code')
    ).map((v: { id: number; code: string }) => [v.id, v.code]),
  );
  const byVitrine = new Map<number, Blocked[]>();
  for (const row of rows) byVitrine.set(row.vitrine_id, [...(byVitrine.get(row.vitrine_id) ?? []), row]);

  const importer = createOrderImporter(deps);
  const results: RetriedOrder[] = [];
  for (const [vitrineId, vitrineRows] of byVitrine) {
    for (let start = 0; start < vitrineRows.length; start += CHUNK_SIZE) {
      const chunk = vitrineRows.slice(start, start + CHUNK_SIZE);
      const base = (row: Blocked) => ({
        id: row.id,
        vitrineCode: codes.get(vitrineId) ?? String(vitrineId),
        externalOrderId: row.external_order_id,
      });
      let imported: Set<string>;
      let existing: Set<string>;
      try {
        const result = await importer.importOrders(
          vitrineId,
          chunk.map((row) => row.external_order_id),
        );
        imported = new Set(result.imported);
        existing = new Set(result.existing);
      } catch (error) {
        // A temporary platform error (the others are blocking reasons) stops this vitrine's chunk;
        // what got done before it stays done.
        if (!(error instanceof PlatformError)) throw error;
        results.push(...(await afterFailure(db, vitrineId, chunk, error.message)).map((r) => ({ ...base(r.row), ...r.outcome })));
        continue;
      }
      const orderCodes = await orderCodesOf(db, vitrineId, [...imported, ...existing]);
      for (const row of chunk) {
        const id = row.external_order_id;
        if (imported.has(id)) {
          results.push({ ...base(row), outcome: 'imported', orderCode: orderCodes.get(id) });
        } else if (existing.has(id)) {
          // Blocked on a status update: its platform state is applied now, so it leaves the list.
          await deleteBlockedOrder(db, row.id);
          results.push({ ...base(row), outcome: 'existing', orderCode: orderCodes.get(id) });
        } else {
          results.push({ ...base(row), ...(await stillBlocked(db, row)) });
        }
      }
    }
  }
  return results;
}

type Outcome = Pick<RetriedOrder, 'outcome' | 'orderCode' | 'reason' | 'attempts'>;

async function stillBlocked(db: Knex, row: Blocked): Promise<Outcome> {
  const now = await db('blocked_orders').where({ id: row.id }).first('reason', 'attempts');
  return { outcome: 'blocked', reason: now?.reason ?? row.reason, attempts: now?.attempts ?? row.attempts };
}

/** After a temporary error, what became of each order of the chunk, read from the ERP. */
async function afterFailure(
  db: Knex,
  vitrineId: number,
  chunk: Blocked[],
  message: string,
): Promise<Array<{ row: Blocked; outcome: Outcome }>> {
  const inErp = await orderCodesOf(
    db,
    vitrineId,
    chunk.map((row) => row.external_order_id),
  );
  const stillThere = new Map<number, { reason: string; attempts: number }>(
    (
      await db('blocked_orders')
        .whereIn(
          'id',
          chunk.map((row) => row.id),
        )
        .select('id', 'reason', 'attempts')
    ).map((r: { id: number; reason: string; attempts: number }) => [r.id, r]),
  );
  return chunk.map((row) => {
    const now = stillThere.get(row.id);
    // The import deletes the blocked row of an order it imports.
    if (!now && inErp.has(row.external_order_id))
      return { row, outcome: { outcome: 'imported', orderCode: inErp.get(row.external_order_id) } };
    if (now && now.attempts > row.attempts) return { row, outcome: { outcome: 'blocked', reason: now.reason, attempts: now.attempts } };
    return { row, outcome: { outcome: 'failed', reason: message, attempts: row.attempts } };
  });
}

async function orderCodesOf(db: Knex, vitrineId: number, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows: Array<{ external_order_id: string; order_code: string }> = await db('sales_orders')
    .where({ vitrine_id: vitrineId })
    .whereIn('external_order_id', externalIds)
    .select('external_order_id', 'order_code');
  return new Map(rows.map((row) => [row.external_order_id, row.order_code]));
}
