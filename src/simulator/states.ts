/** The order workflow the simulator models: a subset of VTEX's, enough for the import. */

export const ORDER_STATES = [
  'payment-pending',
  'payment-approved',
  'ready-for-handling',
  'handling',
  'invoiced',
  'request-cancel',
  'canceled',
] as const;

export type OrderState = (typeof ORDER_STATES)[number];

export function isOrderState(value: unknown): value is OrderState {
  return typeof value === 'string' && (ORDER_STATES as readonly string[]).includes(value);
}

/** VTEX Admin's Portuguese descriptions (the contract's example: handling → "Preparando Entrega"). */
const DESCRIPTIONS: Record<string, string> = {
  'order-created': 'Pedido Criado',
  'payment-pending': 'Pagamento Pendente',
  'payment-approved': 'Pagamento Aprovado',
  'window-to-cancel': 'Carência para Cancelamento',
  'ready-for-handling': 'Pronto para o manuseio',
  handling: 'Preparando Entrega',
  invoiced: 'Faturado',
  'request-cancel': 'Cancelamento Solicitado',
  canceled: 'Cancelado',
};

export function statusDescription(state: string): string {
  return DESCRIPTIONS[state] ?? state;
}

/**
 * The state an order had before `state` when it is created directly in `state` (the feed event
 * needs a lastState): the previous step of the happy path, "order-created" at the start.
 */
export function previousStateOf(state: string): string {
  switch (state) {
    case 'payment-approved':
      return 'payment-pending';
    case 'ready-for-handling':
      return 'payment-approved';
    case 'handling':
      return 'ready-for-handling';
    case 'invoiced':
      return 'handling';
    default:
      return 'order-created';
  }
}

/** States in which the payment is authorized, so `authorizedDate` is set. */
export function isAuthorizedState(state: string): boolean {
  return state === 'payment-approved' || state === 'ready-for-handling' || state === 'handling' || state === 'invoiced';
}
