/**
 * VTEX order document (Orders API "Get order") → ErpOrder. Pure: no I/O, no clock, no randomness.
 *
 * It accepts what VTEX really sends (docs/MARKETPLACES.md, test/fixtures/vtex-orders) and refuses
 * only what the ERP cannot do without: an order id, a creation date, items, integer cents and a
 * customer with a name. A customer document that is missing or not a valid CPF or CNPJ is left
 * null with the reason in `documentIssue`: the importer blocks the order only where the vitrine
 * requires documents. A refusal throws OrderMappingError with a short
 * reason naming the field path (`invalid platform order: items[1].quantity must be a positive
 * integer`). Reasons never quote values, so customer names, e-mails and documents stay out of logs.
 *
 * Choices worth knowing:
 * - platformOrigin: VTEX `origin` as sent. It says "Marketplace" for the store's own orders too,
 *   so the ERP's origin comes from the marketplace (the importer's DE-PARA), not from it.
 * - marketplace: `affiliateId` with `marketplace.name` and `marketplaceOrderId`; an order a seller
 *   receives from a VTEX marketplace (origin "Fulfillment", no affiliate) is keyed by the
 *   marketplace's account name. None for the store's own site.
 * - platformState: `status`, empty when absent (the import uses the feed's state first).
 * - placedAt / approvedAt: `creationDate` (required, any date-time VTEX writes: seven fraction
 *   digits, an offset with or without a colon, none at all for UTC) /
 *   `authorizedDate` (ignored when it is not such a date).
 * - currency: `storePreferencesData.currencyCode`, else null (the vitrine's currency).
 * - item sku: the item `id`, VTEX's SKU id; `refId` is kept in its own field. Unit price:
 *   `sellingPrice` (after item discounts) or `price`; line total is unit price × quantity.
 *   `unitMultiplier` (items sold by weight) is not applied.
 * - customer: a corporate profile (`isCorporate`, or a `corporateDocument` with no `document`)
 *   uses corporateDocument (a CNPJ), corporateName (else tradeName), stateInscription and
 *   corporatePhone (falling back to phone); a person uses document (a CPF, or a CNPJ of 14
 *   digits), firstName + lastName and phone. Documents lose their punctuation and must have valid
 *   check digits. The address is the invoice address (invoiceData), else the shipping address
 *   unless that is a pickup point's. Masked e-mails ("...@ct.vtex.com.br") are kept as given.
 * - carrier: for pickup-in-point, the pickup point (`pickupStoreInfo.friendlyName`); otherwise
 *   `deliveryCompany` of the first logisticsInfo entry, else its `selectedSla`.
 * - payments: every payment of every transaction whose `isActive` is not false; none when VTEX
 *   sends none (a marketplace's order: the importer decides).
 * - totals: Items, Shipping and Discounts from `totals` (Discounts keeps VTEX's sign, ≤ 0); an
 *   absent entry is 0 (Items: the sum of the lines); total from `value`. The mapper does not check
 *   that they add up: it maps what VTEX says.
 * - blank optional texts (email, complement...) become null.
 */
import type { ZodError } from 'zod';
import {
  type ErpCarrier,
  type ErpCustomer,
  type ErpMarketplace,
  type ErpOrder,
  type ErpOrderItem,
  type ErpOrderPayment,
  OrderMappingError,
} from './erpOrder';
import { describeIssue, formatPath, type VtexAddress, type VtexClientProfile, type VtexOrder, vtexOrderSchema } from './vtexOrderSchema';

