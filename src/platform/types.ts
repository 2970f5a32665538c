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

/** A queue item that breaks the contract: acknowledged when it has a handle, logged, never imported. */
export interface MalformedQueueItem {
  handle?: string;
  /** When the item has a usable one. */
  orderId?: string;
  /** Which fields are wrong, without their values. */
  reason: string;
}

/** One read of the queue: the items to import and the ones that cannot be. */
export interface QueueFetch {
  items: QueueItem[];
  malformed: MalformedQueueItem[];
}

/** Credentials and address of one vitrine's platform account. */
export interface PlatformAccount {
  baseUrl: string;
  appKey: string;
  appToken: string;
}

export interface PlatformConnector {
  /** Reads up to `maxItems` visible items from the queue (the platform hides them for a while). */
  fetchQueue(maxItems: number): Promise<QueueFetch>;
  /** Acknowledges items: they leave the queue for good. */
  commitQueue(handles: string[]): Promise<void>;
  /** The platform's full order document (VTEX Get order). */
  getOrder(orderId: string): Promise<unknown>;
  /** Tells the platform that the ERP started handling the order. */
  startHandling(orderId: string): Promise<void>;
  /** Atualização de Status: an invoice (sale or return) of the order. Told twice, it stays one invoice. */
  sendInvoice(orderId: string, invoice: InvoiceNotice): Promise<void>;
  /** The tracking number of an invoiced package. */
  sendTracking(orderId: string, tracking: TrackingNotice): Promise<void>;
  /** The package's tracking events and delivery, the whole list each time. */
  sendTrackingStatus(orderId: string, status: TrackingStatusNotice): Promise<void>;
  /** Cancels the order on the platform (refused once it is invoiced). */
  cancelOrder(orderId: string, reason: string): Promise<void>;
  /** The platform's feed configuration, or null when it has none. */
  getFeedConfig(): Promise<FeedConfig | null>;
  configureFeed(config: FeedConfig): Promise<void>;
  /** The platform's orders hook configuration, or null when it has none. */
  getHookConfig(): Promise<HookConfig | null>;
  /** Writes the hook configuration; the platform pings the URL first and refuses it unless answered. */
  configureHook(config: HookConfig): Promise<void>;
  removeHookConfig(): Promise<void>;
}

/** What the ERP tells the platform of an invoice (NF-e). Money in cents. */
export interface InvoiceNotice {
  kind: 'sale' | 'return';
  number: string;
  series: string | null;
  accessKey: string;
  issuedAt: Date;
  valueCents: number;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  xml: string | null;
  url: string | null;
}

export interface TrackingNotice {
  invoiceNumber: string;
  trackingNumber: string;
  trackingUrl: string | null;
  carrier: string | null;
  dispatchedAt: Date | null;
}

export interface TrackingStatusNotice {
  invoiceNumber: string;
  delivered: boolean;
  deliveredAt: Date | null;
  events: Array<{ occurredAt: Date; city: string; state: string; description: string }>;
}

/** The feed's filter (the platform states it carries) and queue settings. */
export interface FeedConfig {
  states: string[];
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
}

/** The orders hook: the states it notifies, the URL it calls and the headers it sends (its only authentication). */
export interface HookConfig {
  states: string[];
  url: string;
  headers: Record<string, string>;
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
