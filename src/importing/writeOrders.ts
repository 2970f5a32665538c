import type { Knex } from 'knex';
import { databaseErrorClass } from '../erp/databaseErrors';
import { formatCents } from '../shared/format';
import { clearBlockedOrders } from '../erp/store/blockedOrders';
import { customerColumns, insertSalesOrders, lockOrder, orderCodesInUse, type NewSalesOrder } from '../erp/store/salesOrders';
import type { ErpOrder } from '../mapping/erpOrder';
import { blockReason, type OrderToBlock } from './blocking';
import type { VitrineImport } from './context';
import { decideOrder, keptCustomerColumns, OrderRejectedError } from './orderRules';

/** A new order with its default fields, ready to be written. */
export interface OrderToWrite {
  externalOrderId: string;
  order: ErpOrder;
  customerDefaults: Record<string, unknown>;
  orderDefaults: Record<string, unknown>;
}

export interface WrittenOrders {
  imported: string[];
  /** Orders another import wrote first (a second worker, a blocked-order retry). */
  existing: string[];
  blocked: OrderToBlock[];
}

/** Called inside each transaction that writes orders, with what it wrote: a page records it there too. */
export type OnWritten = (trx: Knex.Transaction, written: { imported: string[]; existing: string[] }) => Promise<void>;

/** The batch failed for something other than the database being away: try each order alone. */
function mayBeOneOrder(error: unknown): boolean {
  const kind = databaseErrorClass(error);
  return kind !== 'unavailable' && kind !== 'schema';
}

/**
 * Importar Pedido, the write: every order of the batch in one transaction of multi-row
 * statements, with its customer (the platform's data under the default fields; "Não atualiza
 * dados do cliente" keeps a known customer's identity), carrier, products, items, payments and
 * first status. An order whose code another order holds, or that another order of the batch
 * shares, is to be blocked. When the batch fails for anything but the database being away or its
 * schema missing, each order gets a transaction of its own, so that only the orders that fail on
 * their own are blocked (with the database's reason, which never quotes a value); when every one
 * of them fails, the cause is not theirs and the step fails instead.
 */
export async function writeOrders(vi: VitrineImport, orders: OrderToWrite[], onWritten: OnWritten): Promise<WrittenOrders> {
  const result: WrittenOrders = { imported: [], existing: [], blocked: [] };
  const ready: NewSalesOrder[] = [];
  for (const o of orders) {
    try {
      ready.push(newSalesOrder(vi, o));
    } catch (error) {
      // Pure code over this order's values: whatever fails here is the order's own.
      result.blocked.push({ externalOrderId: o.externalOrderId, reason: blockReason(error) });
    }
  }
  const taken = await orderCodesInUse(
    vi.db,
    ready.map((o) => o.orderCode),
  );
  const writable: NewSalesOrder[] = [];
  for (const o of ready) {
    if (taken.has(o.orderCode)) {
      result.blocked.push({ externalOrderId: o.order.externalOrderId, reason: clashReason(o.orderCode) });
    } else {
      taken.add(o.orderCode);
      writable.push(o);
    }
  }
  mergeCustomers(vi, writable);
  try {
    const written = await vi.db.transaction((trx) => write(vi, trx, writable, onWritten));
    result.imported.push(...written.imported);
    result.existing.push(...written.existing);
  } catch (error) {
    if (!mayBeOneOrder(error)) throw error;
    const failed: Array<{ order: NewSalesOrder; error: unknown }> = [];
    for (const o of writable) {
      try {
        const written = await vi.db.transaction(async (trx) => {
          await lockOrder(trx, vi.settings.vitrine.id, o.order.externalOrderId);
          // A code taken since the batch was checked (by another vitrine's import) is a clash too.
          if ((await orderCodesInUse(trx, [o.orderCode])).size > 0) throw new OrderRejectedError(clashReason(o.orderCode));
          return write(vi, trx, [o], onWritten);
        });
        result.imported.push(...written.imported);
        result.existing.push(...written.existing);
      } catch (single) {
        if (single instanceof OrderRejectedError) result.blocked.push({ externalOrderId: o.order.externalOrderId, reason: single.message });
        else if (mayBeOneOrder(single)) failed.push({ order: o, error: single });
        else throw single;
      }
    }
    if (failed.length > 1 && failed.length === writable.length) throw failed[0].error;
    for (const { order, error: single } of failed)
      result.blocked.push({ externalOrderId: order.order.externalOrderId, reason: blockReason(single) });
  }
  return result;
}

