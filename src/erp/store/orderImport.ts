import type { Knex } from 'knex';
import type { ErpOrder } from '../../mapping/erpOrder';
import { evaluateDefaults, expressionContext, FieldDefaultError } from '../../importing/rules/fieldDefaults';
import { resolvePayment, type ResolvedPayment } from '../../importing/rules/payments';
import { erpStatusFor, isPaymentApproved, type ErpStatus } from '../../importing/rules/statuses';
import type { ImportSettings } from './importSettings';

/**
 * An order the ERP refuses for a reason an admin can fix (a missing DE-PARA row, a clashing order
 * code). The importer records it as a blocked order; it is never retried automatically.
 */
export class OrderRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderRejectedError';
  }
}

export type ImportOutcome = { outcome: 'imported'; salesOrderId: number } | { outcome: 'existing'; salesOrderId: number };

/** External ids of the given orders that the vitrine already has in the ERP. */
export async function findExistingOrderIds(db: Knex, vitrineId: number, externalIds: string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows: Array<{ external_order_id: string }> = await db('sales_orders')
    .where({ vitrine_id: vitrineId })
    .whereIn('external_order_id', externalIds)
    .select('external_order_id');
  return new Set(rows.map((row) => row.external_order_id));
}

/** The ERP status of each of the given orders of a vitrine that the ERP has. */
export async function currentStatuses(db: Knex, vitrineId: number, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows: Array<{ external_order_id: string; status: string }> = await db('sales_orders')
    .where({ vitrine_id: vitrineId })
    .whereIn('external_order_id', externalIds)
    .select('external_order_id', 'status');
  return new Map(rows.map((row) => [row.external_order_id, row.status]));
}

/** An order checked against the vitrine's settings: what its import writes besides the order itself. */
export interface PreparedOrder {
  order: ErpOrder;
  status: ErpStatus;
  orderCode: string;
  payments: Array<{ payment: ErpOrder['payments'][number]; resolved: ResolvedPayment }>;
  customerDefaults: Record<string, unknown>;
  orderDefaults: Record<string, unknown>;
}

/**
 * Checks an order against the vitrine's DE-PARA tables and evaluates its default fields. Throws
 * OrderRejectedError or FieldDefaultError for an order the vitrine's settings cannot take.
 */
export async function prepareOrder(db: Knex, settings: ImportSettings, order: ErpOrder): Promise<PreparedOrder> {
  const { vitrine } = settings;
  const status = erpStatusFor(settings.statusMappings, order.platformState);
  if (!status) throw new OrderRejectedError(`unmapped platform state ${order.platformState}`);
  const payments = order.payments.map((payment) => {
    const resolved = resolvePayment(payment, settings.paymentMappings);
    if (!resolved) throw new OrderRejectedError(`unmapped payment type ${payment.paymentSystemName}`);
    return { payment, resolved };
  });
  const orderCode = `${vitrine.order_code_prefix}-${order.platformOrderNumber}`;
  const context = expressionContext(order, { orderCode, status }, vitrine);
  const customerDefaults = await evaluateDefaults(db, 'customer', settings.customerRules, context, settings.customerColumns);
  const orderDefaults = await evaluateDefaults(db, 'order', settings.orderRules, context, settings.orderColumns);
  return { order, status, orderCode, payments, customerDefaults, orderDefaults };
}

/**
 * Importar Pedido for one order: customer, carrier, products, order, items, payments and the
 * first status in one transaction, with the vitrine's default fields applied. Idempotent on
 * (vitrine, external order id): an order that is already there is left as it is. Throws
 * OrderRejectedError (or FieldDefaultError) for an order the vitrine's settings cannot take;
 * nothing is written then. Blocked-order retries and the batch's fallback use it.
 */
export async function importOrder(db: Knex, settings: ImportSettings, order: ErpOrder): Promise<ImportOutcome> {
  const { vitrine } = settings;
  return db.transaction(async (trx) => {
    // Serialises concurrent imports of one order (two workers, a retried activity) so that the
    // second one sees the first one's rows instead of racing it.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [String(vitrine.id), order.externalOrderId]);
    const existing = await trx('sales_orders').where({ vitrine_id: vitrine.id, external_order_id: order.externalOrderId }).first('id');
    if (existing) return { outcome: 'existing', salesOrderId: existing.id };
    const prepared = await prepareOrder(trx, settings, order);

    const clash = await trx('sales_orders').where({ order_code: prepared.orderCode }).first('id');
    if (clash) throw new OrderRejectedError(`order code ${prepared.orderCode} is already used by another order`);
    const [salesOrderId] = await writeOrders(trx, settings, [prepared]);
    if (salesOrderId === undefined) throw new Error(`order ${order.externalOrderId} was imported concurrently`);
    return { outcome: 'imported', salesOrderId };
  });
}

/** What a batch import did with one order. */
export type BatchOutcome = { outcome: 'imported' | 'existing' } | { outcome: 'rejected'; error: Error };

