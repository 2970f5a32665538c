import type { Knex } from 'knex';
import type { ErpCustomer, ErpOrder } from '../../mapping/erpOrder';
import { chunksOf } from './chunks';

/**
 * Sales orders and what they reference, as rows: the importer (src/importing) decides what to
 * write; these functions only read and write it. Every multi-row statement goes in chunks under
 * Postgres's bind parameter limit.
 */

type Db = Knex | Knex.Transaction;

/** The ERP status of each of the given orders of a vitrine that the ERP has. */
export async function existingOrderStatuses(db: Db, vitrineId: number, externalIds: string[]): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  if (externalIds.length === 0) return statuses;
  // One parameter for the whole list: a page of any size is one statement.
  const rows: Array<{ external_order_id: string; status: string }> = await db('sales_orders')
    .where({ vitrine_id: vitrineId })
    .whereRaw('external_order_id = any(?::text[])', [externalIds])
    .select('external_order_id', 'status');
  for (const row of rows) statuses.set(row.external_order_id, row.status);
  return statuses;
}

/** The order codes of the list that some order already has. */
export async function orderCodesInUse(db: Db, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows: Array<{ order_code: string }> = await db('sales_orders')
    .whereRaw('order_code = any(?::text[])', [codes])
    .select('order_code');
  return new Set(rows.map((row) => row.order_code));
}

/**
 * Serialises the transactions that import one order (two workers, a retried activity, a blocked
 * order retried from the CLI): the second sees the first one's rows instead of racing it.
 */
export async function lockOrder(trx: Knex.Transaction, vitrineId: number, externalOrderId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [String(vitrineId), externalOrderId]);
}

/** A new sales order with everything the importer decided for it. */
export interface NewSalesOrder {
  order: ErpOrder;
  orderCode: string;
  origin: string;
  currency: string;
  paymentDifferenceCents: number | null;
  status: string;
  paymentCondition: string;
  /** Set when the status says the payment is approved: the platform's time, else now. */
  approved: boolean;
  payments: Array<{ payment: ErpOrder['payments'][number]; paymentTypeId: number; condition: string }>;
  /** Customer columns, the platform's data with the default fields over it; customer_key identifies the row. */
  customer: Record<string, unknown>;
  /** What the import noticed and let through, kept on the order. */
  warnings: string[];
  orderDefaults: Record<string, unknown>;
}

/**
 * The key of a customer row: its document, else its e-mail, else the order (a customer with
 * neither is the order's own: nothing says two such orders have one buyer).
 */
export function customerKeyOf(c: ErpCustomer, order: { vitrineId: number; externalOrderId: string }): string {
  if (c.document !== null && c.documentType !== null) return `${c.documentType}:${c.document}`;
  if (c.email) return `email:${c.email.toLowerCase()}`;
  return `order:${order.vitrineId}:${order.externalOrderId}`;
}

/** The customer columns of a platform customer. */
export function customerColumns(c: ErpCustomer, order: { vitrineId: number; externalOrderId: string }): Record<string, unknown> {
  return {
    customer_key: customerKeyOf(c, order),
    document: c.document,
    document_type: c.documentType,
    name: c.name,
    email: c.email,
    phone: c.phone,
    is_corporate: c.isCorporate,
    state_registration: c.stateRegistration,
    street: c.street,
    number: c.number,
    complement: c.complement,
    neighborhood: c.neighborhood,
    city: c.city,
    state: c.state,
    postal_code: c.postalCode,
    country: c.country,
  };
}

/**
 * Writes new orders with everything they reference, in the caller's transaction, a few multi-row
 * statements for the lot. Returns the id of each order written; an order another transaction
 * wrote first (the unique (vitrine, external order id) key says so) is left out. Customers,
 * carriers and products are upserted in key order, so that concurrent imports lock shared rows in
 * the same order and cannot deadlock. `keptCustomerColumns` are written for a new customer only.
 */
