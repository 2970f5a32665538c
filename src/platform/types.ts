/**
 * What the import needs from an e-commerce platform, whatever the platform. The VTEX connector is
 * the first implementation; the workflow and the ERP store only see these types.
 */

/** One event of a vitrine's integration queue. Ids and handles only: no customer data. */
export interface QueueItem {
  /** Opaque token that acknowledges (commits) this item. */
  handle: string;
  /** The platform's order id, as text (e.g. VTEX "1172452900788-01"). */
  orderId: string;
  /** The order's state when the event was emitted (e.g. "payment-approved"). */
  state: string;
}

/** Credentials and address of one vitrine's platform account. */
export interface PlatformAccount {
  baseUrl: string;
  appKey: string;
  appToken: string;
}

export interface PlatformConnector {
  /** Reads up to `maxItems` visible items from the queue (the platform hides them for a while). */
  fetchQueue(maxItems: number): Promise<QueueItem[]>;
  /** Acknowledges items: they leave the queue for good. */
  commitQueue(handles: string[]): Promise<void>;
  /** The platform's full order document (VTEX Get order). */
  getOrder(orderId: string): Promise<unknown>;
  /** Tells the platform that the ERP started handling the order. */
  startHandling(orderId: string): Promise<void>;
}

/**
 * A platform call that failed. `retryable` is true for network errors, timeouts, HTTP 429 and 5xx:
 * the same call may succeed later. Other errors (4xx) are final for that request.
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** Seconds the platform asked us to wait (HTTP Retry-After), if it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}
