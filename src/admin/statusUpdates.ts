/**
 * Atualização de Status, the ERP side: an admin (CLI or backoffice) or the ERP's billing module
 * invoices an order, ships it, delivers it, cancels it or takes a return. Every rule is here, the
 * same for the CLI and the backoffice; each command is one transaction on the locked order that
 * writes its rows, moves the ERP status through the vitrine's status DE-PARA and writes the status
 * history. The outbox triggers queue what the platform must hear (src/importing/platformNotifications.ts sends it).
 */
import type { Knex } from 'knex';
import { statusMappingsOf } from '../erp/store/deparaTables';
import {
  carrierNameOf,
  insertInvoice,
  insertTrackingEvent,
  invoicesOf,
  lockOrderByCode,
  notificationsQueuedNow,
  invoiceWithKey,
  orderedItems,
  saveTracking,
  setErpStatus,
  type InvoiceRecord,
  type OrderForStatusUpdate,
} from '../erp/store/invoices';
import { isForwardTransition, statusAfter, type ErpStatus, type STATUS_UPDATE_STATES } from '../importing/rules/statuses';
import { findVitrineByCode } from '../erp/store/vitrines';
import type { ChangeLog } from './audit';
import { AdminInputError } from './errors';

export interface StatusUpdateResult {
  orderCode: string;
  vitrineCode: string;
  previousStatus: string;
  status: string;
  /** Platform notifications this change queued (start-handling, invoice, cancel...). */
  queued: string[];
  invoiceNumber?: string;
  valueCents?: number;
  /** False when the command found nothing to change (the same event told twice, a cancelled order cancelled again). */
  changed: boolean;
}

export interface InvoiceInput {
  number: string;
  accessKey: string;
  series?: string;
  issuedAt?: Date;
  valueCents?: number;
  items?: Map<string, number>;
  xml?: string;
  url?: string;
}

const fmt = (cents: number) => `R$ ${(cents / 100).toFixed(2)}`;

/** Runs one command on the locked order; the order code that does not exist is the admin's to fix. */
async function onOrder<T>(
  db: Knex,
  orderCode: string,
  work: (trx: Knex.Transaction, order: OrderForStatusUpdate) => Promise<T>,
): Promise<T> {
  return db.transaction(async (trx) => {
    const order = await lockOrderByCode(trx, orderCode);
    if (!order) throw new AdminInputError(`order ${JSON.stringify(orderCode.slice(0, 60))} does not exist (see: vitrine orders list)`);
    return work(trx, order);
  });
}

/** Moves the order forward to the status of `step` (never back: a late step leaves a later status as it is). */
async function advance(
  trx: Knex.Transaction,
  order: OrderForStatusUpdate,
  step: keyof typeof STATUS_UPDATE_STATES,
  extra?: Parameters<typeof setErpStatus>[3],
): Promise<string> {
  const target: ErpStatus = statusAfter(await statusMappingsOf(trx, order.vitrineId), step);
  if (!isForwardTransition(order.status, target) && !extra) return order.status;
  await setErpStatus(trx, order, target, extra);
  return target;
}

function result(order: OrderForStatusUpdate, status: string, queued: string[], more: Partial<StatusUpdateResult> = {}): StatusUpdateResult {
  return {
    orderCode: order.orderCode,
    vitrineCode: order.vitrineCode,
    previousStatus: order.status,
    status,
    queued,
    changed: true,
    ...more,
  };
}

function refuseWhileCancellationRequested(order: OrderForStatusUpdate, what: string): void {
  if (order.cancellationRequestedAt) {
    throw new AdminInputError(
      `order ${order.orderCode} cannot be ${what}: the platform asked to cancel it (${order.cancellationRequestReason ?? 'no reason given'}); ` +
        `accept with: vitrine orders cancel ${order.orderCode} --reason <text>`,
    );
  }
}

