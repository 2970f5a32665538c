import type { ImportSettings } from '../erp/store/importSettings';
import type { VitrineRow } from '../erp/tables';
import type { ErpOrder } from '../mapping/erpOrder';
import { marketplaceRowFor, SITE_ORIGIN, withoutAffiliatePrefix } from './rules/marketplaces';
import { conditionFor, paymentLabel, resolvePayment } from './rules/payments';
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

/** What the vitrine's settings make of a new order: its code, origin, ERP status and payments. */
export interface OrderDecision {
  orderCode: string;
  /** The ERP origin: "website", or the channel of the marketplace it came through. */
  origin: string;
  currency: string;
  /** Payments total minus the order total when they differ (the order is kept and flagged), else null. */
  paymentDifferenceCents: number | null;
  status: ErpStatus;
  /** The payment condition of the order: its payments' conditions, each once. */
  paymentCondition: string;
  approved: boolean;
  payments: Array<{ payment: ErpOrder['payments'][number]; paymentTypeId: number; condition: string }>;
  /** What the order is imported despite (a customer without a valid document), kept on the order. */
  warnings: string[];
}

/** The ERP order code of a platform order: `<prefix>-<platform order number>`, e.g. VT-1172452900788. */
export function orderCodeOf(vitrine: Pick<VitrineRow, 'order_code_prefix'>, platformOrderNumber: string): string {
  return `${vitrine.order_code_prefix}-${platformOrderNumber}`;
}

/** The ERP status of a platform state through the status DE-PARA; OrderRejectedError when it has none. */
export function mappedStatusOf(settings: Pick<ImportSettings, 'statusMappings'>, platformState: string): ErpStatus {
  if (!platformState) throw new OrderRejectedError('the order has no state: its document has an empty status and no feed event named one');
  const status = erpStatusFor(settings.statusMappings, platformState);
  if (!status) throw new OrderRejectedError(`unmapped platform state ${platformState}`);
  return status;
}

/**
 * The marketplace, status and payment DE-PARA applied to a new order. Throws OrderRejectedError
 * naming what is missing and the command that adds it.
 */
export function decideOrder(settings: ImportSettings, order: ErpOrder): OrderDecision {
  const { vitrine } = settings;
  const status = mappedStatusOf(settings, order.platformState);
  // Orders stored with a page by an earlier version have no documentIssue: their document was valid.
  const documentIssue = order.customer.documentIssue ?? null;
  if (documentIssue && vitrine.require_document) {
    throw new OrderRejectedError(
      `${documentIssue}; the vitrine requires a CPF or CNPJ (vitrine settings ${vitrine.code} --no-require-document imports such orders without one)`,
    );
  }

  // Orders stored with a page by an earlier version have no marketplace field.
  const marketplace = order.marketplace ?? null;
  const row = marketplace ? marketplaceRowFor(settings.marketplaceMappings, marketplace.affiliateId) : undefined;
  if (marketplace && !row) {
    throw new OrderRejectedError(
      `marketplace ${marketplace.affiliateId} has no DE-PARA row: add it with: vitrine marketplaces ${vitrine.code} set ${marketplace.affiliateId} <channel>`,
    );
  }
  const settled = row?.payment_type_id != null ? { paymentTypeId: row.payment_type_id, condition: row.payment_condition! } : undefined;

  let platformPayments = order.payments;
  if (platformPayments.length === 0) {
    if (!settled) {
      throw new OrderRejectedError(
        marketplace
          ? `the order has no payment (the marketplace settles it): give marketplace ${marketplace.affiliateId} a payment type with: vitrine marketplaces ${vitrine.code} set ${marketplace.affiliateId} <channel> --payment-type <type> --condition <condition>`
          : 'invalid platform order: paymentData.transactions has no payment',
      );
    }
    // The marketplace pays the whole order: one payment of its value.
    platformPayments = [
      {
        lineNumber: 1,
        platformPaymentId: null,
        paymentSystem: null,
        paymentSystemName: null,
        paymentGroup: null,
        installments: 1,
        valueCents: order.totalCents,
      },
    ];
  }
  const payments = platformPayments.map((payment) => {
    if (settled) return { payment, paymentTypeId: settled.paymentTypeId, condition: conditionFor(settled.condition, payment.installments) };
    const resolved = resolvePayment(payment, settings.paymentMappings);
    if (!resolved) {
      const hint = marketplace
        ? ` (or give marketplace ${marketplace.affiliateId} a payment type: vitrine marketplaces ${vitrine.code} set)`
        : '';
      throw new OrderRejectedError(`unmapped payment type ${paymentLabel(payment)}${hint}`);
    }
    return { payment, paymentTypeId: resolved.paymentTypeId, condition: resolved.condition };
  });
  const paid = payments.reduce((sum, p) => sum + p.payment.valueCents, 0);

  const prefix = row?.order_code_prefix;
  const number = prefix ? withoutAffiliatePrefix(order.platformOrderNumber, marketplace!.affiliateId) : order.platformOrderNumber;
  return {
    orderCode: prefix ? `${prefix}-${number}` : orderCodeOf(vitrine, number),
    origin: row ? row.channel : SITE_ORIGIN,
    currency: order.currency ?? vitrine.currency,
    paymentDifferenceCents: paid === order.totalCents ? null : paid - order.totalCents,
    status,
    paymentCondition: [...new Set(payments.map((p) => p.condition))].join(' + '),
    approved: isPaymentApproved(status),
    payments,
    warnings: documentIssue ? [`${documentIssue}: the customer was imported without a document`] : [],
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