export function mapVtexOrder(raw: unknown): ErpOrder {
  const parsed = vtexOrderSchema.safeParse(raw, { error: describeIssue });
  if (!parsed.success) throw invalid(reasonOf(parsed.error));
  const order = parsed.data;
  const items = order.items.map(mapItem);
  return {
    externalOrderId: order.orderId,
    platformOrderNumber: orderNumberOf(order.orderId),
    platformOrigin: blankToNull(order.origin),
    marketplace: marketplaceOf(order),
    currency: currencyOf(order),
    platformState: blankToNull(order.status) ?? '',
    placedAt: order.creationDate,
    approvedAt: order.authorizedDate,
    cancelReason: cancelReasonOf(raw as VtexDocument),
    customer: mapCustomer(order.clientProfileData, customerAddressOf(order)),
    platformCustomer: platformCustomerOf(raw as VtexDocument),
    carrier: mapCarrier(order),
    items,
    payments: mapPayments(order),
    itemsTotalCents: totalOf(order, 'Items') ?? items.reduce((sum, item) => sum + item.totalCents, 0),
    shippingTotalCents: totalOf(order, 'Shipping') ?? 0,
    discountTotalCents: totalOf(order, 'Discounts') ?? 0,
    totalCents: order.value,
  };
}

function marketplaceOf(order: VtexOrder): ErpMarketplace | null {
  const name = blankToNull(order.marketplace?.name);
  const orderId = blankToNull(order.marketplaceOrderId);
  const affiliateId = blankToNull(order.affiliateId);
  // A seller's order from a VTEX marketplace has no affiliate: that marketplace's account names it.
  const key = affiliateId ?? (order.origin === 'Fulfillment' ? name : null);
  if (key === null) return null;
  if (!AFFILIATE_ID.test(key)) {
    throw invalid(`${affiliateId ? 'affiliateId' : 'marketplace.name'} must be at most 60 letters, digits, dots, dashes or underscores`);
  }
  for (const [field, value] of [
    ['marketplace.name', name],
    ['marketplaceOrderId', orderId],
  ] as const) {
    if (value !== null && (value.length > 200 || /\p{Cc}/u.test(value)))
      throw invalid(`${field} must be one line of at most 200 characters`);
  }
  return { affiliateId: key, name, orderId };
}

/** What a marketplace key may be (it is shown in reasons and typed in commands). */
const AFFILIATE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/;

function currencyOf(order: VtexOrder): string | null {
  const code = blankToNull(order.storePreferencesData?.currencyCode);
  return code && /^[A-Za-z]{3}$/.test(code) ? code.toUpperCase() : null;
}

/** The invoice address, else the shipping address unless the order is picked up (that is the point's). */
function customerAddressOf(order: VtexOrder): VtexAddress | null {
  if (order.invoiceData?.address) return order.invoiceData.address;
  const address = order.shippingData?.address ?? null;
  return address?.addressType === 'pickup' ? null : address;
}

/**
 * `1172452900788-01` → `1172452900788`, `MGZ-49204204203-01` → `MGZ-49204204203`: the order id
 * without its split suffix, VTEX's two-digit seller sequence. Only that suffix goes: a marketplace
 * id written without one (`MGZ-49204204203`) keeps its number, so that two orders of one
 * affiliate never share a code.
 */
export function orderNumberOf(orderId: string): string {
  const number = orderId.replace(/-\d{1,2}$/, '');
  return /\d/.test(number) ? number : orderId;
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
  const personal = blankToNull(profile.document);
  const corporate = blankToNull(profile.corporateDocument);
  // A company may come with isCorporate false (or null) and only its CNPJ in corporateDocument.
  const isCorporate = corporate !== null && (profile.isCorporate === true || personal === null);
  const field = isCorporate ? 'corporateDocument' : 'document';
  const document = documentOf(isCorporate ? corporate : personal, field, isCorporate);
  const personName = blankToNull([profile.firstName, profile.lastName].map((part) => part?.trim() ?? '').join(' '));
  const name = isCorporate ? (blankToNull(profile.corporateName) ?? blankToNull(profile.tradeName) ?? personName) : personName;
  if (name === null) {
    throw invalid(`clientProfileData.${isCorporate ? 'corporateName' : 'firstName and lastName'} must not be empty`);
  }
  return {
    document: 'digits' in document ? document.digits : null,
    documentType: 'digits' in document ? document.type : null,
    documentIssue: 'issue' in document ? document.issue : null,
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
    listPriceCents: item.listPrice ?? item.price,
    totalCents: unitPriceCents * item.quantity,
  };
}

