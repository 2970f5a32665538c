/**
 * In-memory state of the simulated VTEX accounts: orders and each account's feed queue.
 * The queue behaves like VTEX's (an SQS queue underneath): retrieved items hide for the visibility
 * timeout and come back unless committed; any handle ever issued for an event commits it.
 */
import { randomBytes } from 'node:crypto';
import { TokenBucket } from '../shared/tokenBucket';
import { type FaultSettings, NO_FAULTS } from './faults';
import { generatedOrderIdOf, generateOrder, type LineRange, MAX_GENERATED_INDEX, type Seed, seedHash } from './generate';
import { Gate } from './http';
import { AccountHook, type OrderFilter } from './hooks';
import { Rng, vtexDate } from './random';
import { isAuthorizedState, previousStateOf, statusDescription } from './states';

export interface FeedItem {
  eventId: string;
  handle: string;
  domain: 'Fulfillment';
  state: string;
  lastState: string;
  orderId: string;
  lastChange: string;
  currentChange: string;
}

interface FeedEvent {
  seq: number;
  orderId: string;
  state: string;
  lastState: string;
  lastChangeAt: number;
  currentChangeAt: number;
  /** Meaningful once retrieved: the item is hidden until then. */
  visibleAt: number;
  /** A malformed item's fields over the usual ones; null removes a field. */
  override?: Record<string, unknown>;
}

/** One order: a posted document kept as given, or (seed, index) rebuilt on each read. */
interface OrderRecord {
  orderId: string;
  state: string;
  doc: Record<string, unknown> | null;
  seed: Seed;
  index: number;
  /** Product lines of a generated order (B2B sizes); default the generator's own. */
  lines?: LineRange;
  /** Time of the last feed event of this order (the next event's lastChange). */
  lastEventAt: number;
  /** Set once the state changed through the API; until then the document's own dates stand. */
  changedAt: number | null;
  /** undefined: the document's own authorizedDate, else the value a state change left. */
  authorizedDate: string | null | undefined;
  cancelReason: string | null;
  /** Invoices the seller sent (packageAttachment.packages), in order; bumped `revision` on each change. */
  packages: SimPackage[];
  revision: number;
  /** The serialized document, kept only for orders seeded with `render` (see documentJson). */
  rendered: { version: string; json: string } | null;
}

export type ActionResult = 'ok' | 'noop' | 'conflict' | 'not-found';

/** Effective changes an account remembers (GET /_sim/{a}/changes). */
const MAX_CHANGES = 200_000;

/** One invoice of an order as VTEX shows it in packageAttachment.packages (the contract's example). */
export interface SimPackage {
  items: Array<{ itemIndex: number; quantity: number; price: number; description: string; unitMultiplier: number }>;
  courier: string;
  invoiceNumber: string;
  invoiceValue: number;
  invoiceUrl: string | null;
  issuanceDate: string;
  trackingNumber: string;
  invoiceKey: string | null;
  trackingUrl: string;
  embeddedInvoice: string;
  type: 'Output' | 'Input';
  courierStatus: {
    status: string | null;
    finished: boolean;
    deliveredDate: string | null;
    data: Array<{ lastChange: string; city: string; state: string; description: string; createDate: string }>;
  } | null;
  cfop: string | null;
  restitutions: Record<string, unknown>;
  volumes: number;
  EnableInferItems: boolean;
}

/** What the invoice notification carries, as the route validated it. */
export interface InvoiceRequest {
  type: 'Output' | 'Input';
  issuanceDate: string;
  invoiceNumber: string;
  invoiceValue: number;
  invoiceKey: string | null;
  invoiceUrl: string | null;
  embeddedInvoice: string | null;
  courier: string;
  trackingNumber: string;
  trackingUrl: string;
  items: Array<{ id: string; price: number; quantity: number }>;
}

/** The account's feed configuration (GET/POST /api/orders/feed/config). */
export interface FeedConfiguration {
  filter: OrderFilter;
  queue: { visibilityTimeoutInSeconds: number; MessageRetentionPeriodInSeconds: number };
}

