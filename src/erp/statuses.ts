/**
 * The ERP's order statuses and how platform states map onto them (the status DE-PARA's defaults).
 */
export const ERP_STATUSES = [
  'Aguardando pagamento',
  'Pagamento confirmado',
  'Em preparação',
  'Despachado',
  'Embarcado',
  'Entregue',
  'Cancelado',
  'Problemas',
] as const;
export type ErpStatus = (typeof ERP_STATUSES)[number];

const VTEX_STATES: Record<string, ErpStatus> = {
  'order-created': 'Aguardando pagamento',
  'order-completed': 'Aguardando pagamento',
  'on-order-completed': 'Aguardando pagamento',
  'payment-pending': 'Aguardando pagamento',
  'waiting-for-order-authorization': 'Aguardando pagamento',
  'approve-payment': 'Aguardando pagamento',
  'waiting-for-seller-decision': 'Aguardando pagamento',
  'authorize-fulfillment': 'Aguardando pagamento',
  'window-to-cancel': 'Aguardando pagamento',
  'payment-approved': 'Pagamento confirmado',
  'ready-for-handling': 'Pagamento confirmado',
  'start-handling': 'Em preparação',
  handling: 'Em preparação',
  invoiced: 'Despachado',
  'payment-denied': 'Cancelado',
  cancel: 'Cancelado',
  canceled: 'Cancelado',
};

/** The ERP status of a platform state, or undefined for a state the ERP does not know. */
export function erpStatusForPlatformState(state: string): ErpStatus | undefined {
  return VTEX_STATES[state];
}

// Platform updates only move an order forward: a late or repeated event never takes an order back.
const PROGRESS: Record<ErpStatus, number> = {
  'Aguardando pagamento': 0,
  'Pagamento confirmado': 1,
  'Em preparação': 2,
  Despachado: 3,
  Embarcado: 4,
  Entregue: 5,
  Problemas: 1,
  Cancelado: 9,
};

/** Whether a platform update may move an order from `current` to `next`. */
export function isForwardTransition(current: string, next: ErpStatus): boolean {
  if (current === next || current === 'Cancelado') return false;
  const currentRank = PROGRESS[current as ErpStatus];
  return currentRank === undefined || PROGRESS[next] > currentRank;
}

/** States that mean the platform approved the payment (approved_at is set when an order gets there). */
export function isPaymentApproved(status: ErpStatus): boolean {
  return status !== 'Aguardando pagamento' && status !== 'Cancelado';
}
