/**
 * Payment part of generated orders (paymentData), field for field like the contract's Get order
 * example, with values that fit each payment group (card, Pix, boleto, gift card).
 */
import { CARDS, type PaymentSystem, SINGLE_PAYMENTS, VALE } from './data';
import { type Rng } from './random';

export interface BillingAddress {
  country: string;
  street: string;
  number: string;
  complement: string;
  reference: null;
  geoCoordinates: number[];
  neighborhood: string;
  postalCode: string;
  city: string;
  state: string;
}

interface PaymentContext {
  rng: Rng;
  account: string;
  creation: Date;
  billingAddress: BillingAddress;
}

/** Splits `value` into one payment (90%) or gift card + card (10%); values always sum to `value`. */
export function generatePaymentData(ctx: PaymentContext, value: number): Record<string, unknown> {
  const { rng } = ctx;
  const plan: Array<[PaymentSystem, number]> = [];
  if (rng.chance(0.1) && value >= 200) {
    const gift = Math.max(100, Math.round((value * rng.int(10, 40)) / 100));
    plan.push([VALE, gift], [rng.pick(CARDS), value - gift]);
  } else {
    plan.push([rng.weighted(SINGLE_PAYMENTS), value]);
  }
  const payments = plan.map(([system, amount]) => payment(ctx, system, amount));
  const giftCards = payments
    .filter((p) => p.group === 'giftCard')
    .map((p) => ({
      id: p.giftCardId,
      redemptionCode: p.redemptionCode,
      name: p.giftCardName,
      caption: null,
      value: p.value,
      balance: 0,
      provider: p.giftCardProvider,
      groupName: null,
      inUse: true,
      isSpecialCard: false,
    }));
  return {
    transactions: [{ isActive: true, transactionId: rng.hex(32), merchantName: ctx.account, payments }],
    giftCards,
  };
}

/**
 * The payment data of an order a marketplace settles: VTEX sends the seller one payment of the
 * whole value named after the affiliate, with no transaction, payment id, system, group or tid,
 * and 0 installments (every other field as on any payment, empty).
 */
export function marketplacePaymentData(ctx: PaymentContext, affiliateId: string, value: number): Record<string, unknown> {
  const name = `Assumed value by affiliate ${affiliateId}`;
  const shape = payment(ctx, { id: '', name, group: 'giftCard' }, value);
  const assumed = {
    ...Object.fromEntries(Object.keys(shape).map((key) => [key, null])),
    paymentSystemName: name,
    value,
    referenceValue: value,
    installments: 0,
    connectorResponses: {},
  };
  return { transactions: [{ isActive: true, transactionId: null, merchantName: null, payments: [assumed] }], giftCards: [] };
}

function payment(ctx: PaymentContext, system: PaymentSystem, value: number): Record<string, unknown> {
  const { rng } = ctx;
  const id = rng.hex(32);
  const isCard = system.group === 'creditCard';
  const isBoleto = system.group === 'bankInvoice';
  const isGift = system.group === 'giftCard';
  const isPix = system.group === 'instantPayment';
  // Installments only for cards, and never below R$ 10 each (stores usually set a minimum).
  const maxInstallments = Math.max(1, Math.min(10, Math.floor(value / 1000)));
  const installments = isCard ? (rng.chance(0.45) ? 1 : rng.int(1, maxInstallments)) : 1;
  const expireMonth = String(rng.int(1, 12)).padStart(2, '0');
  const expireYear = String(ctx.creation.getUTCFullYear() + rng.int(1, 7));
  const tid = isPix ? `E${rng.digits(8)}${rng.digits(12)}${rng.hex(11)}` : rng.digits(isCard ? 10 : 12);
  const boletoLine = isBoleto ? `34191${rng.digits(42)}` : null;
  const due = new Date(ctx.creation.getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
  return {
    id,
    paymentSystem: system.id,
    paymentSystemName: system.name,
    value,
    installments,
    referenceValue: value,
    cardHolder: null,
    cardNumber: null,
    firstDigits: isCard ? cardBin(rng, system.id) : null,
    lastDigits: isCard ? rng.digits(4) : null,
    cvv2: null,
    expireMonth: isCard ? expireMonth : null,
    expireYear: isCard ? expireYear : null,
    url: isBoleto ? `https://${ctx.account}.vtexpayments.com.br/BankIssuedInvoice/Transaction/${tid}/Payment/${id}/Installment/1` : null,
    giftCardId: isGift ? rng.digits(6) : null,
    giftCardName: isGift ? 'Vale-compra' : null,
    giftCardCaption: null,
    redemptionCode: isGift ? `***********${rng.hex(4)}` : null,
    group: system.group,
    tid,
    dueDate: isCard ? `${expireMonth}/${expireYear.slice(2)}` : isBoleto ? due : null,
    connectorResponses: isCard
      ? { authId: rng.digits(6), Tid: tid, ReturnCode: '00', Message: 'Transação autorizada' }
      : isPix
        ? { Tid: tid, ReturnCode: '00', Message: 'Pix recebido' }
        : {},
    giftCardProvider: isGift ? 'VtexGiftCard' : null,
    giftCardAsDiscount: isGift ? false : null,
    koinUrl: null,
    accountId: isCard ? rng.hex(32) : null,
    parentAccountId: null,
    bankIssuedInvoiceIdentificationNumber: boletoLine,
    bankIssuedInvoiceIdentificationNumberFormatted: boletoLine ? formatBoletoLine(boletoLine) : null,
    bankIssuedInvoiceBarCodeNumber: boletoLine ? boletoLine.slice(0, 44) : null,
    bankIssuedInvoiceBarCodeType: boletoLine ? 'i25' : null,
    billingAddress: isCard ? ctx.billingAddress : null,
    paymentOrigin: null,
  };
}

/** First six digits of the card, by brand (Visa 4, Mastercard 5, Amex 37). */
function cardBin(rng: Rng, paymentSystem: string): string {
  if (paymentSystem === '2') return `4${rng.digits(5)}`;
  if (paymentSystem === '4') return `5${rng.int(1, 5)}${rng.digits(4)}`;
  return `37${rng.digits(4)}`;
}

/** "34191.09008 63571.277308 71444.640008 5 96170000015990" style grouping of the typed line. */
function formatBoletoLine(line: string): string {
  const l = line.slice(0, 47);
  return `${l.slice(0, 5)}.${l.slice(5, 10)} ${l.slice(10, 15)}.${l.slice(15, 21)} ${l.slice(21, 26)}.${l.slice(26, 32)} ${l.slice(32, 33)} ${l.slice(33)}`;
}