/** A new account's feed: every order change, VTEX's example queue settings (a store whose integration was set up). */
export function defaultFeedConfiguration(visibilityTimeoutMs: number): FeedConfiguration {
  return {
    filter: { type: 'FromOrders', expression: '', disableSingleFire: false },
    queue: { visibilityTimeoutInSeconds: Math.ceil(visibilityTimeoutMs / 1000), MessageRetentionPeriodInSeconds: 345_600 },
  };
}

export class Account {
  readonly orders = new Map<string, OrderRecord>();
  /** Never-retrieved events, oldest first; `head` skips the ones already taken. */
  private pending: FeedEvent[] = [];
  private head = 0;
  /** Retrieved, not committed; visible again when visibleAt <= now. */
  private readonly inFlight = new Map<number, FeedEvent>();
  visibilityTimeoutMs: number;
  /** The only app token the account takes (settings appToken); null: any non-empty one. */
  requiredAppToken: string | null = null;
  /** Null once removed, or deleted by VTEX's rule: no event during the retention period. */
  private feed: FeedConfiguration | null;
  /** When the feed got its last event, or was configured: the retention period counts from there. */
  private feedActiveAt: number;
  faults: FaultSettings = { ...NO_FAULTS };
  /** The effective changes Atualização de Status made, with their time (benchmarks measure ERP commit to change). */
  readonly changes: Array<{ orderId: string; kind: 'start-handling' | 'invoice' | 'tracking' | 'tracking-status' | 'cancel'; at: number }> =
    [];
  /** The account's orders hook: its configuration and the notifications it sends. */
  readonly hook: AccountHook;
  /** Closed by the control API to hold this account's platform requests (tests). */
  readonly gate = new Gate();
  /** Fault draws come from a seeded PRNG so a benchmark run can be replayed. */
  faultRng = new Rng(0x5eed);
  /** VTEX's limit on Get order per account (a minute; 0: none), enforced as a token bucket holding a second's worth. */
  getOrderLimitPerMinute = DEFAULT_GET_ORDER_LIMIT_PER_MINUTE;
  private getOrderBucket: TokenBucket | null = null;
  readonly counters = {
    committed: 0,
    startHandlingCalls: 0,
    startHandlingRequests: 0,
    cancelCalls: 0,
    cancelsApplied: 0,
    invoiceCalls: 0,
    invoicesApplied: 0,
    trackingCalls: 0,
    trackingApplied: 0,
    feedConfigCalls: 0,
    eventsFiltered: 0,
    feedRetrievals: 0,
    feedItemsDelivered: 0,
    refusedCredentials: 0,
    commitCalls: 0,
    getOrderCalls: 0,
    /** Bytes of the order documents Get order served whole (the benchmarks' MB/s). */
    getOrderBytes: 0,
    eventsEmitted: 0,
    eventsInjected: 0,
    platformRequests: 0,
    faultErrors: 0,
    faultTimeouts: 0,
    faultRateLimited: 0,
    faultMalformed: 0,
    /** Get order calls answered 429 because the account's limit was reached (not a random fault). */
    rateLimited: 0,
  };

  constructor(
    readonly name: string,
    private readonly store: SimulatorStore,
  ) {
    this.visibilityTimeoutMs = store.defaultVisibilityTimeoutMs;
    this.hook = new AccountHook(name, store.now);
    this.feed = defaultFeedConfiguration(this.visibilityTimeoutMs);
    this.feedActiveAt = store.now();
  }

  /** Sets the Get order limit (a minute; 0 for none); the bucket starts full. */
  setGetOrderLimit(perMinute: number): void {
    this.getOrderLimitPerMinute = perMinute;
    this.getOrderBucket = null;
  }

  /** One Get order against the account's limit: 0 when it may go, else the milliseconds until it may. */
  takeGetOrder(): number {
    if (this.getOrderLimitPerMinute === 0) return 0;
    const rate = this.getOrderLimitPerMinute / 60;
    this.getOrderBucket ??= new TokenBucket(rate, Math.max(1, Math.floor(rate)), this.store.now());
    return this.getOrderBucket.take(this.store.now());
  }

  /** The feed configuration, after applying VTEX's rule: deleted when no event came during its retention. */
  feedConfiguration(): FeedConfiguration | null {
    if (this.feed && this.store.now() - this.feedActiveAt > this.feed.queue.MessageRetentionPeriodInSeconds * 1000) this.feed = null;
    return this.feed;
  }