export async function insertSalesOrders(
  trx: Knex.Transaction,
  vitrineId: number,
  orders: NewSalesOrder[],
  keptCustomerColumns: ReadonlySet<string>,
): Promise<Map<string, number>> {
  const idOf = new Map<string, number>();
  if (orders.length === 0) return idOf;
  const customerIds = await upsertCustomers(trx, orders, keptCustomerColumns);
  const carrierIds = await upsertCarriers(trx, orders);
  const productIds = await upsertProducts(trx, orders);

  const orderRows = orders.map(
    ({
      order,
      status,
      orderCode,
      origin,
      currency,
      paymentDifferenceCents,
      paymentCondition,
      approved,
      customer,
      orderDefaults,
      warnings,
    }) => ({
      vitrine_id: vitrineId,
      external_order_id: order.externalOrderId,
      order_code: orderCode,
      origin,
      platform_origin: order.platformOrigin,
      affiliate_id: order.marketplace?.affiliateId ?? null,
      marketplace_name: order.marketplace?.name ?? null,
      marketplace_order_id: order.marketplace?.orderId ?? null,
      currency,
      payment_difference_cents: paymentDifferenceCents,
      import_warnings: warnings,
      customer_id: customerIds.get(customer.customer_key as string),
      carrier_id: order.carrier ? carrierIds.get(order.carrier.code) : null,
      payment_condition: paymentCondition,
      status,
      platform_state: order.platformState,
      items_total_cents: order.itemsTotalCents,
      shipping_total_cents: order.shippingTotalCents,
      discount_total_cents: order.discountTotalCents,
      total_cents: order.totalCents,
      placed_at: order.placedAt,
      approved_at: approved ? (order.approvedAt ?? trx.fn.now()) : null,
      ...orderDefaults,
    }),
  );
  for (const chunk of chunksOf(orderRows, maxColumns(orderRows))) {
    const inserted: Array<{ id: number; external_order_id: string }> = await trx('sales_orders')
      .insert(chunk)
      .onConflict(['vitrine_id', 'external_order_id'])
      .ignore()
      .returning(['id', 'external_order_id']);
    for (const row of inserted) idOf.set(row.external_order_id, row.id);
  }
  const written = orders.filter((o) => idOf.has(o.order.externalOrderId));
  if (written.length === 0) return idOf;

  const items = written.flatMap(({ order }) =>
    order.items.map((item) => ({
      sales_order_id: idOf.get(order.externalOrderId),
      line_number: item.lineNumber,
      product_id: productIds.get(item.sku),
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      unit_price_cents: item.unitPriceCents,
      list_price_cents: item.listPriceCents,
      total_cents: item.totalCents,
    })),
  );
  for (const chunk of chunksOf(items)) await trx('sales_order_items').insert(chunk);
  const payments = written.flatMap(({ order, payments }) =>
    payments.map(({ payment, paymentTypeId, condition }) => ({
      sales_order_id: idOf.get(order.externalOrderId),
      line_number: payment.lineNumber,
      payment_type_id: paymentTypeId,
      payment_condition: condition,
      platform_payment_id: payment.platformPaymentId,
      payment_system: payment.paymentSystem,
      payment_system_name: payment.paymentSystemName,
      payment_group: payment.paymentGroup,
      installments: payment.installments,
      value_cents: payment.valueCents,
    })),
  );
  for (const chunk of chunksOf(payments)) await trx('sales_order_payments').insert(chunk);
  const history = written.map(({ order, status }) => ({
    sales_order_id: idOf.get(order.externalOrderId),
    status,
    platform_state: order.platformState,
    source: 'import',
  }));
  for (const chunk of chunksOf(history)) await trx('sales_order_status_history').insert(chunk);
  return idOf;
}

/** Rows of one statement may set different default columns: the widest row sizes the chunks. */
function maxColumns(rows: object[]): number {
  return Math.max(1, ...rows.map((row) => Object.keys(row).length));
}

/**
 * Upserts the orders' customers, one row per customer key (the last order's values win). Rows are
 * grouped by the columns they set: a default rule that yields nothing for one order must leave
 * that column of an existing customer as it is, not reset it.
 */
