import type { ErpOrderPayment } from '../../mapping/erpOrder';
import type { PaymentTypeMappingRow } from '../../erp/tables';

/**
 * DE-PARA de tipos de pagamento. A platform payment is matched by its payment system id, then by
 * its name (case-insensitive), then by the vitrine's default row "*".
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
];

export interface ResolvedPayment {
  paymentTypeId: number;
  condition: string;
}

/** Finds the ERP payment type of one platform payment, or undefined when nothing maps it. */
export function resolvePayment(payment: ErpOrderPayment, mappings: PaymentTypeMappingRow[]): ResolvedPayment | undefined {
  const byKey = new Map(mappings.map((row) => [row.platform_payment.toLowerCase(), row]));
  const row =
    byKey.get(payment.paymentSystem.toLowerCase()) ?? byKey.get(payment.paymentSystemName.toLowerCase()) ?? byKey.get(DEFAULT_PAYMENT_KEY);
  if (!row) return undefined;
  return {
    paymentTypeId: row.payment_type_id,
    condition: row.payment_condition.replaceAll('{n}', String(payment.installments)),
  };
}