/** How much of each sku is still to invoice: ordered, less sale invoices, plus returns do not give it back. */
function leftToInvoice(ordered: Map<string, { quantity: number; unitPriceCents: number }>, invoices: InvoiceRecord[]): Map<string, number> {
  const left = new Map([...ordered].map(([sku, item]) => [sku, item.quantity]));
  for (const invoice of invoices) {
    if (invoice.kind !== 'sale') continue;
    for (const item of invoice.items) left.set(item.sku, (left.get(item.sku) ?? 0) - item.quantity);
  }
  return left;
}

/** An NF-e access key names one invoice. */
async function refuseUsedKey(trx: Knex.Transaction, accessKey: string): Promise<void> {
  const used = await invoiceWithKey(trx, accessKey);
  if (used) throw new AdminInputError(`access key ${accessKey} is already used by invoice ${used.number} of order ${used.orderCode}`);
}

/** vitrine orders invoice: a sale invoice (NF-e), the whole order or part of it. */
export async function invoiceOrder(db: Knex, orderCode: string, input: InvoiceInput): Promise<StatusUpdateResult> {
  return onOrder(db, orderCode, async (trx, order) => {
    if (order.status === 'Cancelado') throw new AdminInputError(`order ${order.orderCode} is cancelled: it cannot be invoiced`);
    refuseWhileCancellationRequested(order, 'invoiced');
    const invoices = await invoicesOf(trx, order.id);
    if (invoices.some((i) => i.number === input.number)) {
      throw new AdminInputError(`order ${order.orderCode} already has invoice ${input.number}`);
    }
    await refuseUsedKey(trx, input.accessKey);
    const invoicedCents = invoices.filter((i) => i.kind === 'sale').reduce((sum, i) => sum + i.valueCents, 0);
    const remainingCents = order.totalCents - invoicedCents;
    if (remainingCents <= 0) throw new AdminInputError(`order ${order.orderCode} is fully invoiced (${fmt(invoicedCents)})`);

    const ordered = await orderedItems(trx, order.id);
    const left = leftToInvoice(ordered, invoices);
    if (!input.items && input.valueCents !== undefined && input.valueCents < remainingCents) {
      throw new AdminInputError(
        `a partial invoice (--value below the ${fmt(remainingCents)} left to invoice) needs --items: which items it covers`,
      );
    }
    const wanted = input.items ?? new Map([...left].filter(([, quantity]) => quantity > 0));
    for (const [sku, quantity] of wanted) {
      if (!ordered.has(sku)) throw new AdminInputError(`order ${order.orderCode} has no sku ${JSON.stringify(sku)}`);
      const open = left.get(sku) ?? 0;
      if (quantity > open) throw new AdminInputError(`sku ${sku} of order ${order.orderCode}: ${quantity} to invoice, only ${open} left`);
    }
    if (wanted.size === 0) throw new AdminInputError(`order ${order.orderCode} has no items left to invoice`);
    const items = [...wanted].map(([sku, quantity]) => ({ sku, quantity, unitPriceCents: ordered.get(sku)!.unitPriceCents }));
    // Default value: what is left when this invoice takes every item left (shipping included), else its items' value.
    const completes = [...left].every(([sku, quantity]) => quantity <= (wanted.get(sku) ?? 0));
    const valueCents = input.valueCents ?? (completes ? remainingCents : items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0));
    if (valueCents > remainingCents) {
      throw new AdminInputError(
        `value ${fmt(valueCents)} is above what is left to invoice on order ${order.orderCode}: ${fmt(remainingCents)}`,
      );
    }
    if (valueCents <= 0) throw new AdminInputError('the invoice value must be more than zero');

    await insertInvoice(trx, order.id, {
      kind: 'sale',
      number: input.number,
      series: input.series ?? null,
      accessKey: input.accessKey,
      issuedAt: input.issuedAt ?? new Date(),
      valueCents,
      refersToInvoiceId: null,
      xml: input.xml ?? null,
      url: input.url ?? null,
      items,
    });
    const status = await advance(trx, order, 'invoice');
    return result(order, status, await notificationsQueuedNow(trx, order.id), { invoiceNumber: input.number, valueCents });
  });
}

