/**
 * VTEX order document (Orders API "Get order") → ErpOrder. Pure: no I/O, no clock, no randomness.
 *
 * Anything the ERP needs that is missing or malformed throws OrderMappingError with a short reason
 * naming the field path (`invalid platform order: items[1].quantity must be a positive integer`).
 * Reasons never quote values, so customer names, e-mails and documents stay out of logs.
 *
 * Choices worth knowing:
 * - origin: VTEX `origin` ("Marketplace", "Fulfillment", "Chain"); "VTEX" when absent or blank, so
 *   the column is never empty and the value visibly is not one VTEX sent.
 * - placedAt / approvedAt: `creationDate` / `authorizedDate` exactly as VTEX sent them (ISO 8601
 *   with offset and up to 7 fraction digits, validated, not rewritten).
 * - item sku: the item `id`, VTEX's SKU id, which is what the catalog and `sellerSku` use on a
 *   store's own orders; `refId` (the merchant's reference code) is kept in its own field.
 * - unit price: `sellingPrice` (after item discounts) or `price` when VTEX sent none; line total is
 *   unit price × quantity. `unitMultiplier` (items sold by weight) is not applied.
 * - customer: a corporate profile (`isCorporate`) uses corporateDocument (a CNPJ), corporateName,
 *   stateInscription and corporatePhone (falling back to phone); a person uses document (a CPF, or
 *   a CNPJ of 14 digits), firstName + lastName and phone. Documents lose their punctuation and must
 *   have valid check digits. Masked e-mails ("...@ct.vtex.com.br") are kept as given.
 * - carrier: `deliveryCompany` of the first logisticsInfo entry, else its `selectedSla`.
 * - payments: every payment of every transaction whose `isActive` is not false.
 * - totals: Items, Shipping and Discounts from `totals` (Discounts keeps VTEX's sign, ≤ 0), total
 *   from `value`; the mapper does not check that they add up: it maps what VTEX says.
 * - blank optional texts (email, complement...) become null.
 */
import type { ZodError } from 'zod';
import { type ErpCarrier, type ErpCustomer, type ErpOrder, type ErpOrderItem, type ErpOrderPayment, OrderMappingError } from './erpOrder';
import { describeIssue, formatPath, type VtexAddress, type VtexClientProfile, type VtexOrder, vtexOrderSchema } from './vtexOrderSchema';

const DEFAULT_ORIGIN = 'VTEX';

export function mapVtexOrder(raw: unknown): ErpOrder {
  const parsed = vtexOrderSchema.safeParse(raw, { error: describeIssue });
  if (!parsed.success) throw invalid(reasonOf(parsed.error));
  const order = parsed.data;
  return {
    externalOrderId: order.orderId,
    platformOrderNumber: orderNumberOf(order.orderId),
    origin: blankToNull(order.origin) ?? DEFAULT_ORIGIN,
    platformState: order.status,
    placedAt: order.creationDate,
    approvedAt: order.authorizedDate ?? null,
    cancelReason: cancelReasonOf(raw as VtexDocument),
    customer: mapCustomer(order.clientProfileData, order.shippingData?.address ?? null),
    platformCustomer: platformCustomerOf(raw as VtexDocument),
    carrier: mapCarrier(order),
    items: order.items.map(mapItem),
    payments: mapPayments(order),
    itemsTotalCents: totalOf(order, 'Items'),
    shippingTotalCents: totalOf(order, 'Shipping'),
    discountTotalCents: totalOf(order, 'Discounts'),
    totalCents: order.value,
  };
}

/** `1172452900788-01` → `1172452900788`: the order id without the seller suffix. */
export function orderNumberOf(orderId: string): string {
  return orderId.replace(/-\d+$/, '');
}

/** Stable carrier code: uppercase ASCII slug ("Correios PAC" → "CORREIOS-PAC", "Sedex Rápido" → "SEDEX-RAPIDO"). */
export function carrierCodeOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function mapCustomer(profile: VtexClientProfile, address: VtexAddress | null): ErpCustomer {
  const isCorporate = profile.isCorporate === true;
  const field = isCorporate ? 'corporateDocument' : 'document';
  const document = documentOf(isCorporate ? profile.corporateDocument : profile.document, field);
  if (isCorporate && document.type !== 'cnpj') throw invalidDocument(field);
  const name = isCorporate
    ? blankToNull(profile.corporateName)
    : blankToNull([profile.firstName, profile.lastName].map((part) => part?.trim() ?? '').join(' '));
  if (name === null) {
    throw invalid(`clientProfileData.${isCorporate ? 'corporateName' : 'firstName and lastName'} must not be empty`);
  }
  return {
    document: document.digits,
    documentType: document.type,
    name,
    email: blankToNull(profile.email),
    phone: blankToNull(isCorporate ? (blankToNull(profile.corporatePhone) ?? profile.phone) : profile.phone),
    isCorporate,
    stateRegistration: isCorporate ? blankToNull(profile.stateInscription) : null,
    street: blankToNull(address?.street),
    number: blankToNull(address?.number),
    complement: blankToNull(address?.complement),
    neighborhood: blankToNull(address?.neighborhood),
    city: blankToNull(address?.city),
    state: blankToNull(address?.state),
    postalCode: blankToNull(address?.postalCode),
    country: blankToNull(address?.country),
  };
}

