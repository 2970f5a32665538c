import type { Knex } from 'knex';
import type { SalesOrderInvoiceItemRow, SalesOrderInvoiceRow, SalesOrderTrackingEventRow, SalesOrderTrackingRow } from '../tables';
import { updateSalesOrderStatus } from './salesOrders';

/**
 * Rows of Atualização de Status: invoices (NF-e) with their items, tracking and tracking events.
 * The rules (what may be invoiced, in which order) are src/admin/statusUpdates.ts'; the outbox
 * rows these writes queue are the triggers' (migration 20261202000000_status_updates).
 */

export interface OrderForStatusUpdate {
  id: number;
  vitrineId: number;
  vitrineCode: string;
  orderCode: string;
  externalOrderId: string;
  status: string;
  platformState: string;
  totalCents: number;
  cancellationRequestedAt: Date | null;
  cancellationRequestReason: string | null;
}

/** The order, locked until the transaction ends: two admins invoicing it at once take turns. */
export async function lockOrderByCode(trx: Knex.Transaction, orderCode: string): Promise<OrderForStatusUpdate | undefined> {
  return trx('sales_orders as o').join('vitrines as v', 'v.id', 'o.vitrine_id').where('o.order_code', orderCode).forUpdate('o').first({
    id: 'o.id',
    vitrineId: 'o.vitrine_id',
    vitrineCode: 'v.code',
    orderCode: 'o.order_code',
    externalOrderId: 'o.external_order_id',
    status: 'o.status',
    platformState: 'o.platform_state',
    totalCents: 'o.total_cents',
    cancellationRequestedAt: 'o.cancellation_requested_at',
    cancellationRequestReason: 'o.cancellation_request_reason',
  });
}

/** The order's items by sku: quantity ordered and unit price (the first line's, when a sku has several). */
export async function orderedItems(db: Knex, salesOrderId: number): Promise<Map<string, { quantity: number; unitPriceCents: number }>> {
  const rows: Array<{ sku: string; quantity: number; unit_price_cents: number }> = await db('sales_order_items')
    .where({ sales_order_id: salesOrderId })
    .orderBy('line_number')
    .select('sku', 'quantity', 'unit_price_cents');
  const items = new Map<string, { quantity: number; unitPriceCents: number }>();
  for (const row of rows) {
    const item = items.get(row.sku);
    if (item) item.quantity += row.quantity;
    else items.set(row.sku, { quantity: row.quantity, unitPriceCents: Number(row.unit_price_cents) });
  }
  return items;
}

export interface InvoiceRecord {
  id: number;
  kind: 'sale' | 'return';
  number: string;
  series: string | null;
  accessKey: string;
  issuedAt: Date;
  valueCents: number;
  refersToInvoiceId: number | null;
  url: string | null;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  tracking: TrackingRecord | null;
}

export interface TrackingRecord {
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  dispatchedAt: Date | null;
  deliveredAt: Date | null;
  events: Array<{ occurredAt: Date; city: string; state: string; description: string }>;
}

/** Every invoice of the order, oldest first, with items, tracking and events. */
export async function invoicesOf(db: Knex, salesOrderId: number): Promise<InvoiceRecord[]> {
  return invoiceRecords(db, { sales_order_id: salesOrderId });
}

/**
 * What a platform notification of an invoice sends, read when it is sent (a retry sends what the
 * ERP holds then), with the XML; undefined when the invoice is gone.
 */
export async function invoiceForNotification(
  db: Knex,
  invoiceId: number,
): Promise<{ invoice: InvoiceRecord; xml: string | null } | undefined> {
  const [invoice] = await invoiceRecords(db, { id: invoiceId });
  return invoice && { invoice, xml: await invoiceXml(db, invoiceId) };
}

/** Invoices with items, tracking and events; the XML is left out (it can be large). */
async function invoiceRecords(db: Knex, where: { sales_order_id: number } | { id: number }): Promise<InvoiceRecord[]> {
  const invoices: Array<Omit<SalesOrderInvoiceRow, 'xml' | 'created_at'>> = await db('sales_order_invoices')
    .where(where)
    .orderBy('id')
    .select('id', 'kind', 'number', 'series', 'access_key', 'issued_at', 'value_cents', 'refers_to_invoice_id', 'url');
  if (invoices.length === 0) return [];
  const ids = invoices.map((i) => i.id as number);
  // One after the other: `db` may be a transaction, one connection.
  const items: Array<Omit<SalesOrderInvoiceItemRow, 'id'>> = await db('sales_order_invoice_items')
    .whereIn('invoice_id', ids)
    .orderBy('id')
    .select('invoice_id', 'sku', 'quantity', 'unit_price_cents');
  const tracking: SalesOrderTrackingRow[] = await db('sales_order_tracking').whereIn('invoice_id', ids).select('*');
  const events: Array<Omit<SalesOrderTrackingEventRow, 'id'>> = await db('sales_order_tracking_events')
    .whereIn('invoice_id', ids)
    .orderBy(['occurred_at', 'id'])
    .select('invoice_id', 'occurred_at', 'city', 'state', 'description');
  return invoices.map((i) => {
    const t = tracking.find((row) => row.invoice_id === i.id);
    return {
      id: i.id,
      kind: i.kind,
      number: i.number,
      series: i.series,
      accessKey: i.access_key,
      issuedAt: i.issued_at,
      valueCents: Number(i.value_cents),
      refersToInvoiceId: i.refers_to_invoice_id,
      url: i.url,
      items: items
        .filter((row) => row.invoice_id === i.id)
        .map((row) => ({ sku: row.sku, quantity: row.quantity, unitPriceCents: Number(row.unit_price_cents) })),
      tracking: t
        ? {
            carrier: t.carrier,
            trackingNumber: t.tracking_number,
            trackingUrl: t.tracking_url,
            dispatchedAt: t.dispatched_at,
            deliveredAt: t.delivered_at,
            events: events
              .filter((row) => row.invoice_id === i.id)
              .map((row) => ({ occurredAt: row.occurred_at, city: row.city, state: row.state, description: row.description })),
          }
        : null,
    };
  });
}

