/**
 * The platform's feed configuration of a vitrine (VTEX `/api/orders/feed/config`), as
 * `vitrine feed <code> show | configure` and `vitrine enable` read and write it: a FromWorkflow
 * filter on the platform states the vitrine's status DE-PARA maps, and the queue's visibility
 * timeout and retention.
 */
import type { FeedConfig, PlatformConnector } from '../platform/types';
import type { ErpStatus } from '../importing/rules/statuses';
import { AdminInputError } from './errors';

/** VTEX's workflow states a FromWorkflow feed can filter on (the contract's list). */
export const VTEX_FEED_STATES = [
  'order-created',
  'on-order-completed',
  'on-order-completed-ffm',
  'payment-pending',
  'waiting-for-order-authorization',
  'approve-payment',
  'payment-approved',
  'request-cancel',
  'waiting-for-seller-decision',
  'waiting-ffmt-authorization',
  'waiting-for-authorization',
  'waiting-for-manual-authorization',
  'authorize-fulfillment',
  'order-create-error',
  'order-creation-error',
  'window-to-cancel',
  'window-to-change-seller',
  'waiting-for-mkt-authorization',
  'waiting-seller-handling',
  'ready-for-handling',
  'start-handling',
  'handling',
  'invoice-after-cancellation-deny',
  'order-accepted',
  'invoice',
  'invoiced',
  'replaced',
  'cancellation-requested',
  'cancel',
  'canceled',
];

/** VTEX's examples: 240 s hidden after a read, events kept 4 days. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 240;
export const DEFAULT_RETENTION_SECONDS = 345_600;
/** The contract's maximum retention. */
export const MAX_RETENTION_SECONDS = 1_209_600;

/** The states the vitrine's status DE-PARA maps that VTEX's feed can carry, in the contract's order. */
export function feedStatesFor(statusMappings: Map<string, ErpStatus>): string[] {
  return VTEX_FEED_STATES.filter((state) => statusMappings.has(state));
}

/** What the ERP needs of the feed and the platform does not carry: the DE-PARA states missing from its filter. */
export function missingFeedStates(config: FeedConfig | null, statusMappings: Map<string, ErpStatus>): string[] {
  // A filter with no state list (VTEX FromOrders) carries every change.
  if (!config || config.states.length === 0) return config ? [] : feedStatesFor(statusMappings);
  return feedStatesFor(statusMappings).filter((state) => !config.states.includes(state));
}

export async function configureFeed(
  connector: PlatformConnector,
  statusMappings: Map<string, ErpStatus>,
  queue: { visibilityTimeoutSeconds?: number; retentionSeconds?: number } = {},
): Promise<FeedConfig> {
  const config: FeedConfig = {
    states: feedStatesFor(statusMappings),
    visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    retentionSeconds: queue.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
  };
  if (config.states.length === 0) throw new AdminInputError('the status DE-PARA maps no VTEX feed state: nothing to configure');
  await connector.configureFeed(config);
  return config;
}
