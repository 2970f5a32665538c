/**
 * What the suite verifies at the end, each as a named check with its figures: the ERP against the
 * simulator's documents, the queue, blocked orders, and secrets and customer data.
 */
import type { Knex } from 'knex';
import type { Account } from '../../src/simulator/store';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

interface ErpOrderRow {
  external_order_id: string;
  order_code: string;
  status: string;
  items: number;
  payments: number;
  import_history: number;
  statuses: string[];
}

/** Every order of a vitrine in the ERP, with its item, payment and status-history counts. */
export async function erpOrders(db: Knex, vitrineId: number): Promise<ErpOrderRow[]> {
  const { rows } = await db.raw(
    `select o.external_order_id, o.order_code, o.status,
            (select count(*) from sales_order_items i where i.sales_order_id = o.id)::int as items,
            (select count(*) from sales_order_payments p where p.sales_order_id = o.id)::int as payments,
            (select count(*) from sales_order_status_history h where h.sales_order_id = o.id and h.source = 'import')::int as import_history,
            (select coalesce(array_agg(h.status order by h.id), '{}') from sales_order_status_history h where h.sales_order_id = o.id) as statuses
       from sales_orders o where o.vitrine_id = ?`,
    [vitrineId],
  );
  return rows as ErpOrderRow[];
}

function sample(list: string[], n = 5): string {
  return list.length === 0 ? '' : ` (e.g. ${list.slice(0, n).join(', ')})`;
}

/** Items and payments of the simulator's document of an order (what the ERP must have). */
export function documentCounts(account: Account, orderId: string): { items: number; payments: number } | undefined {
  const doc = account.document(orderId) as any;
  if (!doc) return undefined;
  const payments = (doc.paymentData?.transactions ?? []).flatMap((t: any) => t.payments ?? []).length;
  return { items: Array.isArray(doc.items) ? doc.items.length : 0, payments };
}

/**
 * The ERP has exactly `expected` (no order missing, none extra, none twice), each with all its
 * items and payments and one import entry in its status history.
 */
export function ordersExactlyOnce(label: string, rows: ErpOrderRow[], expected: Set<string>, account: Account): Check[] {
  const seen = new Map<string, number>();
  for (const row of rows) seen.set(row.external_order_id, (seen.get(row.external_order_id) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const missing = [...expected].filter((id) => !seen.has(id));
  const extra = [...seen.keys()].filter((id) => !expected.has(id));
  const codes = new Set(rows.map((r) => r.order_code));
  let expectedItems = 0;
  let expectedPayments = 0;
  let items = 0;
  let payments = 0;
  const wrongItems: string[] = [];
  const wrongPayments: string[] = [];
  const wrongHistory: string[] = [];
  for (const row of rows) {
    const want = documentCounts(account, row.external_order_id);
    if (!want) continue;
    expectedItems += want.items;
    expectedPayments += want.payments;
    items += row.items;
    payments += row.payments;
    if (row.items !== want.items) wrongItems.push(row.external_order_id);
    if (row.payments !== want.payments) wrongPayments.push(row.external_order_id);
    if (row.import_history !== 1) wrongHistory.push(row.external_order_id);
  }
  return [
    check(
      `${label}: every expected order is in sales_orders exactly once`,
      rows.length === expected.size && twice.length === 0 && missing.length === 0 && extra.length === 0 && codes.size === rows.length,
      `expected ${expected.size}, rows ${rows.length}, distinct order codes ${codes.size}, missing ${missing.length}${sample(missing)}, ` +
        `extra ${extra.length}${sample(extra)}, duplicated ${twice.length}${sample(twice)}`,
    ),
    check(
      `${label}: items complete`,
      wrongItems.length === 0 && items === expectedItems,
      `sales_order_items ${items} of ${expectedItems} in the simulator's documents; orders with a wrong count ${wrongItems.length}${sample(wrongItems)}`,
    ),
    check(
      `${label}: payments complete`,
      wrongPayments.length === 0 && payments === expectedPayments,
      `sales_order_payments ${payments} of ${expectedPayments}; orders with a wrong count ${wrongPayments.length}${sample(wrongPayments)}`,
    ),
    check(
      `${label}: one import entry in each order's status history`,
      wrongHistory.length === 0,
      `orders with 0 or 2+ import entries: ${wrongHistory.length}${sample(wrongHistory)}`,
    ),
  ];
}

/** The queue is empty and every event was committed once (the simulator counts each event once). */
export function queueDrained(label: string, stats: Record<string, number>): Check[] {
  return [
    check(
      `${label}: queue empty`,
      stats.feedPending === 0 && stats.feedInFlight === 0,
      `feedPending ${stats.feedPending}, feedInFlight ${stats.feedInFlight}`,
    ),
    check(
      `${label}: feed commits match the events`,
      stats.committed === stats.eventsEmitted,
      `committed ${stats.committed}, events emitted ${stats.eventsEmitted}`,
    ),
  ];
}

/** Where each secret was found, if anywhere. */
export function secretsAbsent(name: string, places: Record<string, string>, secrets: string[]): Check {
  const found: string[] = [];
  for (const [place, text] of Object.entries(places)) {
    for (const secret of secrets) if (text.includes(secret)) found.push(`${place}`);
  }
  const size = Object.values(places).reduce((sum, text) => sum + text.length, 0);
  return check(
    name,
    found.length === 0,
    found.length
      ? `found in: ${[...new Set(found)].join(', ')}`
      : `${secrets.length} values searched in ${Object.keys(places).length} sources (${size} characters)`,
  );
}
