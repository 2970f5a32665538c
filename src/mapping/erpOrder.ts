/**
 * The ERP's view of one platform order: what a mapper produces and the ERP store writes.
 * Money is integer cents, as the platform sends it.
 */
export interface ErpCustomer {
  /** CPF or CNPJ, digits only. */
  document: string;
  documentType: 'cpf' | 'cnpj';
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
  /** Platform payment system id (VTEX `paymentSystem`, e.g. "2"). */
  paymentSystem: string;
  /** Platform payment system name (VTEX `paymentSystemName`, e.g. "Visa"). */
  paymentSystemName: string;
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

export interface ErpOrder {
  externalOrderId: string;
  /** Platform order number used in the ERP order code (VTEX: order id without the "-01" suffix). */
  platformOrderNumber: string;
  /** Where the order came from on the platform (VTEX `origin`, e.g. "Marketplace"). */
  origin: string;
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