  configureFeed(config: FeedConfiguration | null): void {
    this.feed = config;
    this.feedActiveAt = this.store.now();
    if (config) this.visibilityTimeoutMs = config.queue.visibilityTimeoutInSeconds * 1000;
  }

  /** For the control API: as if the retention period passed with no event. */
  expireFeedConfiguration(): void {
    if (this.feed) this.feedActiveAt = this.store.now() - this.feed.queue.MessageRetentionPeriodInSeconds * 1000 - 1;
  }

  /** Stores a document as given (no validation). Its state is its `status`, else ready-for-handling. */
  putDocument(doc: Record<string, unknown>): string {
    const orderId = String(doc.orderId);
    // An old document may have an empty status: the feed still announces a state.
    const state = typeof doc.status === 'string' && doc.status !== '' ? doc.status : 'ready-for-handling';
    this.put(orderId, state, doc, 0, 0);
    return orderId;
  }

  /**
   * Creates `count` generated orders; only (seed, index, state) is kept per order, unless `render`:
   * then each document is built and serialized now and kept, the way a platform serves stored
   * documents, so that reading it costs no generation (benchmarks measure the importer, not this).
   */
  generate(count: number, seed: Seed, state: string, offset = 0, render = false, lines?: LineRange): string[] {
    if (offset + count > MAX_GENERATED_INDEX) throw new RangeError(`offset + generate must be at most ${MAX_GENERATED_INDEX}`);
    const hash = seedHash(seed);
    const ids: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const orderId = generatedOrderIdOf(hash, offset + i);
      this.put(orderId, state, null, seed, offset + i, lines);
      if (render) this.documentJson(orderId, true);
      ids[i] = orderId;
    }
    return ids;
  }

  private put(orderId: string, state: string, doc: Record<string, unknown> | null, seed: Seed, index: number, lines?: LineRange): void {
    const now = this.store.now();
    const previous = this.orders.get(orderId);
    this.orders.set(orderId, {
      orderId,
      state,
      doc,
      seed,
      index,
      lines,
      lastEventAt: now,
      changedAt: null,
      authorizedDate: undefined,
      cancelReason: null,
      packages: [],
      revision: 0,
      rendered: null,
    });
    // Re-posting an order is a change too: its event says what the order was before.
    const lastState = previous ? previous.state : previousStateOf(state);
    this.emit(orderId, state, lastState, previous ? previous.lastEventAt : now, now);
  }

  /** Moves an order to `state` (any state, for the control API) and emits its feed event. */
  setState(orderId: string, state: string, cancelReason?: string): boolean {
    const record = this.orders.get(orderId);
    if (!record) return false;
    const now = this.store.now();
    const lastState = record.state;
    const authorized = record.authorizedDate !== undefined ? record.authorizedDate : this.ownAuthorizedDate(record);
    // authorizedDate: cleared when back to payment-pending, set on the first authorized state, kept otherwise.
    if (state === 'payment-pending') record.authorizedDate = null;
    else if (isAuthorizedState(state) && authorized === null) record.authorizedDate = vtexDate(now);
    else record.authorizedDate = authorized;
    if (state === 'canceled' || state === 'request-cancel' || state === 'cancellation-requested')
      record.cancelReason = cancelReason ?? null;
    record.state = state;
    record.changedAt = now;
    this.emit(orderId, state, lastState, record.lastEventAt, now);
    record.lastEventAt = now;
    return true;
  }

  /** authorizedDate of the document as created (posted as given, or generated for its state). */
  private ownAuthorizedDate(r: OrderRecord): string | null {
    if (r.doc !== null) return typeof r.doc.authorizedDate === 'string' ? r.doc.authorizedDate : null;
    if (!isAuthorizedState(r.state)) return null;
    const doc = generateOrder({ account: this.name, seed: r.seed, index: r.index, lines: r.lines, state: r.state });
    return typeof doc.authorizedDate === 'string' ? doc.authorizedDate : null;
  }

  /** VTEX start-handling: only from ready-for-handling; again when already handling is a no-op. */
  startHandling(orderId: string): ActionResult {
    const record = this.orders.get(orderId);
    if (!record) return 'not-found';
    if (record.state === 'handling') return 'noop';
    if (record.state !== 'ready-for-handling') return 'conflict';
    this.setState(orderId, 'handling');
    this.counters.startHandlingCalls++;
    this.recordChange(orderId, 'start-handling');
    return 'ok';
  }

  /** Cancels from any state but invoiced, or partially invoiced; canceling a canceled order changes nothing. */
  cancel(orderId: string, reason?: string): ActionResult {
    const record = this.orders.get(orderId);
    if (!record) return 'not-found';
    if (record.state === 'canceled') return 'noop';
    if (record.state === 'invoiced' || record.packages.some((p) => p.type === 'Output')) return 'conflict';
    this.setState(orderId, 'canceled', reason);
    this.counters.cancelsApplied++;
    this.recordChange(orderId, 'cancel');
    return 'ok';
  }

  /**
   * VTEX's invoice notification. An invoice number the order has already is no second package
   * (the call is answered, nothing changes). A sale invoice needs the order in handling (or already
   * partly invoiced); once the sale invoices reach the order's value, the order is invoiced, with
   * its feed event. A return (Input) needs a sale invoice before it.
   */
  invoice(orderId: string, request: InvoiceRequest): ActionResult | { conflict: string } {
    const record = this.orders.get(orderId);
    if (!record) return 'not-found';
    if (record.packages.some((p) => p.invoiceNumber === request.invoiceNumber)) return 'noop';
    const sales = record.packages.filter((p) => p.type === 'Output');
    if (record.state === 'canceled') return { conflict: 'Order canceled: it cannot be invoiced' };
    if (request.type === 'Output' && record.state !== 'handling' && record.state !== 'invoiced') {
      return { conflict: `Order status should be handling to be invoiced, and it is ${record.state}` };
    }
    if (request.type === 'Input' && sales.length === 0) return { conflict: 'A return invoice needs a sale invoice before it' };
    const doc = this.document(orderId)!;
    const docItems = Array.isArray(doc.items) ? (doc.items as Array<{ id?: unknown }>) : [];
    record.packages.push({
      items: request.items.map((item) => ({
        itemIndex: Math.max(
          0,
          docItems.findIndex((d) => d.id === item.id),
        ),
        quantity: item.quantity,
        price: item.price,
        description: item.id,
        unitMultiplier: 1,
      })),
      courier: request.courier,
      invoiceNumber: request.invoiceNumber,
      invoiceValue: request.invoiceValue,
      invoiceUrl: request.invoiceUrl,
      issuanceDate: request.issuanceDate,
      trackingNumber: request.trackingNumber,
      invoiceKey: request.invoiceKey,
      trackingUrl: request.trackingUrl,
      // VTEX shows an empty string where no XML was sent.
      embeddedInvoice: request.embeddedInvoice ?? '',
      type: request.type,
      courierStatus: null,
      cfop: null,
      restitutions:
        request.type === 'Input'
          ? {
              Refund: {
                value: request.invoiceValue,
                giftCardData: null,
                items: request.items.map((i) => ({
                  useFreight: false,
                  isCompensation: false,
                  compensationValue: 0,
                  id: i.id,
                  quantity: i.quantity,
                  price: i.price,
                  description: '',
                })),
              },
            }
          : {},
      volumes: 1,
      EnableInferItems: false,
    });
    record.revision++;
    this.counters.invoicesApplied++;
    this.recordChange(orderId, 'invoice');
    const invoiced = record.packages.filter((p) => p.type === 'Output').reduce((sum, p) => sum + p.invoiceValue, 0);
    const value = typeof doc.value === 'number' ? doc.value : Number.POSITIVE_INFINITY;
    if (request.type === 'Output' && record.state !== 'invoiced' && invoiced >= value) this.setState(orderId, 'invoiced');
    else record.changedAt = this.store.now();
    return 'ok';
  }

  /** PATCH .../invoice/{n}: the package's tracking number; the same values again change nothing. */
  updateTracking(
    orderId: string,
    invoiceNumber: string,
    tracking: { trackingNumber: string; trackingUrl: string | null; courier: string | null; dispatchedDate: string | null },
  ): ActionResult {
    const pkg = this.orders.get(orderId)?.packages.find((p) => p.invoiceNumber === invoiceNumber);
    if (!pkg) return 'not-found';
    const next = {
      trackingNumber: tracking.trackingNumber,
      trackingUrl: tracking.trackingUrl ?? '',
      courier: tracking.courier ?? pkg.courier,
    };
    if (pkg.trackingNumber === next.trackingNumber && pkg.trackingUrl === next.trackingUrl && pkg.courier === next.courier) return 'noop';
    Object.assign(pkg, next);
    this.touch(orderId);
    this.counters.trackingApplied++;
    this.recordChange(orderId, 'tracking');
    return 'ok';
  }

  /** PUT .../invoice/{n}/tracking: the package's events and delivery; the same state again changes nothing. */
  updateTrackingStatus(
    orderId: string,
    invoiceNumber: string,
    status: {
      isDelivered: boolean;
      deliveredDate: string | null;
      events: Array<{ city: string; state: string; description: string; date: string }>;
    },
  ): ActionResult {
    const pkg = this.orders.get(orderId)?.packages.find((p) => p.invoiceNumber === invoiceNumber);
    if (!pkg) return 'not-found';
    const previous = pkg.courierStatus;
    const data = status.events.map((e) => ({
      lastChange: e.date,
      city: e.city,
      state: e.state,
      description: e.description,
      createDate: e.date,
    }));
    const next = {
      status: status.isDelivered ? 'delivered' : data.length ? 'in-transit' : null,
      finished: status.isDelivered,
      deliveredDate: status.isDelivered ? status.deliveredDate : null,
      data,
    };
    if (previous && JSON.stringify(previous) === JSON.stringify(next)) return 'noop';
    pkg.courierStatus = next;
    this.touch(orderId);
    this.counters.trackingApplied++;
    this.recordChange(orderId, 'tracking-status');
    return 'ok';
  }

  /** Kept up to MAX_CHANGES, oldest dropped first. */
  private recordChange(orderId: string, kind: Account['changes'][number]['kind']): void {
    if (this.changes.length >= MAX_CHANGES) this.changes.splice(0, this.changes.length - MAX_CHANGES + 1);
    this.changes.push({ orderId, kind, at: this.store.now() });
  }

  private touch(orderId: string): void {
    const record = this.orders.get(orderId)!;
    record.revision++;
    record.changedAt = this.store.now();
  }

  stateOf(orderId: string): string | undefined {
    return this.orders.get(orderId)?.state;
  }

  /** The order document as VTEX would answer it now. */
  document(orderId: string): Record<string, unknown> | undefined {
    const r = this.orders.get(orderId);
    if (!r) return undefined;
    const changed = r.changedAt === null ? undefined : vtexDate(r.changedAt);
    const authorizedDate = r.authorizedDate;
    if (r.doc === null) {
      const generated = generateOrder({
        account: this.name,
        seed: r.seed,
        index: r.index,
        lines: r.lines,
        state: r.state,
        lastChange: changed,
        authorizedDate,
        cancelReason: r.cancelReason,
        cancellationDate: changed,
      });
      if (r.packages.length) generated.packageAttachment = { packages: r.packages };
      return generated;
    }
    if (changed === undefined) return r.doc;
    // A posted document keeps every field as given except those the state change made stale.
    const doc: Record<string, unknown> = { ...r.doc, status: r.state, statusDescription: statusDescription(r.state), lastChange: changed };
    if (authorizedDate !== undefined) doc.authorizedDate = authorizedDate;
    if ((r.state === 'canceled' || r.state === 'request-cancel') && r.cancelReason !== null) doc.cancelReason = r.cancelReason;
    if (r.packages.length) doc.packageAttachment = { packages: r.packages };
    return doc;
  }

  /** The document as JSON text: from the kept rendering while it is current, else built now. */
  documentJson(orderId: string, keep = false): string | undefined {
    const r = this.orders.get(orderId);
    if (!r) return undefined;
    // Everything document() reads besides the order's identity.
    const version = `${r.state}|${r.changedAt}|${r.authorizedDate}|${r.cancelReason}|${r.revision}`;
    if (r.rendered?.version === version) return r.rendered.json;
    const json = JSON.stringify(this.document(orderId));
    if (keep || r.rendered) r.rendered = { version, json };
    return json;
  }

  /**
   * Emits a feed event without touching any order: a repeated event, a late (out-of-order) one, or
   * one for an order the account does not have (its Get order answers 404). For the control API.
   */
  injectEvent(orderId: string, state: string, lastState?: string): void {
    const now = this.store.now();
    const record = this.orders.get(orderId);
    this.emit(orderId, state, lastState ?? previousStateOf(state), record ? record.lastEventAt : now, now, false);
    this.counters.eventsInjected++;
  }

  /**
   * Feed items that break the contract, served as given over the usual fields (null removes a
   * field: `{ "handle": null }` is an item without a handle). For the control API.
   */
  injectMalformedItems(overrides: Array<Record<string, unknown>>): void {
    const now = this.store.now();
    for (const override of overrides) {
      const seq = this.store.nextSeq();
      const orderId = typeof override.orderId === 'string' ? override.orderId : `malformed-${seq}`;
      this.pending.push({
        seq,
        orderId,
        state: 'ready-for-handling',
        lastState: 'payment-approved',
        lastChangeAt: now,
        currentChangeAt: now,
        visibleAt: 0,
        override,
      });
      this.counters.eventsInjected++;
    }
  }

  /** A state change's feed event and, for a real change (not an injected event), its hook notification. */
  private emit(orderId: string, state: string, lastState: string, lastChangeAt: number, currentChangeAt: number, change = true): void {
    if (change) this.hook.changed({ orderId, state, lastState, lastChangeAt, currentChangeAt });
    // No feed, no event; a FromWorkflow feed carries the states of its filter only.
    const feed = this.feedConfiguration();
    if (!feed || (feed.filter.type === 'FromWorkflow' && !feed.filter.status.includes(state))) {
      this.counters.eventsFiltered++;
      return;
    }
    this.feedActiveAt = this.store.now();
    const seq = this.store.nextSeq();
    this.pending.push({ seq, orderId, state, lastState, lastChangeAt, currentChangeAt, visibleAt: 0 });
    this.counters.eventsEmitted++;
  }

  /** Up to `max` visible items, oldest event first; each gets a fresh handle and hides again. */
  retrieve(max: number): FeedItem[] {
    const now = this.store.now();
    this.counters.feedRetrievals++;
    const expired: FeedEvent[] = [];
    for (const ev of this.inFlight.values()) if (ev.visibleAt <= now) expired.push(ev);
    expired.sort((a, b) => a.seq - b.seq);
    const out: FeedItem[] = [];
    let e = 0;
    while (out.length < max) {
      const fresh = this.head < this.pending.length ? this.pending[this.head] : undefined;
      const again = e < expired.length ? expired[e] : undefined;
      let ev: FeedEvent;
      if (fresh && (!again || fresh.seq < again.seq)) {
        ev = fresh;
        this.head++;
        this.inFlight.set(ev.seq, ev);
      } else if (again) {
        ev = again;
        e++;
      } else break;
      ev.visibleAt = now + this.visibilityTimeoutMs;
      out.push(this.feedItem(ev, now));
    }
    // Drop the taken prefix now and then instead of shifting the array on every call.
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.counters.feedItemsDelivered += out.length;
    return out;
  }

  private feedItem(ev: FeedEvent, now: number): FeedItem {
    const item: FeedItem = {
      eventId: this.store.eventId(ev.seq),
      handle: this.store.handle(this.name, ev.seq, now),
      domain: 'Fulfillment',
      state: ev.state,
      lastState: ev.lastState,
      orderId: ev.orderId,
      lastChange: new Date(ev.lastChangeAt).toISOString(),
      currentChange: new Date(ev.currentChangeAt).toISOString(),
    };
    if (!ev.override) return item;
    const served: Record<string, unknown> = { ...item };
    for (const [key, value] of Object.entries(ev.override)) {
      if (value === null) delete served[key];
      else served[key] = value;
    }
    return served as unknown as FeedItem;
  }

  /** Removes the events of known handles; unknown or already committed ones are ignored. */
  commit(handles: string[]): number {
    this.counters.commitCalls++;
    let removed = 0;
    for (const handle of handles) {
      const seq = this.store.seqOfHandle(this.name, handle);
      if (seq !== undefined && this.inFlight.delete(seq)) removed++;
    }
    this.counters.committed += removed;
    return removed;
  }

  /** Items retrieved and not committed become visible now, as if their visibility timeout had passed. */
  expireInFlight(): number {
    const now = this.store.now();
    let expired = 0;
    for (const ev of this.inFlight.values()) {
      if (ev.visibleAt > now) expired++;
      ev.visibleAt = now;
    }
    return expired;
  }

  /** The GET feed config's quantity and age of the oldest message. */
  feedQuantity(): { quantity: number; approximateAgeOfOldestMessageInSeconds: number } {
    const now = this.store.now();
    // Events are kept oldest first: the first never-retrieved one, and the oldest in flight.
    let oldest = this.head < this.pending.length ? this.pending[this.head].currentChangeAt : now;
    for (const ev of this.inFlight.values()) oldest = Math.min(oldest, ev.currentChangeAt);
    return {
      quantity: this.pending.length - this.head + this.inFlight.size,
      approximateAgeOfOldestMessageInSeconds: (now - oldest) / 1000,
    };
  }

  stats(): Record<string, unknown> {
    const now = this.store.now();
    let hidden = 0;
    for (const ev of this.inFlight.values()) if (ev.visibleAt > now) hidden++;
    const { committed, startHandlingCalls, ...more } = this.counters;
    return {
      orders: this.orders.size,
      feedPending: this.pending.length - this.head + this.inFlight.size - hidden,
      feedInFlight: hidden,
      committed,
      startHandlingCalls,
      ...more,
      visibilityTimeoutMs: this.visibilityTimeoutMs,
      feedConfigured: this.feedConfiguration() !== null,
      ...this.hook.counters,
      hookPending: this.hook.pending,
      hookConfigured: this.hook.config !== null,
    };
  }
}

