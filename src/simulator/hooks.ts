/**
 * VTEX's orders hook, simulated (contracts/vtex: hook configuration; ERP-INTEGRATION.md V3, V4):
 * a configuration is saved only if its URL answers the ping `{"hookConfig":"ping"}` with 200; then
 * every state change of the account's orders that the filter lets through is POSTed to the URL
 * with the configured headers. A notification not answered 200 within 5 s is sent again later,
 * each wait longer than the last (VTEX's "geometric progression"), until it gets through or its
 * tries run out.
 */
import { vtexDate } from './random';

/** The filter of a feed or hook configuration: the states it carries, or a JSONata expression. */
export type OrderFilter =
  { type: 'FromWorkflow'; status: string[] } | { type: 'FromOrders'; expression: string; disableSingleFire: boolean };

export interface HookConfiguration {
  filter: OrderFilter;
  hook: { url: string; headers: Record<string, string> };
}

/** How the account retries its notifications (`/_sim/{account}/settings`; tests shorten them). */
export interface HookRetrySettings {
  /** Wait before the first retry; each next wait doubles. */
  hookRetryInitialMs: number;
  /** The longest wait between two tries. */
  hookRetryMaxMs: number;
  /** Tries of one notification before it is dropped. */
  hookMaxAttempts: number;
}

export const DEFAULT_HOOK_RETRY: HookRetrySettings = { hookRetryInitialMs: 1000, hookRetryMaxMs: 10 * 60_000, hookMaxAttempts: 15 };
/** VTEX waits 5 s for the answer. */
export const HOOK_TIMEOUT_MS = 5000;
/** Notifications in flight at once per account; the rest wait their turn. */
const MAX_IN_FLIGHT = 32;
/** Deliveries remembered for benchmarks, at most. */
const MAX_DELIVERIES_KEPT = 1_000_000;

interface Pending {
  body: Record<string, unknown>;
  changedAt: number;
  attempt: number;
}

export interface HookChange {
  orderId: string;
  state: string;
  lastState: string;
  lastChangeAt: number;
  currentChangeAt: number;
}

/** A configuration body as the contract's HookConfigurationRequest, or why not. */
export function hookConfigurationOf(body: unknown): HookConfiguration | string {
  if (!isObject(body) || !isObject(body.filter) || !isObject(body.hook)) return 'the body must have filter and hook objects';
  const { filter, hook } = body;
  if (typeof hook.url !== 'string' || !/^https?:\/\/\S+$/.test(hook.url)) return 'hook.url must be an http(s) URL';
  if (!isObject(hook.headers)) return 'hook.headers must be an object';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(hook.headers)) {
    if (typeof value !== 'string') return 'hook.headers values must be strings';
    headers[name] = value;
  }
  if (filter.type === 'FromWorkflow') {
    if (!Array.isArray(filter.status) || filter.status.length === 0 || !filter.status.every((s) => typeof s === 'string'))
      return 'a FromWorkflow filter needs at least one status';
    return { filter: { type: 'FromWorkflow', status: filter.status as string[] }, hook: { url: hook.url, headers } };
  }
  if (filter.type === 'FromOrders') {
    if (typeof filter.expression !== 'string' || typeof filter.disableSingleFire !== 'boolean')
      return 'a FromOrders filter needs expression and disableSingleFire';
    return {
      filter: { type: 'FromOrders', expression: filter.expression, disableSingleFire: filter.disableSingleFire },
      hook: { url: hook.url, headers },
    };
  }
  return 'filter.type must be FromWorkflow or FromOrders';
}

/** POSTs `body` to the hook's URL; true when answered 200 within HOOK_TIMEOUT_MS. */
async function post(hook: HookConfiguration['hook'], body: unknown): Promise<boolean> {
  try {
    const response = await fetch(hook.url, {
      method: 'POST',
      headers: { ...hook.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status === 200;
  } catch {
    return false;
  }
}

export class AccountHook {
  private configuration: HookConfiguration | null = null;
  retry: HookRetrySettings = { ...DEFAULT_HOOK_RETRY };
  private readonly waiting: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private closed = false;
  readonly counters = {
    hookPings: 0,
    /** Notifications of state changes the filter let through. */
    hookNotifications: 0,
    /** POSTs of notifications, retries included. */
    hookAttempts: 0,
    hookDelivered: 0,
    /** Tries answered otherwise than 200 in time. */
    hookFailures: 0,
    /** Notifications dropped after hookMaxAttempts tries. */
    hookDropped: 0,
  };
  /** When each delivered notification's change happened and when the receiver took it (benchmarks). */
  readonly delivered: Array<{ orderId: string; changedAt: number; deliveredAt: number }> = [];

  constructor(
    private readonly account: string,
    private readonly now: () => number,
  ) {}

  get config(): HookConfiguration | null {
    return this.configuration;
  }

  /** Saves the configuration if its URL answers the ping; false otherwise (the old one stays). */
  async configure(config: HookConfiguration): Promise<boolean> {
    this.counters.hookPings++;
    if (!(await post(config.hook, { hookConfig: 'ping' }))) return false;
    this.configuration = config;
    return true;
  }

  remove(): void {
    this.configuration = null;
  }

  /** Backlog of notifications not delivered yet (waiting, in flight, or between tries). */
  get pending(): number {
    return this.waiting.length + this.inFlight + this.timers.size;
  }

  /** A state change of one of the account's orders. */
  changed(change: HookChange): void {
    const config = this.configuration;
    if (!config || this.closed) return;
    if (config.filter.type === 'FromWorkflow' && !config.filter.status.includes(change.state)) return;
    this.counters.hookNotifications++;
    this.waiting.push({
      body: {
        Domain: 'Fulfillment',
        OrderId: change.orderId,
        State: change.state,
        LastState: change.lastState,
        LastChange: vtexDate(change.lastChangeAt),
        CurrentChange: vtexDate(change.currentChangeAt),
        Origin: { Account: this.account, Key: 'vtexappkey-simulator' },
      },
      changedAt: change.currentChangeAt,
      attempt: 0,
    });
    this.pump();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.inFlight++;
      void this.deliver(next).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async deliver(notification: Pending): Promise<void> {
    // Sent where the configuration says now: a hook removed meanwhile drops its notifications.
    const config = this.configuration;
    if (!config || this.closed) return;
    notification.attempt++;
    this.counters.hookAttempts++;
    if (await post(config.hook, notification.body)) {
      this.counters.hookDelivered++;
      if (this.delivered.length < MAX_DELIVERIES_KEPT)
        this.delivered.push({ orderId: String(notification.body.OrderId), changedAt: notification.changedAt, deliveredAt: this.now() });
      return;
    }
    this.counters.hookFailures++;
    if (notification.attempt >= this.retry.hookMaxAttempts) {
      this.counters.hookDropped++;
      return;
    }
    const delay = Math.min(this.retry.hookRetryInitialMs * 2 ** (notification.attempt - 1), this.retry.hookRetryMaxMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      this.waiting.push(notification);
      this.pump();
    }, delay);
    this.timers.add(timer);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
