import type { Knex } from 'knex';
import type { ErpOrder } from '../../mapping/erpOrder';
import { evaluateDefaults, expressionContext } from '../fieldDefaults';
import { resolvePayment, type ResolvedPayment } from '../paymentMappings';
import { erpStatusFor, isPaymentApproved } from '../statuses';
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

/**
 * Importar Pedido: writes customer, carrier, products, order, items, payments and the first status
 * in one transaction, with the vitrine's default fields applied. Idempotent on (vitrine, external
 * order id): an order that is already there is left as it is. Throws OrderRejectedError (or
 * FieldDefaultError) for an order the vitrine's settings cannot take; nothing is written then.
 */
export async function importOrder(db: Knex, settings: ImportSettings, order: ErpOrder): Promise<ImportOutcome> {
  const { vitrine } = settings;
  const status = erpStatusFor(settings.statusMappings, order.platformState);
  if (!status) throw new OrderRejectedError(`unmapped platform state ${order.platformState}`);
  const payments = order.payments.map((payment) => {
    const resolved = resolvePayment(payment, settings.paymentMappings);
    if (!resolved) throw new OrderRejectedError(`unmapped payment type ${payment.paymentSystemName}`);
    return { payment, resolved };
  });
  const orderCode = `${vitrine.order_code_prefix}-${order.platformOrderNumber}`;

  return db.transaction(async (trx) => {
    // Serialises concurrent imports of one order (two workers, a retried activity) so that the
    // second one sees the first one's rows instead of racing it.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [String(vitrine.id), order.externalOrderId]);
    const existing = await trx('sales_orders')
      .where({ vitrine_id: vitrine.id, external_order_id: order.externalOrderId })
      .first('id');
    if (existing) return { outcome: 'existing', salesOrderId: existing.id };

    const context = expressionContext(order, { orderCode, status }, vitrine);
    const customerDefaults = await evaluateDefaults(trx, 'customer', settings.customerRules, context, settings.customerColumns);
    const orderDefaults = await evaluateDefaults(trx, 'order', settings.orderRules, context, settings.orderColumns);

    const { id: customerId, inserted } = await upsertCustomer(trx, order, vitrine.keep_customer_identity);
    // "Não atualiza dados do cliente" also holds against default rules: an existing customer's
    // identity stays as the ERP has it.
    const keep = vitrine.keep_customer_identity && !inserted;
    const customerValues = Object.fromEntries(Object.entries(customerDefaults).filter(([column]) => !(keep && IDENTITY_COLUMNS.has(column))));
    if (Object.keys(customerValues).length > 0) {
      await trx('customers').where({ id: customerId }).update({ ...customerValues, updated_at: trx.fn.now() });
    }
    const carrierId = order.carrier ? await upsertCarrier(trx, order.carrier) : null;
    const productIds = await upsertProducts(trx, order);

    const clash = await trx('sales_orders').where({ order_code: orderCode }).first('id');
    if (clash) throw new OrderRejectedError(`order code ${orderCode} is already used by another order`);

    const [{ id: salesOrderId }] = await trx('sales_orders')
      .insert({
        vitrine_id: vitrine.id,
        external_order_id: order.externalOrderId,
        order_code: orderCode,
        origin: order.origin,
        customer_id: customerId,
        carrier_id: carrierId,
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
      })
      .returning('id');
    await trx('sales_order_items').insert(
      order.items.map((item) => ({
        sales_order_id: salesOrderId,
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
    await trx('sales_order_payments').insert(
      payments.map(({ payment, resolved }) => ({
        sales_order_id: salesOrderId,
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
    await trx('sales_order_status_history').insert({
      sales_order_id: salesOrderId,
      status,
      platform_state: order.platformState,
      source: 'import',
    });
    // An order that imports leaves the blocked list.
    await trx('blocked_orders').where({ vitrine_id: vitrine.id, external_order_id: order.externalOrderId }).delete();
    return { outcome: 'imported', salesOrderId };
  });
}

function orderPaymentCondition(resolved: ResolvedPayment[]): string {
  return [...new Set(resolved.map((r) => r.condition))].join(' + ');
}

// Identity data that "Não atualiza dados do cliente" keeps as the ERP has it.
const IDENTITY_COLUMNS = new Set(['name', 'state_registration', 'rg']);

async function upsertCustomer(trx: Knex.Transaction, order: ErpOrder, keepIdentity: boolean): Promise<{ id: number; inserted: boolean }> {
  const c = order.customer;
  const values = {
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
  const { document: _document, ...changes } = values;
  const updates = Object.fromEntries(Object.entries(changes).filter(([column]) => !(keepIdentity && IDENTITY_COLUMNS.has(column))));
  // xmax is 0 on a row this statement inserted, and set on one it updated.
  const [row] = await trx('customers')
    .insert(values)
    .onConflict('document')
    .merge({ ...updates, updated_at: trx.fn.now() })
    .returning(['id', trx.raw('(xmax = 0) as inserted')]);
  return { id: row.id, inserted: row.inserted };
}

async function upsertCarrier(trx: Knex.Transaction, carrier: { code: string; name: string }): Promise<number> {
  const [{ id }] = await trx('carriers').insert(carrier).onConflict('code').merge(['name']).returning('id');
  return id;
}

async function upsertProducts(trx: Knex.Transaction, order: ErpOrder): Promise<Map<string, number>> {
  // One row per SKU: Postgres refuses to update the same row twice in one statement.
  const bySku = new Map(order.items.map((item) => [item.sku, { sku: item.sku, name: item.name, ean: item.ean, ref_id: item.refId }]));
  const rows: Array<{ id: number; sku: string }> = await trx('products')
    .insert([...bySku.values()])
    .onConflict('sku')
    .merge(['name', 'ean', 'ref_id'])
    .returning(['id', 'sku']);
  return new Map(rows.map((row) => [row.sku, row.id]));
}