export interface StoreOptions {
  now?: () => number;
  visibilityTimeoutMs?: number;
}

/** VTEX: Get order allows "up to 6000 requests per minute" per account (contracts/vtex). */
export const DEFAULT_GET_ORDER_LIMIT_PER_MINUTE = 6000;
/** The most a simulated account can be given. */
export const MAX_GET_ORDER_LIMIT_PER_MINUTE = 1_000_000;

export class SimulatorStore {
  readonly now: () => number;
  readonly defaultVisibilityTimeoutMs: number;
  private readonly accounts = new Map<string, Account>();
  /** Random per store, so handles and event ids of another simulator run are never mistaken. */
  private readonly instance = randomBytes(8).toString('hex');
  private seq = 0;
  private handles = 0;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.defaultVisibilityTimeoutMs = options.visibilityTimeoutMs ?? 60_000;
  }

  /** The account, created on first use. */
  account(name: string): Account {
    let account = this.accounts.get(name);
    if (!account) {
      account = new Account(name, this);
      this.accounts.set(name, account);
    }
    return account;
  }

  reset(name: string): void {
    this.accounts.get(name)?.gate.open();
    this.accounts.get(name)?.hook.close();
    this.accounts.delete(name);
  }

  /** Lets every held request go (the simulator is closing). */
  openGates(): void {
    for (const account of this.accounts.values()) account.gate.open();
  }

  /** Stops every account's hook notifications (the simulator is closing). */
  closeHooks(): void {
    for (const account of this.accounts.values()) account.hook.close();
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** 32 uppercase hex digits, like VTEX's "ED423DDED4C1AE580CADAC1A4D02DA3F". */
  eventId(seq: number): string {
    return (this.instance + seq.toString(16).padStart(16, '0')).toUpperCase();
  }

  /** Opaque to clients: base64url of the store, account, event, a retrieval counter and time. */
  handle(account: string, seq: number, now: number): string {
    const n = ++this.handles;
    return Buffer.from(JSON.stringify({ i: this.instance, a: account, e: seq, n, t: now })).toString('base64url');
  }

  seqOfHandle(account: string, handle: unknown): number | undefined {
    if (typeof handle !== 'string') return undefined;
    try {
      const data = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (data.i !== this.instance || data.a !== account || typeof data.e !== 'number') return undefined;
      return data.e;
    } catch {
      return undefined;
    }
  }
}
