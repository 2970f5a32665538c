import type { Knex } from 'knex';
import type { PageOutcome, PageStep, QueuePageOrderRow } from '../tables';
import { chunksOf } from './chunks';

/**
 * The orders of a queue page between its import steps (table queue_page_orders): what the order
 * fetch kept, the default fields evaluated for it, and what became of it.
 */

type Db = Knex | Knex.Transaction;

/** An order of a page as the order fetch keeps it. */
export interface PageOrderEntry {
  externalOrderId: string;
  kind: 'new' | 'existing';
  platformState: string;
  erpOrder?: unknown;
  approvedAt?: string | null;
  cancelReason?: string | null;
  /** Set when the fetch already settled the order (blocked, or unchanged without a fetch). */
  outcome?: PageOutcome;
}

/** Whether the order fetch already kept the page's orders (a retried fetch finds them there). */
export async function hasPageOrders(db: Db, pageId: number): Promise<boolean> {
  return (await db('queue_page_orders').where({ queue_page_id: pageId }).first('external_order_id')) !== undefined;
}

/** Keeps the page's orders; an order the page already has (a retried fetch) is left as it is. */
export async function addPageOrders(db: Db, pageId: number, entries: PageOrderEntry[]): Promise<void> {
  const rows = entries.map((entry) => ({
    queue_page_id: pageId,
    external_order_id: entry.externalOrderId,
    kind: entry.kind,
    platform_state: entry.platformState,
    erp_order: entry.erpOrder === undefined ? null : JSON.stringify(entry.erpOrder),
    approved_at: entry.approvedAt ?? null,
    cancel_reason: entry.cancelReason ?? null,
    outcome: entry.outcome ?? null,
    step: entry.outcome ? 'fetch' : null,
  }));
  for (const chunk of chunksOf(rows))
    await db('queue_page_orders').insert(chunk).onConflict(['queue_page_id', 'external_order_id']).ignore();
}

/** The page's orders of one kind that no step has settled yet. */
export async function pendingPageOrders(db: Db, pageId: number, kind: 'new' | 'existing'): Promise<QueuePageOrderRow[]> {
  return db<QueuePageOrderRow>('queue_page_orders')
    .where({ queue_page_id: pageId, kind })
    .whereNull('outcome')
    .orderBy('external_order_id');
}

/** The default fields of some of the page's orders, evaluated. */
export async function saveDefaults(
  db: Db,
  pageId: number,
  values: Array<{ externalOrderId: string; customer: Record<string, unknown>; order: Record<string, unknown> }>,
): Promise<void> {
  if (values.length === 0) return;
  await db.raw(
    `update queue_page_orders p
        set customer_defaults = v.customer, order_defaults = v.ord, defaults_at = now()
       from unnest(?::text[], ?::jsonb[], ?::jsonb[]) as v(id, customer, ord)
      where p.queue_page_id = ? and p.external_order_id = v.id`,
    [
      values.map((v) => v.externalOrderId),
      values.map((v) => JSON.stringify(v.customer)),
      values.map((v) => JSON.stringify(v.order)),
      pageId,
    ],
  );
}

/** Records what `step` did with some of the page's orders. */
export async function settlePageOrders(
  db: Db,
  pageId: number,
  step: PageStep,
  outcomes: Array<{ externalOrderId: string; outcome: PageOutcome }>,
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.raw(
    `update queue_page_orders p
        set outcome = v.outcome, step = ?
       from unnest(?::text[], ?::text[]) as v(id, outcome)
      where p.queue_page_id = ? and p.external_order_id = v.id`,
    [step, outcomes.map((o) => o.externalOrderId), outcomes.map((o) => o.outcome), pageId],
  );
}

/** Orders that another import got into the ERP first: Processar Pedido Aprovado takes them now. */
export async function markExisting(db: Db, pageId: number, externalOrderIds: string[]): Promise<void> {
  if (externalOrderIds.length === 0) return;
  await db('queue_page_orders')
    .where({ queue_page_id: pageId })
    .whereIn('external_order_id', externalOrderIds)
    // The document's approval time goes with it: the status step sets approved_at from it.
    .update({
      kind: 'existing',
      approved_at: db.raw("erp_order->>'approvedAt'"),
      cancel_reason: db.raw("erp_order->>'cancelReason'"),
      erp_order: null,
    });
}

export interface PageOrderCounts {
  /** Orders the step settled, by outcome. */
  settled: Record<PageOutcome, number>;
  /** Orders no step has settled yet, by kind. */
  pending: { new: number; existing: number };
}

/** What one step did with the page's orders, and what is left for the steps after it. */
export async function pageOrderCounts(db: Db, pageId: number, step: PageStep): Promise<PageOrderCounts> {
  const rows: Array<{ kind: 'new' | 'existing'; outcome: PageOutcome | null; step: PageStep | null; count: string }> = await db(
    'queue_page_orders',
  )
    .where({ queue_page_id: pageId })
    .groupBy('kind', 'outcome', 'step')
    .select('kind', 'outcome', 'step')
    .count({ count: '*' });
  const counts: PageOrderCounts = { settled: { imported: 0, updated: 0, unchanged: 0, blocked: 0 }, pending: { new: 0, existing: 0 } };
  for (const row of rows) {
    if (row.outcome === null) counts.pending[row.kind] += Number(row.count);
    else if (row.step === step) counts.settled[row.outcome] += Number(row.count);
  }
  return counts;
}
