import type { ImportSettings } from '../erp/store/importSettings';
import type { VitrineRow } from '../erp/tables';
import type { ErpOrder } from '../mapping/erpOrder';
import { resolvePayment } from './rules/payments';
import { erpStatusFor, isPaymentApproved, type ErpStatus } from './rules/statuses';

/**
 * An order the ERP refuses for a reason an admin can fix (a missing DE-PARA row, a clashing order
 * code). The importer keeps it as a blocked order; it is never retried automatically.
 */
export class OrderRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderRejectedError';
  }
}

/** What the vitrine's settings make of a new order: its code, ERP status and payments. */
export interface OrderDecision {
  orderCode: string;
  status: ErpStatus;
  /** The payment condition of the order: its payments' conditions, each once. */
  paymentCondition: string;
  approved: boolean;
  payments: Array<{ payment: ErpOrder['payments'][number]; paymentTypeId: number; condition: string }>;
}

/** The ERP order code of a platform order: `<prefix>-<platform order number>`, e.g. VT-1172452900788. */
export function orderCodeOf(vitrine: Pick<VitrineRow, 'order_code_prefix'>, platformOrderNumber: string): string {
  return `${vitrine.order_code_prefix}-${platformOrderNumber}`;
}

/**
 * The status DE-PARA and the payment DE-PARA applied to a new order. Throws OrderRejectedError
 * naming what is missing, for the admin to add.
 */
export function decideOrder(settings: ImportSettings, order: ErpOrder): OrderDecision {
  const status = erpStatusFor(settings.statusMappings, order.platformState);
  if (!status) throw new OrderRejectedError(`unmapped platform state ${order.platformState}`);
  const payments = order.payments.map((payment) => {
    const resolved = resolvePayment(payment, settings.paymentMappings);
    if (!resolved) throw new OrderRejectedError(`unmapped payment type ${payment.paymentSystemName}`);
    return { payment, paymentTypeId: resolved.paymentTypeId, condition: resolved.condition };
  });
  return {
    orderCode: orderCodeOf(settings.vitrine, order.platformOrderNumber),
    status,
    paymentCondition: [...new Set(payments.map((p) => p.condition))].join(' + '),
    approved: isPaymentApproved(status),
    payments,
  };
}

/**
 * "Não atualiza dados do cliente": with it on, these columns of a customer the ERP already has are
 * kept as they are, by imports and by default rules alike.
 */
export const IDENTITY_COLUMNS: ReadonlySet<string> = new Set(['name', 'state_registration', 'rg']);

export function keptCustomerColumns(vitrine: Pick<VitrineRow, 'keep_customer_identity'>): ReadonlySet<string> {
  return vitrine.keep_customer_identity ? IDENTITY_COLUMNS : new Set();
}
