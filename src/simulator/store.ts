/**
 * In-memory state of the simulated VTEX accounts: orders and each account's feed queue.
 * The queue behaves like VTEX's (an SQS queue underneath): retrieved items hide for the visibility
 * timeout and come back unless committed; any handle ever issued for an event commits it.
 */
import { randomBytes } from 'node:crypto';
import { type FaultSettings, NO_FAULTS } from './faults';
import { generatedOrderNumber, generateOrder, type LineRange, MAX_GENERATED_INDEX, type Seed, seedHash } from './generate';
import { Gate } from './http';
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
  /** The serialized document, kept only for orders seeded with `render` (see documentJson). */
  rendered: { version: string; json: string } | null;
}

export type ActionResult = 'ok' | 'noop' | 'conflict' | 'not-found';

export class Account {
  readonly orders = new Map<string, OrderRecord>();
  /** Never-retrieved events, oldest first; `head` skips the ones already taken. */
  private pending: FeedEvent[] = [];
  private head = 0;
  /** Retrieved, not committed; visible again when visibleAt <= now. */
  private readonly inFlight = new Map<number, FeedEvent>();
  visibilityTimeoutMs: number;
  faults: FaultSettings = { ...NO_FAULTS };
  /** Closed by the control API to hold this account's platform requests (tests). */
  readonly gate = new Gate();
  /** Fault draws come from a seeded PRNG so a benchmark run can be replayed. */
  faultRng = new Rng(0x5eed);
  readonly counters = {
    committed: 0,
    startHandlingCalls: 0,
    startHandlingRequests: 0,
    cancelCalls: 0,
    feedRetrievals: 0,
    feedItemsDelivered: 0,
    commitCalls: 0,
    getOrderCalls: 0,
    eventsEmitted: 0,
    eventsInjected: 0,
    platformRequests: 0,
    faultErrors: 0,
    faultTimeouts: 0,
    faultRateLimited: 0,
    faultMalformed: 0,
  };

  constructor(
    readonly name: string,
    private readonly store: SimulatorStore,
  ) {
    this.visibilityTimeoutMs = store.defaultVisibilityTimeoutMs;
  }

  /** Stores a document as given (no validation). Its state is its `status`, else ready-for-handling. */
  putDocument(doc: Record<string, unknown>): string {
    const orderId = String(doc.orderId);
    const state = typeof doc.status === 'string' ? doc.status : 'ready-for-handling';
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
      const orderId = `${generatedOrderNumber(hash, offset + i).orderGroup}-01`;
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
    if (state === 'canceled') record.cancelReason = cancelReason ?? null;
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
    return 'ok';
  }

  /** Cancels from any state but invoiced; canceling a canceled order changes nothing. */
  cancel(orderId: string, reason?: string): ActionResult {
    const record = this.orders.get(orderId);
    if (!record) return 'not-found';
    if (record.state === 'canceled') return 'noop';
    if (record.state === 'invoiced') return 'conflict';
    this.setState(orderId, 'canceled', reason);
    return 'ok';
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
      return generateOrder({
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
    }
    if (changed === undefined) return r.doc;
    // A posted document keeps every field as given except those the state change made stale.
    const doc: Record<string, unknown> = { ...r.doc, status: r.state, statusDescription: statusDescription(r.state), lastChange: changed };
    if (authorizedDate !== undefined) doc.authorizedDate = authorizedDate;
    if (r.state === 'canceled' && r.cancelReason !== null) doc.cancelReason = r.cancelReason;
    return doc;
  }

  /** The document as JSON text: from the kept rendering while it is current, else built now. */
  documentJson(orderId: string, keep = false): string | undefined {
    const r = this.orders.get(orderId);
    if (!r) return undefined;
    // Everything document() reads besides the order's identity.
    const version = `${r.state}|${r.changedAt}|${r.authorizedDate}|${r.cancelReason}`;
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
    this.emit(orderId, state, lastState ?? previousStateOf(state), record ? record.lastEventAt : now, now);
    this.counters.eventsInjected++;
  }

  private emit(orderId: string, state: string, lastState: string, lastChangeAt: number, currentChangeAt: number): void {
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
    return {
      eventId: this.store.eventId(ev.seq),
      handle: this.store.handle(this.name, ev.seq, now),
      domain: 'Fulfillment',
      state: ev.state,
      lastState: ev.lastState,
      orderId: ev.orderId,
      lastChange: new Date(ev.lastChangeAt).toISOString(),
      currentChange: new Date(ev.currentChangeAt).toISOString(),
    };
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
    };
  }
}

export interface StoreOptions {
  now?: () => number;
  visibilityTimeoutMs?: number;
}

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
    this.accounts.delete(name);
  }

  /** Lets every held request go (the simulator is closing). */
  openGates(): void {
    for (const account of this.accounts.values()) account.gate.open();
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
