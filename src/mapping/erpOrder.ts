/**
 * The ERP's view of one platform order: what a mapper produces and the ERP store writes.
 * Money is integer cents, as the platform sends it.
 */
export interface ErpCustomer {
  /** CPF or CNPJ, digits only; null when the platform sent none or one that is not valid. */
  document: string | null;
  documentType: 'cpf' | 'cnpj' | null;
  /** Why the document is null (never quoting it); the importer blocks or warns by the vitrine's setting. */
  documentIssue: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  isCorporate: boolean;
  stateRegistration: string | null;
  street: string | null;
  number: string | null;
  complement: string | null;
  neighborhood: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface ErpOrderItem {
  lineNumber: number;
  sku: string;
  name: string;
  ean: string | null;
  refId: string | null;
  quantity: number;
  unitPriceCents: number;
  listPriceCents: number;
  totalCents: number;
}

export interface ErpOrderPayment {
  lineNumber: number;
  /** Platform id of this payment. */
  platformPaymentId: string | null;
  /** Platform payment system id (VTEX `paymentSystem`, e.g. "2"); null on a payment a marketplace settles. */
  paymentSystem: string | null;
  /** Platform payment system name (VTEX `paymentSystemName`, e.g. "Visa", "Assumed value by affiliate MGZ"). */
  paymentSystemName: string | null;
  /** Platform payment group (VTEX `group`, e.g. "creditCard"). */
  paymentGroup: string | null;
  installments: number;
  valueCents: number;
}

export interface ErpCarrier {
  /** Stable code derived from the platform's carrier name. */
  code: string;
  name: string;
}

/** The marketplace an order came through. */
export interface ErpMarketplace {
  /** Its key in the marketplace DE-PARA: VTEX `affiliateId` (e.g. "MGZ"), or a VTEX marketplace's account name. */
  affiliateId: string;
  /** Its name as the platform sent it (VTEX `marketplace.name`). */
  name: string | null;
  /** The order's id on the marketplace (VTEX `marketplaceOrderId`). */
  orderId: string | null;
}

export interface ErpOrder {
  externalOrderId: string;
  /** Platform order number used in the ERP order code (VTEX: order id without the "-01" suffix). */
  platformOrderNumber: string;
  /** The platform's own origin field as sent (VTEX: "Marketplace", "Fulfillment", "Chain"). Not the ERP origin. */
  platformOrigin: string | null;
  /** The marketplace (affiliate) it came through; null for the store's own site. */
  marketplace: ErpMarketplace | null;
  /** ISO 4217 code from the document (VTEX storePreferencesData); null: the vitrine's currency. */
  currency: string | null;
  /** The platform's state; empty when the document has none (the feed's state then says). */
  platformState: string;
  placedAt: string;
  approvedAt: string | null;
  /** Why the order was cancelled, or why the customer asks to cancel it (VTEX cancelReason), when the platform says. */
  cancelReason: string | null;
  customer: ErpCustomer;
  /** The customer exactly as the platform sent it; only default-field expressions read it. */
  platformCustomer: Record<string, unknown>;
  carrier: ErpCarrier | null;
  items: ErpOrderItem[];
  payments: ErpOrderPayment[];
  itemsTotalCents: number;
  shippingTotalCents: number;
  discountTotalCents: number;
  totalCents: number;
}

/** Thrown by a mapper when a platform order cannot become an ERP order; the message says why. */
export class OrderMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderMappingError';
  }
}