/** The sale invoice a tracking step is about: the one named, else the last one. */
function saleInvoice(order: OrderForStatusUpdate, invoices: InvoiceRecord[], number: string | undefined, what: string): InvoiceRecord {
  const sales = invoices.filter((i) => i.kind === 'sale');
  if (sales.length === 0) {
    throw new AdminInputError(
      `order ${order.orderCode} has no invoice yet: ${what} comes after it (vitrine orders invoice ${order.orderCode} ...)`,
    );
  }
  if (number === undefined) return sales[sales.length - 1];
  const invoice = sales.find((i) => i.number === number);
  if (!invoice)
    throw new AdminInputError(`order ${order.orderCode} has no sale invoice ${number} (it has ${sales.map((i) => i.number).join(', ')})`);
  return invoice;
}

/** vitrine orders tracking: the package's tracking number (VTEX: the invoice's tracking). */
export async function trackOrder(
  db: Knex,
  orderCode: string,
  input: { trackingNumber: string; url?: string; carrier?: string; invoiceNumber?: string },
): Promise<StatusUpdateResult> {
  return onOrder(db, orderCode, async (trx, order) => {
    if (order.status === 'Cancelado') throw new AdminInputError(`order ${order.orderCode} is cancelled`);
    const invoice = saleInvoice(order, await invoicesOf(trx, order.id), input.invoiceNumber, 'tracking');
    const carrier = input.carrier ?? (await carrierNameOf(trx, order.id));
    const same =
      invoice.tracking?.trackingNumber === input.trackingNumber &&
      invoice.tracking.trackingUrl === (input.url ?? invoice.tracking.trackingUrl) &&
      invoice.tracking.carrier === carrier;
    if (same) return result(order, order.status, [], { invoiceNumber: invoice.number, changed: false });
    await saveTracking(trx, invoice.id, {
      trackingNumber: input.trackingNumber,
      trackingUrl: input.url ?? invoice.tracking?.trackingUrl ?? null,
      carrier,
      dispatchedAt: invoice.tracking?.dispatchedAt ?? new Date(),
    });
    const status = await advance(trx, order, 'tracking');
    return result(order, status, ['tracking-number'], { invoiceNumber: invoice.number });
  });
}

/** vitrine orders tracking-event: what the carrier reported (VTEX: the invoice's tracking events). */
export async function addTrackingEvent(
  db: Knex,
  orderCode: string,
  input: { at: Date; city: string; state: string; description: string; invoiceNumber?: string },
): Promise<StatusUpdateResult> {
  return onOrder(db, orderCode, async (trx, order) => {
    if (order.status === 'Cancelado') throw new AdminInputError(`order ${order.orderCode} is cancelled`);
    const invoice = saleInvoice(order, await invoicesOf(trx, order.id), input.invoiceNumber, 'a tracking event');
    const added = await insertTrackingEvent(trx, invoice.id, {
      occurredAt: input.at,
      city: input.city,
      state: input.state,
      description: input.description,
    });
    return result(order, order.status, added ? ['tracking-status'] : [], { invoiceNumber: invoice.number, changed: added });
  });
}

/** vitrine orders deliver: the package reached the customer. */
export async function deliverOrder(db: Knex, orderCode: string, input: { at?: Date; invoiceNumber?: string }): Promise<StatusUpdateResult> {
  return onOrder(db, orderCode, async (trx, order) => {
    if (order.status === 'Cancelado') throw new AdminInputError(`order ${order.orderCode} is cancelled`);
    const invoice = saleInvoice(order, await invoicesOf(trx, order.id), input.invoiceNumber, 'delivery');
    if (invoice.tracking?.deliveredAt) {
      return result(order, order.status, [], { invoiceNumber: invoice.number, changed: false });
    }
    await saveTracking(trx, invoice.id, { deliveredAt: input.at ?? new Date() });
    const status = await advance(trx, order, 'delivery');
    return result(order, status, ['tracking-status'], { invoiceNumber: invoice.number });
  });
}