function mapItem(item: VtexOrder['items'][number], index: number): ErpOrderItem {
  const unitPriceCents = item.sellingPrice ?? item.price;
  return {
    lineNumber: index + 1,
    sku: item.id,
    name: item.name,
    ean: blankToNull(item.ean),
    refId: blankToNull(item.refId),
    quantity: item.quantity,
    unitPriceCents,
    listPriceCents: item.listPrice,
    totalCents: unitPriceCents * item.quantity,
  };
}

function mapCarrier(order: VtexOrder): ErpCarrier | null {
  const logistics = order.shippingData?.logisticsInfo?.[0];
  if (!logistics) return null;
  const name = blankToNull(logistics.deliveryCompany) ?? blankToNull(logistics.selectedSla);
  if (name === null) return null;
  const code = carrierCodeOf(name);
  if (code === '') {
    throw invalid('shippingData.logisticsInfo[0].deliveryCompany has no letter or digit to make a carrier code');
  }
  return { code, name };
}

function mapPayments(order: VtexOrder): ErpOrderPayment[] {
  const payments = order.paymentData.transactions
    .filter((transaction) => transaction.isActive !== false)
    .flatMap((transaction) => transaction.payments);
  if (payments.length === 0) throw invalid('paymentData.transactions has no payment');
  return payments.map((payment, index) => ({
    lineNumber: index + 1,
    platformPaymentId: blankToNull(payment.id),
    paymentSystem: String(payment.paymentSystem),
    paymentSystemName: payment.paymentSystemName,
    paymentGroup: blankToNull(payment.group),
    installments: payment.installments ?? 1,
    valueCents: payment.value,
  }));
}

function totalOf(order: VtexOrder, id: 'Items' | 'Shipping' | 'Discounts'): number {
  const total = order.totals.find((entry) => entry.id === id);
  if (!total) throw invalid(`totals has no "${id}" entry`);
  return total.value;
}

type Document = { digits: string; type: 'cpf' | 'cnpj' };

/** A CPF (11 digits) or CNPJ (14 digits) without punctuation, with valid check digits. */
function documentOf(value: string | null | undefined, field: string): Document {
  const digits = (value ?? '').replace(/[\s./-]/g, '');
  if (/^\d{11}$/.test(digits) && hasValidCheckDigits(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2])) {
    return { digits, type: 'cpf' };
  }
  if (/^\d{14}$/.test(digits) && hasValidCheckDigits(digits, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])) {
    return { digits, type: 'cnpj' };
  }
  throw invalidDocument(field);
}

/**
 * Brazilian modulo-11 check: for the first check digit the weights apply to the base digits; for
 * the second, to the base digits plus the first check digit, with the weight list shifted by one.
 * Documents made of one repeated digit pass the arithmetic but are not real, so they are refused.
 */
function hasValidCheckDigits(digits: string, weights: number[]): boolean {
  if (/^(\d)\1*$/.test(digits)) return false;
  const base = digits.length - 2;
  for (const position of [base, base + 1]) {
    const used = position === base ? weights : [weights[0] + 1, ...weights];
    let sum = 0;
    for (let i = 0; i < position; i++) sum += Number(digits[i]) * used[i];
    const remainder = sum % 11;
    const expected = remainder < 2 ? 0 : 11 - remainder;
    if (Number(digits[position]) !== expected) return false;
  }
  return true;
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function reasonOf(error: ZodError): string {
  const [first] = error.issues;
  const more = error.issues.length - 1;
  return `${formatPath(first.path)} ${first.message}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : ''}`;
}

function invalidDocument(field: string): OrderMappingError {
  return invalid(
    `invalid customer document: clientProfileData.${field} must be a CPF (11 digits) or CNPJ (14 digits) with valid check digits`,
  );
}

function invalid(reason: string): OrderMappingError {
  return new OrderMappingError(`invalid platform order: ${reason}`);
}

type VtexDocument = {
  clientProfileData?: object;
  shippingData?: { address?: object };
  cancelReason?: unknown;
  cancellationData?: { Reason?: unknown } | null;
};

/** VTEX's cancelReason, else cancellationData.Reason: plain text of at most 500 characters, or null. */
function cancelReasonOf(raw: VtexDocument): string | null {
  const reason = typeof raw.cancelReason === 'string' ? raw.cancelReason : raw.cancellationData?.Reason;
  if (typeof reason !== 'string') return null;
  const clean = reason.replace(/\p{Cc}+/gu, ' ').trim();
  return clean ? clean.slice(0, 500) : null;
}

/** The customer as VTEX sent it (profile plus shipping address), for admins' default-field expressions. */
function platformCustomerOf(raw: VtexDocument): Record<string, unknown> {
  return { ...raw.clientProfileData, address: raw.shippingData?.address ?? null };
}