/** The order code and invoice number that already carry an NF-e access key, if any. */
export async function invoiceWithKey(db: Knex, accessKey: string): Promise<{ orderCode: string; number: string } | undefined> {
  return db('sales_order_invoices as i')
    .join('sales_orders as o', 'o.id', 'i.sales_order_id')
    .where('i.access_key', accessKey)
    .first({ orderCode: 'o.order_code', number: 'i.number' });
}

/** The XML of one invoice (kept apart: it can be large, and only the platform call needs it). */
async function invoiceXml(db: Knex, invoiceId: number): Promise<string | null> {
  const row = await db('sales_order_invoices').where({ id: invoiceId }).first('xml');
  return row?.xml ?? null;
}

export async function insertInvoice(
  trx: Knex.Transaction,
  salesOrderId: number,
  invoice: {
    kind: 'sale' | 'return';
    number: string;
    series: string | null;
    accessKey: string;
    issuedAt: Date;
    valueCents: number;
    refersToInvoiceId: number | null;
    xml: string | null;
    url: string | null;
    items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  },
): Promise<number> {
  const [{ id }] = await trx('sales_order_invoices')
    .insert({
      sales_order_id: salesOrderId,
      kind: invoice.kind,
      number: invoice.number,
      series: invoice.series,
      access_key: invoice.accessKey,
      issued_at: invoice.issuedAt,
      value_cents: invoice.valueCents,
      refers_to_invoice_id: invoice.refersToInvoiceId,
      xml: invoice.xml,
      url: invoice.url,
    })
    .returning('id');
  // An invoice has one row per sku, a few hundred at most in a large B2B order: 4 parameters each.
  for (let i = 0; i < invoice.items.length; i += 1000) {
    await trx('sales_order_invoice_items').insert(
      invoice.items.slice(i, i + 1000).map((item) => ({
        invoice_id: id,
        sku: item.sku,
        quantity: item.quantity,
        unit_price_cents: item.unitPriceCents,
      })),
    );
  }
  return id as number;
}

/** The name of the order's carrier, or null when it has none. */
export async function carrierNameOf(db: Knex, salesOrderId: number): Promise<string | null> {
  const row = await db('sales_orders as o').leftJoin('carriers as c', 'c.id', 'o.carrier_id').where('o.id', salesOrderId).first('c.name');
  return row?.name ?? null;
}

/** Creates or changes the tracking of an invoice; only the fields given are written. */
export async function saveTracking(
  trx: Knex.Transaction,
  invoiceId: number,
  fields: { carrier?: string | null; trackingNumber?: string; trackingUrl?: string | null; dispatchedAt?: Date; deliveredAt?: Date },
): Promise<void> {
  const row: Record<string, unknown> = {};
  if (fields.carrier !== undefined) row.carrier = fields.carrier;
  if (fields.trackingNumber !== undefined) row.tracking_number = fields.trackingNumber;
  if (fields.trackingUrl !== undefined) row.tracking_url = fields.trackingUrl;
  if (fields.dispatchedAt !== undefined) row.dispatched_at = fields.dispatchedAt;
  if (fields.deliveredAt !== undefined) row.delivered_at = fields.deliveredAt;
  await trx('sales_order_tracking')
    .insert({ invoice_id: invoiceId, ...row })
    .onConflict('invoice_id')
    .merge({ ...row, updated_at: trx.fn.now() });
}

/** Adds a tracking event; the same event told twice is kept once. Returns whether it was new. */
export async function insertTrackingEvent(
  trx: Knex.Transaction,
  invoiceId: number,
  event: { occurredAt: Date; city: string; state: string; description: string },
): Promise<boolean> {
  const rows = await trx('sales_order_tracking_events')
    .insert({ invoice_id: invoiceId, occurred_at: event.occurredAt, city: event.city, state: event.state, description: event.description })
    .onConflict(['invoice_id', 'occurred_at', 'description'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

/** Moves the order to an ERP status set in the ERP, with its history row (the platform state stays as last seen). */
export async function setErpStatus(
  trx: Knex.Transaction,
  order: { id: number; platformState: string },
  status: string,
  extra: { cancelReason?: string; clearCancellationRequest?: boolean } = {},
): Promise<void> {
  const more = {
    ...(extra.cancelReason !== undefined ? { cancel_reason: extra.cancelReason } : {}),
    ...(extra.clearCancellationRequest ? { cancellation_requested_at: null } : {}),
  };
  if (Object.keys(more).length > 0) await trx('sales_orders').where({ id: order.id }).update(more);
  await updateSalesOrderStatus(trx, order.id, { status, platformState: order.platformState, source: 'erp' });
}

/** The notifications this transaction queued for the order (the outbox triggers' rows of now). */
export async function notificationsQueuedNow(trx: Knex.Transaction, salesOrderId: number): Promise<string[]> {
  const rows: Array<{ action: string }> = await trx('platform_notifications')
    .where({ sales_order_id: salesOrderId })
    .whereRaw('created_at = now()')
    .orderBy('id')
    .select('action');
  return rows.map((row) => row.action);
}