function mapCarrier(order: VtexOrder): ErpCarrier | null {
  const logistics = order.shippingData?.logisticsInfo?.[0];
  if (!logistics) return null;
  const pickup = logistics.deliveryChannel === 'pickup-in-point';
  const name = pickup
    ? (blankToNull(logistics.pickupStoreInfo?.friendlyName) ?? blankToNull(logistics.selectedSla))
    : (blankToNull(logistics.deliveryCompany) ?? blankToNull(logistics.selectedSla));
  if (name === null) return null;
  const code = carrierCodeOf(name);
  if (code === '') {
    const field = pickup ? 'pickupStoreInfo.friendlyName' : 'deliveryCompany';
    throw invalid(`shippingData.logisticsInfo[0].${field} has no letter or digit to make a carrier code`);
  }
  return { code, name };
}

function mapPayments(order: VtexOrder): ErpOrderPayment[] {
  const payments = (order.paymentData?.transactions ?? [])
    .filter((transaction) => transaction.isActive !== false)
    .flatMap((transaction) => transaction.payments ?? []);
  return payments.map((payment, index) => ({
    lineNumber: index + 1,
    platformPaymentId: blankToNull(payment.id),
    paymentSystem: blankToNull(payment.paymentSystem),
    paymentSystemName: blankToNull(payment.paymentSystemName),
    paymentGroup: blankToNull(payment.group),
    installments: payment.installments ?? 1,
    valueCents: payment.value,
  }));
}

function totalOf(order: VtexOrder, id: 'Items' | 'Shipping' | 'Discounts'): number | undefined {
  return order.totals?.find((entry) => entry.id === id)?.value;
}

type Document = { digits: string; type: 'cpf' | 'cnpj' } | { issue: string };

/**
 * A CPF (11 digits) or CNPJ (14 digits) without punctuation, with valid check digits; otherwise
 * what is wrong with it, without quoting it (the importer decides whether that blocks the order).
 */
function documentOf(value: string | null, field: string, corporate: boolean): Document {
  if (value === null) return { issue: 'the customer has no document (clientProfileData.document and corporateDocument are empty)' };
  const digits = value.replace(/[\s./-]/g, '');
  if (!corporate && /^\d{11}$/.test(digits) && hasValidCheckDigits(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2])) {
    return { digits, type: 'cpf' };
  }
  if (/^\d{14}$/.test(digits) && hasValidCheckDigits(digits, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])) {
    return { digits, type: 'cnpj' };
  }
  return { issue: invalidDocumentReason(field, digits, corporate) };
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

/** Text, or an id VTEX sent as a number, trimmed; null when absent or blank. */
function blankToNull(value: string | number | null | undefined): string | null {
  const trimmed = value === null || value === undefined ? undefined : String(value).trim();
  return trimmed ? trimmed : null;
}

function reasonOf(error: ZodError): string {
  const [first] = error.issues;
  const more = error.issues.length - 1;
  return `${formatPath(first.path)} ${first.message}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : ''}`;
}

/** Says what is wrong with the document without quoting it: a foreign one is told apart from a mistyped one. */
function invalidDocumentReason(field: string, digits: string, corporate: boolean): string {
  const foreign = !/^(\d{11}|\d{14})$/.test(digits) ? ' (it is not 11 or 14 digits: a foreign document?)' : '';
  const expected = corporate ? 'a CNPJ (14 digits)' : 'a CPF (11 digits) or CNPJ (14 digits)';
  return `invalid customer document: clientProfileData.${field} is not ${expected} with valid check digits${foreign}`;
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
