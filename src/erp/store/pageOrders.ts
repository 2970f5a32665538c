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
  /** The mapped order as JSON text (new orders): its length is what the page's slices are cut by. */
  erpOrderJson?: string;
  approvedAt?: string | null;
  cancelReason?: string | null;
  /** Set when the fetch already settled the order (blocked, or unchanged without a fetch). */
  outcome?: PageOutcome;
}

/** The orders the order fetch already kept with the page (a retried fetch goes on after them). */
export async function keptPageOrderIds(db: Db, pageId: number): Promise<Set<string>> {
  return new Set(await db('queue_page_orders').where({ queue_page_id: pageId }).pluck('external_order_id'));
}

/** Keeps the page's orders; an order the page already has (a retried fetch) is left as it is. */
export async function addPageOrders(db: Db, pageId: number, entries: PageOrderEntry[]): Promise<void> {
  const rows = entries.map((entry) => ({
    queue_page_id: pageId,
    external_order_id: entry.externalOrderId,
    kind: entry.kind,
    platform_state: entry.platformState,
    erp_order: entry.erpOrderJson ?? null,
    erp_order_bytes: entry.erpOrderJson === undefined ? null : Buffer.byteLength(entry.erpOrderJson),
    approved_at: entry.approvedAt ?? null,
    cancel_reason: entry.cancelReason ?? null,
    outcome: entry.outcome ?? null,
    step: entry.outcome ? 'fetch' : null,
  }));
  for (const chunk of chunksOf(rows))
    await db('queue_page_orders').insert(chunk).onConflict(['queue_page_id', 'external_order_id']).ignore();
}

/** Bytes of mapped orders a page step holds at once: a page of 1,000-line orders goes a few at a time. */
export const SLICE_BYTES = 4 * 1024 * 1024;

/**
 * The page's orders of one kind that no step has settled yet, in slices of at most `maxBytes` of
 * mapped orders (an order larger than that is a slice of its own), each read when its turn comes.
 */
export async function* pendingPageOrderSlices(
  db: Db,
  pageId: number,
  kind: 'new' | 'existing',
  maxBytes: number = SLICE_BYTES,
): AsyncGenerator<QueuePageOrderRow[]> {
  const sizes: Array<{ external_order_id: string; bytes: number | null }> = await db('queue_page_orders')
    .where({ queue_page_id: pageId, kind })
    .whereNull('outcome')
    .orderBy('external_order_id')
    // Rows of an earlier version have no size: measured here.
    .select('external_order_id', db.raw('coalesce(erp_order_bytes, octet_length(erp_order::text), 0) as bytes'));
  let slice: string[] = [];
  let bytes = 0;
  const load = async (ids: string[]) =>
    db<QueuePageOrderRow>('queue_page_orders')
      .where({ queue_page_id: pageId, kind })
      .whereIn('external_order_id', ids)
      .whereNull('outcome')
      .orderBy('external_order_id');
  for (const row of sizes) {
    const size = Number(row.bytes ?? 0);
    if (slice.length > 0 && bytes + size > maxBytes) {
      yield await load(slice);
      slice = [];
      bytes = 0;
    }
    slice.push(row.external_order_id);
    bytes += size;
  }
  if (slice.length > 0) yield await load(slice);
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
      erp_order_bytes: null,
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

/**
 * The orders an order fetch attempt of a vitrine is reading, kept before it reads them and cleared
 * when the attempt ends by itself (table order_fetches_in_flight). They are kept for the vitrine,
 * not the page: a small page's steps run in the workflow task, and a worker that dies there takes
 * the unrecorded page with it, so its orders come back on another page.
 */
export async function markFetchInFlight(db: Db, vitrineId: number, orderIds: string[] | null): Promise<void> {
  await db('order_fetches_in_flight')
    .insert({ vitrine_id: vitrineId, order_ids: orderIds, updated_at: db.fn.now() })
    .onConflict('vitrine_id')
    .merge(['order_ids', 'updated_at']);
}

/** An attempt that ended by itself: what its vitrine's next attempt finds is no death. */
export async function endFetchInFlight(db: Db, vitrineId: number): Promise<void> {
  await db('order_fetches_in_flight').where({ vitrine_id: vitrineId }).delete();
}

/**
 * What an order fetch attempt finds of the one before it: the orders its worker died reading
 * (none when it ended by itself), and how many attempts in a row ended so.
 */
export async function takeFetchDeath(db: Db, vitrineId: number): Promise<{ inFlight: string[]; deaths: number }> {
  // RETURNING gives the new row: the orders left in flight are read from the row as it was.
  const { rows } = await db.raw(
    `update order_fetches_in_flight f
        set order_ids = null, worker_deaths = f.worker_deaths + 1, updated_at = now()
       from (select vitrine_id, order_ids from order_fetches_in_flight where vitrine_id = ? for update) old
      where f.vitrine_id = old.vitrine_id and old.order_ids is not null
  returning old.order_ids as in_flight, f.worker_deaths as deaths`,
    [vitrineId],
  );
  const row = rows[0] as { in_flight: string[]; deaths: number } | undefined;
  return { inFlight: row?.in_flight ?? [], deaths: Number(row?.deaths ?? 0) };
}
