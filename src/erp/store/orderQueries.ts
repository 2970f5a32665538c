import { invoicesOf, type InvoiceRecord } from './invoices';
import { listNotifications, type NotificationListRow } from './notifications';
import type { Knex } from 'knex';

export interface OrderSummary {
  orderCode: string;
  vitrineCode: string;
  externalOrderId: string;
  customerName: string;
  /** "website", or the marketplace's channel. */
  origin: string;
  status: string;
  totalCents: number;
  placedAt: Date;
  importedAt: Date;
}

/** Orders, newest first; optionally of one vitrine, in one ERP status, from one origin ("website" or a marketplace's channel). */
export async function listOrders(
  db: Knex,
  filter: { vitrineId?: number; status?: string; origin?: string; limit?: number } = {},
): Promise<OrderSummary[]> {
  const query = db('sales_orders as o')
    .join('vitrines as v', 'v.id', 'o.vitrine_id')
    .join('customers as c', 'c.id', 'o.customer_id')
    .orderBy([
      { column: 'o.placed_at', order: 'desc' },
      { column: 'o.id', order: 'desc' },
    ])
    .limit(filter.limit ?? 100)
    .select({
      orderCode: 'o.order_code',
      vitrineCode: 'v.code',
      externalOrderId: 'o.external_order_id',
      customerName: 'c.name',
      origin: 'o.origin',
      status: 'o.status',
      totalCents: 'o.total_cents',
      placedAt: 'o.placed_at',
      importedAt: 'o.imported_at',
    });
  if (filter.vitrineId !== undefined) query.where('o.vitrine_id', filter.vitrineId);
  if (filter.status !== undefined) query.where('o.status', filter.status);
  if (filter.origin !== undefined) query.where('o.origin', filter.origin);
  return query;
}

export interface OrderDetail {
  orderCode: string;
  externalOrderId: string;
  vitrineCode: string;
  /** The ERP origin: "website", or the marketplace's channel. */
  origin: string;
  /** The marketplace it came through, as the platform named it. */
  marketplace: { affiliateId: string; name: string | null; orderId: string | null } | null;
  /** The platform's own origin field, as sent. */
  platformOrigin: string | null;
  currency: string;
  /** Payments total minus the order total, when they differ. */
  paymentDifferenceCents: number | null;
  /** What the import noticed and let through (a customer without a valid document). */
  importWarnings: string[];
  status: string;
  platformState: string;
  paymentCondition: string;
  itemsTotalCents: number;
  shippingTotalCents: number;
  discountTotalCents: number;
  totalCents: number;
  placedAt: Date;
  approvedAt: Date | null;
  importedAt: Date;
  customer: Record<string, unknown>;
  carrier: { code: string; name: string } | null;
  items: Array<{
    lineNumber: number;
    sku: string;
    name: string;
    quantity: number;
    unitPriceCents: number;
    listPriceCents: number;
    totalCents: number;
  }>;
  payments: Array<{
    lineNumber: number;
    paymentType: string;
    paymentTypeName: string;
    condition: string;
    paymentSystem: string | null;
    paymentSystemName: string | null;
    paymentGroup: string | null;
    installments: number;
    valueCents: number;
  }>;
  statusHistory: Array<{ status: string; platformState: string; source: string; changedAt: Date }>;
  /** The platform asked to cancel the order and no admin has decided yet. */
  cancellationRequest: { at: Date; reason: string | null } | null;
  cancelReason: string | null;
  /** Atualização de Status: invoices with tracking, and what the platform was told. */
  invoices: InvoiceRecord[];
  notifications: NotificationListRow[];
}

/** Everything `vitrine orders show` prints about one order, or undefined when the code is unknown. */
export async function getOrderDetail(db: Knex, orderCode: string): Promise<OrderDetail | undefined> {
  const order = await db('sales_orders as o')
    .join('vitrines as v', 'v.id', 'o.vitrine_id')
    .where('o.order_code', orderCode)
    .first('o.*', { vitrine_code: 'v.code' });
  if (!order) return undefined;
  const [customer, carrier, items, payments, history] = await Promise.all([
    db('customers').where({ id: order.customer_id }).first(),
    order.carrier_id ? db('carriers').where({ id: order.carrier_id }).first('code', 'name') : null,
    db('sales_order_items').where({ sales_order_id: order.id }).orderBy('line_number').select({
      lineNumber: 'line_number',
      sku: 'sku',
      name: 'name',
      quantity: 'quantity',
      unitPriceCents: 'unit_price_cents',
      listPriceCents: 'list_price_cents',
      totalCents: 'total_cents',
    }),
    db('sales_order_payments as p')
      .join('payment_types as t', 't.id', 'p.payment_type_id')
      .where('p.sales_order_id', order.id)
      .orderBy('p.line_number')
      .select({
        lineNumber: 'p.line_number',
        paymentType: 't.code',
        paymentTypeName: 't.name',
        condition: 'p.payment_condition',
        paymentSystem: 'p.payment_system',
        paymentSystemName: 'p.payment_system_name',
        paymentGroup: 'p.payment_group',
        installments: 'p.installments',
        valueCents: 'p.value_cents',
      }),
    db('sales_order_status_history').where({ sales_order_id: order.id }).orderBy('id').select({
      status: 'status',
      platformState: 'platform_state',
      source: 'source',
      changedAt: 'changed_at',
    }),
  ]);
  const { id: _id, customer_key: _key, created_at: _created, updated_at: _updated, ...customerFields } = customer;
  return {
    orderCode: order.order_code,
    externalOrderId: order.external_order_id,
    vitrineCode: order.vitrine_code,
    origin: order.origin,
    marketplace: order.affiliate_id
      ? { affiliateId: order.affiliate_id, name: order.marketplace_name, orderId: order.marketplace_order_id }
      : null,
    platformOrigin: order.platform_origin,
    currency: order.currency,
    paymentDifferenceCents: order.payment_difference_cents,
    importWarnings: order.import_warnings ?? [],
    status: order.status,
    platformState: order.platform_state,
    paymentCondition: order.payment_condition,
    itemsTotalCents: order.items_total_cents,
    shippingTotalCents: order.shipping_total_cents,
    discountTotalCents: order.discount_total_cents,
    totalCents: order.total_cents,
    placedAt: order.placed_at,
    approvedAt: order.approved_at,
    importedAt: order.imported_at,
    customer: customerFields,
    carrier: carrier ?? null,
    items,
    payments,
    statusHistory: history,
    cancellationRequest: order.cancellation_requested_at
      ? { at: order.cancellation_requested_at, reason: order.cancellation_request_reason }
      : null,
    cancelReason: order.cancel_reason,
    invoices: await invoicesOf(db, order.id),
    notifications: await listNotifications(db, { orderId: order.id, limit: 200 }),
  };
}
