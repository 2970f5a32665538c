import type { ErpOrderPayment } from '../../mapping/erpOrder';
import type { PaymentTypeMappingRow } from '../../erp/tables';

/**
 * DE-PARA de tipos de pagamento. A platform payment is matched by its payment system id, then by
 * its name, then by its payment group (VTEX `group`: creditCard, giftCard...), all without regard
 * to case, then by the vitrine's default row "*". Names differ from account to account (a gift
 * card is "Vale" on one, "Cartão Presente" on another); groups do not.
 */
export const DEFAULT_PAYMENT_KEY = '*';

/** The mapping a new VTEX vitrine starts with: VTEX's usual payment systems. */
export const VTEX_DEFAULT_PAYMENT_MAPPINGS: Array<{ platformPayment: string; paymentType: string; condition: string }> = [
  { platformPayment: 'American Express', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'Visa', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'Diners', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'Mastercard', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'Elo', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'Hipercard', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'Cartão de débito', paymentType: 'CARTAO_DEBITO', condition: 'Débito à vista' },
  { platformPayment: 'Pix', paymentType: 'PIX', condition: 'Pix à vista' },
  { platformPayment: 'Boleto Bancário', paymentType: 'BOLETO', condition: 'Boleto à vista' },
  { platformPayment: 'Vale', paymentType: 'VALE_PRESENTE', condition: 'Vale-presente' },
  { platformPayment: 'Gift Card', paymentType: 'VALE_PRESENTE', condition: 'Vale-presente' },
  // VTEX payment groups, for payment systems named otherwise.
  { platformPayment: 'creditCard', paymentType: 'CARTAO_CREDITO', condition: 'Cartão {n}x' },
  { platformPayment: 'debitCard', paymentType: 'CARTAO_DEBITO', condition: 'Débito à vista' },
  { platformPayment: 'instantPayment', paymentType: 'PIX', condition: 'Pix à vista' },
  { platformPayment: 'bankInvoice', paymentType: 'BOLETO', condition: 'Boleto à vista' },
  { platformPayment: 'giftCard', paymentType: 'VALE_PRESENTE', condition: 'Vale-presente' },
  { platformPayment: 'promissory', paymentType: 'OUTROS', condition: 'Promissória' },
];

export interface ResolvedPayment {
  paymentTypeId: number;
  condition: string;
}

/** Finds the ERP payment type of one platform payment, or undefined when nothing maps it. */
export function resolvePayment(payment: ErpOrderPayment, mappings: PaymentTypeMappingRow[]): ResolvedPayment | undefined {
  const byKey = new Map(mappings.map((row) => [row.platform_payment.toLowerCase(), row]));
  const keys = [payment.paymentSystem, payment.paymentSystemName, payment.paymentGroup].filter((key) => key !== null);
  const row = keys.map((key) => byKey.get(key.toLowerCase())).find((found) => found !== undefined) ?? byKey.get(DEFAULT_PAYMENT_KEY);
  if (!row) return undefined;
  return { paymentTypeId: row.payment_type_id, condition: conditionFor(row.payment_condition, payment.installments) };
}

/** A condition with its installments: "Cartão {n}x" → "Cartão 3x". A marketplace's 0 installments read as 1. */
export function conditionFor(condition: string, installments: number): string {
  return condition.replaceAll('{n}', String(Math.max(1, installments)));
}

/** How a payment is named in a reason: its name, else its id, else its group. */
export function paymentLabel(payment: ErpOrderPayment): string {
  return (
    payment.paymentSystemName ??
    payment.paymentSystem ??
    (payment.paymentGroup ? `of group ${payment.paymentGroup}` : `${payment.lineNumber} (no name, id or group)`)
  );
}