/** Postgres data and integrity errors: one order's values (a default field, say) the schema refuses. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Importar Pedido for a page of one vitrine's orders, checked by prepareOrder: every new order of the page in one
 * transaction with multi-row inserts (customers, carriers and products upserted with ON CONFLICT,
 * orders inserted with ON CONFLICT DO NOTHING), so a page costs a dozen statements, not a dozen
 * per order. An order whose code another order holds comes back as rejected and nothing of it is written;
 * orders already in the ERP (a retried page, a second worker) come back as existing. When
 * Postgres refuses a value of one order, the page falls back to one transaction per order so that
 * only that order fails.
 */
export async function importOrderBatch(db: Knex, settings: ImportSettings, orders: PreparedOrder[]): Promise<Map<string, BatchOutcome>> {
  const outcomes = new Map<string, BatchOutcome>();
  const { vitrine } = settings;
  // One order per external id (the feed can name an order twice in a page).
  const unique = [...new Map(orders.map((p) => [p.order.externalOrderId, p])).values()];
  const already = await findExistingOrderIds(
    db,
    vitrine.id,
    unique.map((p) => p.order.externalOrderId),
  );
  const prepared: PreparedOrder[] = [];
  for (const p of unique) {
    if (already.has(p.order.externalOrderId)) outcomes.set(p.order.externalOrderId, { outcome: 'existing' });
    else prepared.push(p);
  }
  if (prepared.length === 0) return outcomes;

  try {
    await db.transaction(async (trx) => {
      // Order codes another order already holds, or that two orders of this page would share.
      const codes = prepared.map((p) => p.orderCode);
      const taken = new Set<string>(
        (await trx('sales_orders').whereIn('order_code', codes).select('order_code')).map((row: { order_code: string }) => row.order_code),
      );
      const writable: PreparedOrder[] = [];
      for (const p of prepared) {
        if (taken.has(p.orderCode)) {
          outcomes.set(p.order.externalOrderId, {
            outcome: 'rejected',
            error: new OrderRejectedError(`order code ${p.orderCode} is already used by another order`),
          });
        } else {
          taken.add(p.orderCode);
          writable.push(p);
        }
      }
      const ids = await writeOrders(trx, settings, writable);
      writable.forEach((p, i) => outcomes.set(p.order.externalOrderId, { outcome: ids[i] === undefined ? 'existing' : 'imported' }));
    });
  } catch (error) {
    if (!isDataError(error)) throw error;
    for (const p of prepared) {
      try {
        outcomes.set(p.order.externalOrderId, { outcome: (await importOrder(db, settings, p.order)).outcome });
      } catch (single) {
        if (!(single instanceof OrderRejectedError || single instanceof FieldDefaultError)) throw single;
        outcomes.set(p.order.externalOrderId, { outcome: 'rejected', error: single });
      }
    }
  }
  return outcomes;
}

/**
 * Writes prepared orders with everything they reference, in the caller's transaction, a few
 * multi-row statements for the lot. Returns each order's new id, or undefined for an order another
 * transaction imported first (the unique (vitrine, external order id) key says so). Rows are
 * upserted in key order so that concurrent batches lock shared customers and products in the same
 * order and cannot deadlock.
 */
async function writeOrders(trx: Knex.Transaction, settings: ImportSettings, prepared: PreparedOrder[]): Promise<Array<number | undefined>> {
  // Every order of the page refused for its code: an empty multi-row insert is not SQL.
  if (prepared.length === 0) return [];
  const { vitrine } = settings;
  const customerIds = await upsertCustomers(trx, prepared, vitrine.keep_customer_identity);
  const carrierIds = await upsertCarriers(trx, prepared);
  const productIds = await upsertProducts(trx, prepared);

  const inserted: Array<{ id: number; external_order_id: string }> = await trx('sales_orders')
    .insert(
      prepared.map(({ order, status, orderCode, payments, orderDefaults }) => ({
        vitrine_id: vitrine.id,
        external_order_id: order.externalOrderId,
        order_code: orderCode,
        origin: order.origin,
        customer_id: customerIds.get(order.customer.document),
        carrier_id: order.carrier ? carrierIds.get(order.carrier.code) : null,
        payment_condition: orderPaymentCondition(payments.map((p) => p.resolved)),
        status,
        platform_state: order.platformState,
        items_total_cents: order.itemsTotalCents,
        shipping_total_cents: order.shippingTotalCents,
        discount_total_cents: order.discountTotalCents,
        total_cents: order.totalCents,
        placed_at: order.placedAt,
        approved_at: isPaymentApproved(status) ? (order.approvedAt ?? trx.fn.now()) : null,
        ...orderDefaults,
      })),
    )
    .onConflict(['vitrine_id', 'external_order_id'])
    .ignore()
    .returning(['id', 'external_order_id']);
  const idOf = new Map(inserted.map((row) => [row.external_order_id, row.id]));
  const written = prepared.filter((p) => idOf.has(p.order.externalOrderId));
  if (written.length === 0) return prepared.map(() => undefined);

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
  if (items.length > 0) await trx('sales_order_items').insert(items);
  const payments = written.flatMap(({ order, payments }) =>
    payments.map(({ payment, resolved }) => ({
      sales_order_id: idOf.get(order.externalOrderId),
      line_number: payment.lineNumber,
      payment_type_id: resolved.paymentTypeId,
      payment_condition: resolved.condition,
      platform_payment_id: payment.platformPaymentId,
      payment_system: payment.paymentSystem,
      payment_system_name: payment.paymentSystemName,
      installments: payment.installments,
      value_cents: payment.valueCents,
    })),
  );
  if (payments.length > 0) await trx('sales_order_payments').insert(payments);
  await trx('sales_order_status_history').insert(
    written.map(({ order, status }) => ({
      sales_order_id: idOf.get(order.externalOrderId),
      status,
      platform_state: order.platformState,
      source: 'import',
    })),
  );
  // An order that imports leaves the blocked list.
  await trx('blocked_orders')
    .where({ vitrine_id: vitrine.id })
    .whereIn(
      'external_order_id',
      written.map((p) => p.order.externalOrderId),
    )
    .delete();
  return prepared.map((p) => idOf.get(p.order.externalOrderId));
}