/** vitrine orders cancel: the ERP cancels, or accepts the platform's cancellation request. */
export async function cancelOrder(db: Knex, orderCode: string, input: { reason: string }): Promise<StatusUpdateResult> {
  return onOrder(db, orderCode, async (trx, order) => {
    if (order.status === 'Cancelado') return result(order, order.status, [], { changed: false });
    const sale = (await invoicesOf(trx, order.id)).find((i) => i.kind === 'sale');
    if (sale) {
      throw new AdminInputError(
        `order ${order.orderCode} is invoiced (invoice ${sale.number}): VTEX does not cancel an invoiced order; ` +
          `send a return invoice instead: vitrine orders return ${order.orderCode} --number <n> --key <44 digits>`,
      );
    }
    const status = await advance(trx, order, 'cancel', { cancelReason: input.reason, clearCancellationRequest: true });
    return result(order, status, await notificationsQueuedNow(trx, order.id));
  });
}

/** vitrine orders return: a return invoice (VTEX Input) for items of the sale invoices; VTEX refunds it. */
export async function returnOrder(
  db: Knex,
  orderCode: string,
  input: { number: string; accessKey: string; items?: Map<string, number>; issuedAt?: Date },
): Promise<StatusUpdateResult> {
  return onOrder(db, orderCode, async (trx, order) => {
    const invoices = await invoicesOf(trx, order.id);
    const sales = invoices.filter((i) => i.kind === 'sale');
    if (sales.length === 0) throw new AdminInputError(`order ${order.orderCode} has no sale invoice to return`);
    if (invoices.some((i) => i.number === input.number))
      throw new AdminInputError(`order ${order.orderCode} already has invoice ${input.number}`);
    await refuseUsedKey(trx, input.accessKey);
    // What can still come back: invoiced, less what earlier returns brought back.
    const returnable = new Map<string, { quantity: number; unitPriceCents: number }>();
    for (const invoice of invoices) {
      for (const item of invoice.items) {
        const entry = returnable.get(item.sku) ?? { quantity: 0, unitPriceCents: item.unitPriceCents };
        entry.quantity += invoice.kind === 'sale' ? item.quantity : -item.quantity;
        returnable.set(item.sku, entry);
      }
    }
    const wanted = input.items ?? new Map([...returnable].filter(([, e]) => e.quantity > 0).map(([sku, e]) => [sku, e.quantity]));
    if (wanted.size === 0) throw new AdminInputError(`order ${order.orderCode} has nothing left to return`);
    for (const [sku, quantity] of wanted) {
      const entry = returnable.get(sku);
      if (!entry) throw new AdminInputError(`order ${order.orderCode} has no invoiced sku ${JSON.stringify(sku)}`);
      if (quantity > entry.quantity)
        throw new AdminInputError(
          `sku ${sku} of order ${order.orderCode}: ${quantity} to return, only ${entry.quantity} invoiced and not returned`,
        );
    }
    const items = [...wanted].map(([sku, quantity]) => ({ sku, quantity, unitPriceCents: returnable.get(sku)!.unitPriceCents }));
    const valueCents = items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
    if (valueCents <= 0) throw new AdminInputError('the returned items have no value: nothing to refund');
    await insertInvoice(trx, order.id, {
      kind: 'return',
      number: input.number,
      series: null,
      accessKey: input.accessKey,
      issuedAt: input.issuedAt ?? new Date(),
      valueCents,
      refersToInvoiceId: sales[sales.length - 1].id,
      xml: null,
      url: null,
      items,
    });
    return result(order, order.status, await notificationsQueuedNow(trx, order.id), { invoiceNumber: input.number, valueCents });
  });
}

/** A status command for the audit trail: the order, its status before and after, what the platform is told. */
export async function recordStatusUpdate(db: Knex, log: ChangeLog, done: StatusUpdateResult, action: string): Promise<void> {
  if (!done.changed) return;
  log.record({
    vitrine: await findVitrineByCode(db, done.vitrineCode),
    action: `order.${action}`,
    before: { orderCode: done.orderCode, status: done.previousStatus },
    after: {
      orderCode: done.orderCode,
      status: done.status,
      queued: done.queued,
      invoiceNumber: done.invoiceNumber,
      valueCents: done.valueCents,
    },
  });
}