async function write(vi: VitrineImport, trx: Knex.Transaction, orders: NewSalesOrder[], onWritten: OnWritten) {
  const { vitrine } = vi.settings;
  const ids = await insertSalesOrders(trx, vitrine.id, orders, keptCustomerColumns(vitrine));
  const written = orders.filter((o) => ids.has(o.order.externalOrderId));
  const imported = written.map((o) => o.order.externalOrderId);
  const existing = orders.filter((o) => !ids.has(o.order.externalOrderId)).map((o) => o.order.externalOrderId);
  // An order that imports leaves the blocked list.
  await clearBlockedOrders(trx, vitrine.id, imported);
  await onWritten(trx, { imported, existing });
  for (const o of written) {
    vi.log.push({ level: 'info', externalOrderId: o.order.externalOrderId, message: 'order imported' });
    if (o.paymentDifferenceCents !== null) vi.log.push(paymentDifferenceLine(o));
    for (const warning of o.warnings) {
      vi.log.push({
        level: 'warning',
        externalOrderId: o.order.externalOrderId,
        message: `${warning}: imported, check order ${o.orderCode}`,
      });
    }
  }
  return { imported, existing };
}

/** Payments that do not add up to the order's value: the order is kept, and this says by how much. */
function paymentDifferenceLine(o: NewSalesOrder) {
  const difference = o.paymentDifferenceCents!;
  return {
    level: 'warning' as const,
    externalOrderId: o.order.externalOrderId,
    message: `payments total ${formatCents(o.order.totalCents + difference)} but the order totals ${formatCents(o.order.totalCents)} (difference ${formatCents(difference)}, ${o.currency}); imported as sent: check order ${o.orderCode}`,
  };
}

function clashReason(orderCode: string): string {
  return `order code ${orderCode} is already used by another order`;
}

function newSalesOrder(vi: VitrineImport, o: OrderToWrite): NewSalesOrder {
  const decision = decideOrder(vi.settings, o.order);
  return {
    order: o.order,
    orderCode: decision.orderCode,
    origin: decision.origin,
    currency: decision.currency,
    paymentDifferenceCents: decision.paymentDifferenceCents,
    status: decision.status,
    paymentCondition: decision.paymentCondition,
    approved: decision.approved,
    payments: decision.payments,
    customer: {
      ...customerColumns(o.order.customer, { vitrineId: vi.settings.vitrine.id, externalOrderId: o.externalOrderId }),
      ...o.customerDefaults,
    },
    warnings: decision.warnings,
    orderDefaults: o.orderDefaults,
  };
}

/**
 * Orders of one customer in the batch: the later order's values win, but with "Não atualiza
 * dados do cliente" the first one's identity stays, as it would for a customer the ERP has.
 */
function mergeCustomers(vi: VitrineImport, orders: NewSalesOrder[]): void {
  const kept = keptCustomerColumns(vi.settings.vitrine);
  const byKey = new Map<string, Record<string, unknown>>();
  for (const o of orders) {
    const key = o.customer.customer_key as string;
    const earlier = byKey.get(key);
    if (!earlier) {
      byKey.set(key, o.customer);
      continue;
    }
    for (const [column, value] of Object.entries(o.customer)) if (!kept.has(column)) earlier[column] = value;
    o.customer = earlier;
  }
}