function orderPaymentCondition(resolved: ResolvedPayment[]): string {
  return [...new Set(resolved.map((r) => r.condition))].join(' + ');
}

// Identity data that "Não atualiza dados do cliente" keeps as the ERP has it.
const IDENTITY_COLUMNS = new Set(['name', 'state_registration', 'rg']);

function customerColumns(c: ErpOrder['customer']): Record<string, unknown> {
  return {
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
 * Upserts the orders' customers, one row per document: the platform's data with the customer
 * default fields over it, later orders of the batch over earlier ones. With "Não atualiza dados do
 * cliente" a customer's identity is written once, when the ERP first sees it, and never updated,
 * by the platform's data or by default rules. Returns the customer id of each document.
 */
async function upsertCustomers(trx: Knex.Transaction, prepared: PreparedOrder[], keepIdentity: boolean): Promise<Map<string, number>> {
  const byDocument = new Map<string, Record<string, unknown>>();
  for (const { order, customerDefaults } of prepared) {
    const values = { ...customerColumns(order.customer), ...customerDefaults };
    const earlier = byDocument.get(order.customer.document);
    if (!earlier) {
      byDocument.set(order.customer.document, values);
      continue;
    }
    for (const [column, value] of Object.entries(values)) {
      if (!(keepIdentity && IDENTITY_COLUMNS.has(column))) earlier[column] = value;
    }
  }
  // Rows are grouped by the columns they set: a default rule that yields nothing for one order
  // must leave that column of an existing customer as it is, not reset it.
  const groups = new Map<string, Array<Record<string, unknown>>>();
  for (const document of [...byDocument.keys()].sort()) {
    const row = byDocument.get(document)!;
    const signature = Object.keys(row).sort().join(',');
    groups.set(signature, [...(groups.get(signature) ?? []), row]);
  }
  const ids = new Map<string, number>();
  for (const rows of groups.values()) {
    const updated = Object.keys(rows[0]).filter((column) => column !== 'document' && !(keepIdentity && IDENTITY_COLUMNS.has(column)));
    const returned: Array<{ id: number; document: string }> = await trx('customers')
      .insert(rows)
      .onConflict('document')
      .merge([...updated, 'updated_at'])
      .returning(['id', 'document']);
    for (const row of returned) ids.set(row.document, row.id);
  }
  return ids;
}

async function upsertCarriers(trx: Knex.Transaction, prepared: PreparedOrder[]): Promise<Map<string, number>> {
  const byCode = new Map<string, { code: string; name: string }>();
  for (const { order } of prepared)
    if (order.carrier) byCode.set(order.carrier.code, { code: order.carrier.code, name: order.carrier.name });
  if (byCode.size === 0) return new Map();
  const rows: Array<{ id: number; code: string }> = await trx('carriers')
    .insert([...byCode.keys()].sort().map((code) => byCode.get(code)!))
    .onConflict('code')
    .merge(['name'])
    .returning(['id', 'code']);
  return new Map(rows.map((row) => [row.code, row.id]));
}

async function upsertProducts(trx: Knex.Transaction, prepared: PreparedOrder[]): Promise<Map<string, number>> {
  // One row per SKU: Postgres refuses to update the same row twice in one statement.
  const bySku = new Map<string, { sku: string; name: string; ean: string | null; ref_id: string | null }>();
  for (const { order } of prepared) {
    for (const item of order.items) bySku.set(item.sku, { sku: item.sku, name: item.name, ean: item.ean, ref_id: item.refId });
  }
  if (bySku.size === 0) return new Map();
  const rows: Array<{ id: number; sku: string }> = await trx('products')
    .insert([...bySku.keys()].sort().map((sku) => bySku.get(sku)!))
    .onConflict('sku')
    .merge(['name', 'ean', 'ref_id'])
    .returning(['id', 'sku']);
  return new Map(rows.map((row) => [row.sku, row.id]));
}