async function upsertCustomers(trx: Knex.Transaction, orders: NewSalesOrder[], kept: ReadonlySet<string>): Promise<Map<string, number>> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const { customer } of orders) byKey.set(customer.customer_key as string, customer);
  const groups = new Map<string, Array<Record<string, unknown>>>();
  for (const key of [...byKey.keys()].sort()) {
    const row = byKey.get(key)!;
    const signature = Object.keys(row).sort().join(',');
    groups.set(signature, [...(groups.get(signature) ?? []), row]);
  }
  const ids = new Map<string, number>();
  for (const rows of groups.values()) {
    const updated = Object.keys(rows[0]).filter((column) => column !== 'customer_key' && !kept.has(column));
    for (const chunk of chunksOf(rows)) {
      const returned: Array<{ id: number; customer_key: string }> = await trx('customers')
        .insert(chunk)
        .onConflict('customer_key')
        .merge([...updated, 'updated_at'])
        .returning(['id', 'customer_key']);
      for (const row of returned) ids.set(row.customer_key, row.id);
    }
  }
  return ids;
}

async function upsertCarriers(trx: Knex.Transaction, orders: NewSalesOrder[]): Promise<Map<string, number>> {
  const byCode = new Map<string, { code: string; name: string }>();
  for (const { order } of orders) if (order.carrier) byCode.set(order.carrier.code, { code: order.carrier.code, name: order.carrier.name });
  const ids = new Map<string, number>();
  const rows = [...byCode.keys()].sort().map((code) => byCode.get(code)!);
  for (const chunk of chunksOf(rows)) {
    const returned: Array<{ id: number; code: string }> = await trx('carriers')
      .insert(chunk)
      .onConflict('code')
      .merge(['name'])
      .returning(['id', 'code']);
    for (const row of returned) ids.set(row.code, row.id);
  }
  return ids;
}

async function upsertProducts(trx: Knex.Transaction, orders: NewSalesOrder[]): Promise<Map<string, number>> {
  // One row per SKU: Postgres refuses to update the same row twice in one statement.
  const bySku = new Map<string, { sku: string; name: string; ean: string | null; ref_id: string | null }>();
  for (const { order } of orders) {
    for (const item of order.items) bySku.set(item.sku, { sku: item.sku, name: item.name, ean: item.ean, ref_id: item.refId });
  }
  const ids = new Map<string, number>();
  const rows = [...bySku.keys()].sort().map((sku) => bySku.get(sku)!);
  for (const chunk of chunksOf(rows)) {
    const returned: Array<{ id: number; sku: string }> = await trx('products')
      .insert(chunk)
      .onConflict('sku')
      .merge(['name', 'ean', 'ref_id'])
      .returning(['id', 'sku']);
    for (const row of returned) ids.set(row.sku, row.id);
  }
  return ids;
}

/** An order of the vitrine, locked for the rest of the transaction. */
export async function lockSalesOrder(
  trx: Knex.Transaction,
  vitrineId: number,
  externalOrderId: string,
): Promise<{ id: number; status: string; approved_at: Date | null; cancellation_requested_at: Date | null } | undefined> {
  return trx('sales_orders')
    .where({ vitrine_id: vitrineId, external_order_id: externalOrderId })
    .forUpdate()
    .first('id', 'status', 'approved_at', 'cancellation_requested_at');
}

/** The platform asks to cancel the order (VTEX request-cancel): kept until an admin decides. */
export async function markCancellationRequested(trx: Knex.Transaction, salesOrderId: number, reason: string | null): Promise<void> {
  await trx('sales_orders')
    .where({ id: salesOrderId })
    .update({ cancellation_requested_at: trx.fn.now(), cancellation_request_reason: reason });
}

/** Moves an order to a status and writes it into the status history. */
export async function updateSalesOrderStatus(
  trx: Knex.Transaction,
  salesOrderId: number,
  /** approvedAt: left as it is when undefined, now when null, else that time. */
  change: { status: string; platformState: string; approvedAt?: string | null; source: 'platform-update' | 'erp' },
): Promise<void> {
  // The outbox trigger tells the platform of statuses the ERP sets, not of those it brought from there.
  if (change.source === 'platform-update') await trx.raw("select set_config('erp.change_source', 'platform', true)");
  await trx('sales_orders')
    .where({ id: salesOrderId })
    .update({
      status: change.status,
      platform_state: change.platformState,
      ...(change.approvedAt !== undefined ? { approved_at: change.approvedAt ?? trx.fn.now() } : {}),
      updated_at: trx.fn.now(),
    });
  await trx('sales_order_status_history').insert({
    sales_order_id: salesOrderId,
    status: change.status,
    platform_state: change.platformState,
    source: change.source,
  });
}
