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

/** The status DE-PARA a new VTEX vitrine starts with: VTEX state -> ERP status. */
export const VTEX_DEFAULT_STATUS_MAPPINGS: Record<string, ErpStatus> = {
  'order-created': 'Aguardando pagamento',
  'order-completed': 'Aguardando pagamento',
  'on-order-completed': 'Aguardando pagamento',
  'payment-pending': 'Aguardando pagamento',
  'waiting-for-order-authorization': 'Aguardando pagamento',
  'approve-payment': 'Aguardando pagamento',
  'waiting-for-seller-decision': 'Aguardando pagamento',
  'authorize-fulfillment': 'Aguardando pagamento',
  // A marketplace's order waits for the seller's authorization (VTEX marketplace flow).
  'waiting-ffmt-authorization': 'Aguardando pagamento',
  'window-to-cancel': 'Aguardando pagamento',
  'payment-approved': 'Pagamento confirmado',
  'ready-for-handling': 'Pagamento confirmado',
  'start-handling': 'Em preparação',
  handling: 'Em preparação',
  invoiced: 'Despachado',
  // The package's way after the invoice (VTEX keeps the order in invoiced; these name the steps
  // the ERP moves it through: tracking number sent, delivered).
  dispatched: 'Embarcado',
  delivered: 'Entregue',
  // The customer or the marketplace asked to cancel: an admin decides (vitrine orders cancel).
  'request-cancel': 'Problemas',
  'cancellation-requested': 'Problemas',
  'payment-denied': 'Cancelado',
  cancel: 'Cancelado',
  canceled: 'Cancelado',
};

/** The ERP status of a platform state in a vitrine's DE-PARA, or undefined for a state it lacks. */
export function erpStatusFor(statusMappings: Map<string, ErpStatus>, platformState: string): ErpStatus | undefined {
  return statusMappings.get(platformState);
}

export function isErpStatus(value: string): value is ErpStatus {
  return (ERP_STATUSES as readonly string[]).includes(value);
}

/** VTEX states that mean the platform asks the seller to cancel the order. */
export function isCancellationRequest(platformState: string): boolean {
  return platformState === 'request-cancel' || platformState === 'cancellation-requested';
}

/**
 * The steps of Atualização de Status, each the ERP status the vitrine's status DE-PARA gives its
 * platform state: the invoice (VTEX invoiced), the tracking number (dispatched), the delivery
 * (delivered) and the cancellation (canceled).
 */
export const STATUS_UPDATE_STATES = { invoice: 'invoiced', tracking: 'dispatched', delivery: 'delivered', cancel: 'canceled' } as const;
const STATUS_UPDATE_DEFAULTS: Record<keyof typeof STATUS_UPDATE_STATES, ErpStatus> = {
  invoice: 'Despachado',
  tracking: 'Embarcado',
  delivery: 'Entregue',
  cancel: 'Cancelado',
};

/** The ERP status an Atualização de Status step moves an order to, through the vitrine's DE-PARA. */
export function statusAfter(statusMappings: Map<string, ErpStatus>, step: keyof typeof STATUS_UPDATE_STATES): ErpStatus {
  return statusMappings.get(STATUS_UPDATE_STATES[step]) ?? STATUS_UPDATE_DEFAULTS[step];
}

/**
 * ERP to platform: the call that tells the platform an order entered `status` in the ERP, if any.
 * Em preparação (the platform state "handling") is VTEX's start-handling.
 */
export function platformActionFor(statusMappings: Map<string, ErpStatus>, status: ErpStatus): 'start-handling' | 'cancel' | undefined {
  if (statusMappings.get('handling') === status) return 'start-handling';
  return statusMappings.get('canceled') === status ? 'cancel' : undefined;
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

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The ERP status a person typed, matched regardless of case, accents and extra spaces
 * ("em preparacao" is "Em preparação"), or undefined when it names none.
 */
export function matchErpStatus(text: string): ErpStatus | undefined {
  const wanted = fold(text);
  return ERP_STATUSES.find((status) => fold(status) === wanted);
}
