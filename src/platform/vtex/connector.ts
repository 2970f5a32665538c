/**
 * VTEX Orders API client (contract: contracts/vtex/orders-api.openapi.json): the feed (the
 * vitrine's integration queue) and the orders hook configuration, Get order and Atualização de Status.
 *
 * Errors are PlatformError. Network errors, timeouts, HTTP 408, 429 and 5xx are retryable; other
 * HTTP errors and malformed response bodies are not. Messages name the operation, the order id and
 * the HTTP status (plus VTEX's short error code when it sends one), never the credentials, a feed
 * handle (it embeds the app key) or anything from a response body that could be customer data.
 */
import { z } from 'zod';
import { BodyTooLargeError, documentBudget, MAX_DOCUMENT_BYTES, megabytes, type ByteBudget } from '../byteBudget';
import { httpFetch, type HttpFetch, type HttpResponse } from '../http';
import type { Pacer } from '../pacing';
import {
  type FeedConfig,
  type HookConfig,
  type InvoiceNotice,
  type MalformedQueueItem,
  type PlatformAccount,
  type PlatformConnector,
  PlatformError,
  type QueueFetch,
  type QueueItem,
  type TrackingNotice,
  type TrackingStatusNotice,
} from '../types';
import { feedConfigBody, feedConfigOf, hookConfigBody, hookConfigOf, invoiceBody, trackingBody, trackingStatusBody } from './statusUpdates';

export interface VtexConnectorOptions {
  /** Per request, reading the response body included. Default 15000. */
  timeoutMs?: number;
  /** For tests; default the connectors' keep-alive client (src/platform/http.ts). */
  fetch?: HttpFetch;
  /** Tries per request when the platform answers 429, 5xx or times out. Default 4. */
  attempts?: number;
  /** Waits between tries; tests record the delays instead of sitting them out. */
  sleep?: (ms: number) => Promise<void>;
  /** Paces Get order, VTEX's rate-limited call (6,000 a minute per account); none: unpaced. */
  getOrderPacer?: Pacer;
  /** The largest order document taken; default MAX_DOCUMENT_BYTES (5 MB). */
  maxDocumentBytes?: number;
  /** Bytes of documents the process receives at once; default the process's documentBudget. */
  documentBudget?: ByteBudget;
}

/** How large a response may be and whose bytes it takes while it is read. */
interface BodyLimits {
  maxBodyBytes: number;
  budget: ByteBudget;
}

/** `maxlot` of GET /api/orders/feed: "Maximum accepted value is 10" (contract). */
export const FEED_MAX_LOT = 10;
/** Handles per commit. The contract documents no limit; 100 keeps request bodies small. */
export const COMMIT_CHUNK_SIZE = 100;
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_ATTEMPTS = 4;
/** A Retry-After longer than this is left to the activity's own retry. */
const MAX_RETRY_AFTER_MS = 5_000;

/**
 * A feed item as the contract describes it (schema Getfeedorderstatus); extra fields ignored.
 * Handles are long opaque tokens; order ids are short printable text (they go into URLs and rows).
 */
const feedItemSchema = z.object({
  handle: z.string().min(1).max(4096),
  orderId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7e]+$/),
  state: z.string().max(100).nullish(),
});

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class VtexConnector implements PlatformConnector {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly fetchFn: HttpFetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly getOrderPacer?: Pacer;
  private readonly documentLimits: BodyLimits;

  constructor(
    private readonly account: PlatformAccount,
    options: VtexConnectorOptions = {},
  ) {
    this.baseUrl = account.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
    this.fetchFn = options.fetch ?? httpFetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.getOrderPacer = options.getOrderPacer;
    this.documentLimits = {
      maxBodyBytes: options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES,
      budget: options.documentBudget ?? documentBudget,
    };
  }

  async fetchQueue(maxItems: number): Promise<QueueFetch> {
    if (!Number.isInteger(maxItems) || maxItems < 0) {
      throw new RangeError(`fetchQueue: maxItems must be a non-negative integer, got ${maxItems}`);
    }
    const fetched: QueueFetch = { items: [], malformed: [] };
    let taken = 0;
    while (taken < maxItems) {
      const lot = Math.min(FEED_MAX_LOT, maxItems - taken);
      const body = await this.json('fetchQueue', 'GET', `/api/orders/feed?maxlot=${lot}`);
      if (!Array.isArray(body)) throw new PlatformError('VTEX fetchQueue: malformed feed response: the body is not an array', false);
      // A server that returns more than asked: the extra items are simply not taken; they become
      // visible again after the feed's visibility timeout.
      for (const raw of body.slice(0, lot)) {
        const item = parseFeedItem(raw);
        if ('reason' in item) fetched.malformed.push(item);
        else fetched.items.push(item);
      }
      taken += Math.min(body.length, lot);
      if (body.length < lot) break;
    }
    return fetched;
  }

  async commitQueue(handles: string[]): Promise<void> {
    const chunks = Math.ceil(handles.length / COMMIT_CHUNK_SIZE);
    for (let i = 0; i < chunks; i++) {
      const chunk = handles.slice(i * COMMIT_CHUNK_SIZE, (i + 1) * COMMIT_CHUNK_SIZE);
      const operation = chunks > 1 ? `commitQueue (chunk ${i + 1} of ${chunks})` : 'commitQueue';
      await this.send(operation, 'POST', '/api/orders/feed', { handles: chunk });
    }
  }

  /**
   * One order document. Its body is read within the process's document budget, and a document
   * over the size limit is not read at all: DocumentTooLargeError, which blocks that order.
   */
  async getOrder(orderId: string): Promise<unknown> {
    const operation = `getOrder ${orderId}`;
    const text = await this.send(operation, 'GET', orderPath(orderId), undefined, this.getOrderPacer, this.documentLimits);
    return this.parsed(operation, text);
  }

  async startHandling(orderId: string): Promise<void> {
    await this.send(`startHandling ${orderId}`, 'POST', `${orderPath(orderId)}/start-handling`);
  }

  async sendInvoice(orderId: string, invoice: InvoiceNotice): Promise<void> {
    await this.send(`invoice ${orderId} ${invoice.number}`, 'POST', `${orderPath(orderId)}/invoice`, invoiceBody(invoice));
  }

  async sendTracking(orderId: string, tracking: TrackingNotice): Promise<void> {
    const path = `${orderPath(orderId)}/invoice/${encodeURIComponent(tracking.invoiceNumber)}`;
    await this.send(`tracking ${orderId} ${tracking.invoiceNumber}`, 'PATCH', path, trackingBody(tracking));
  }

  async sendTrackingStatus(orderId: string, status: TrackingStatusNotice): Promise<void> {
    const path = `${orderPath(orderId)}/invoice/${encodeURIComponent(status.invoiceNumber)}/tracking`;
    await this.send(`tracking status ${orderId} ${status.invoiceNumber}`, 'PUT', path, trackingStatusBody(status));
  }

  async cancelOrder(orderId: string, reason: string): Promise<void> {
    await this.send(`cancel ${orderId}`, 'POST', `${orderPath(orderId)}/cancel`, { reason });
  }

  async getFeedConfig(): Promise<FeedConfig | null> {
    return feedConfigOf(await this.configuration('getFeedConfig', '/api/orders/feed/config'));
  }

  async configureFeed(config: FeedConfig): Promise<void> {
    await this.send('configureFeed', 'POST', '/api/orders/feed/config', feedConfigBody(config));
  }

  async getHookConfig(): Promise<HookConfig | null> {
    return hookConfigOf(await this.configuration('getHookConfig', '/api/orders/hook/config'));
  }

  async configureHook(config: HookConfig): Promise<void> {
    await this.send('configureHook', 'POST', '/api/orders/hook/config', hookConfigBody(config));
  }

  async removeHookConfig(): Promise<void> {
    try {
      await this.send('removeHookConfig', 'DELETE', '/api/orders/hook/config');
    } catch (error) {
      // None to remove is what was asked.
      if (!(error instanceof PlatformError && error.status === 404)) throw error;
    }
  }

  /** A call whose response body is JSON: returns it parsed. */
  private async json(operation: string, method: Method, path: string, pacer?: Pacer): Promise<unknown> {
    return this.parsed(operation, await this.send(operation, method, path, undefined, pacer));
  }

  /** A configuration (feed, hook), or null when the platform has none: it answers 404, or an empty body. */
  private async configuration(operation: string, path: string): Promise<unknown> {
    let text: string;
    try {
      text = await this.send(operation, 'GET', path);
    } catch (error) {
      if (error instanceof PlatformError && error.status === 404) return null;
      throw error;
    }
    return text.trim() === '' ? null : this.parsed(operation, text);
  }

  private parsed(operation: string, text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.error(`VTEX ${operation}: malformed response, the body is not JSON`, false);
    }
  }

  /**
   * One platform call, retried in place a few times when the platform says "later" (429 with its
   * Retry-After, 5xx, timeouts): a batch of a hundred orders must not fail, and start over, for
   * one flaky request. What is still failing after that is the activity's to retry. Returns the
   * body text of a 2xx response, throws PlatformError otherwise.
   */
  private async send(operation: string, method: Method, path: string, body?: unknown, pacer?: Pacer, limits?: BodyLimits): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        await pacer?.wait();
        return await this.sendOnce(operation, method, path, body, limits);
      } catch (error) {
        if (!(error instanceof PlatformError) || !error.retryable || attempt >= this.attempts) throw error;
        const delayMs =
          error.retryAfterSeconds !== undefined ? Math.min(error.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS) : 200 * 2 ** (attempt - 1);
        // A 429 is the account's, not this call's: every call of the account waits.
        if (error.status === 429) pacer?.backOff(delayMs);
        await this.sleep(delayMs);
      }
    }
  }

  private async sendOnce(operation: string, method: Method, path: string, body?: unknown, limits?: BodyLimits): Promise<string> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/json',
    };
    if (this.account.appKey) headers['X-VTEX-API-AppKey'] = this.account.appKey;
    if (this.account.appToken) headers['X-VTEX-API-AppToken'] = this.account.appToken;

    // One signal for the whole exchange, so a body that trickles in also times out.
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: HttpResponse;
    let text: string;
    try {
      response = await this.fetchFn(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        ...limits,
      });
      text = await response.text();
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new DocumentTooLargeError(operation, err);
      throw this.networkError(operation, err);
    }
    if (response.ok) return text;

    const status = response.status;
    const code = vtexErrorCode(text);
    const retryable = status === 429 || status === 408 || status >= 500;
    // A refusal says why, in VTEX's words (a blocked notification keeps it for the operator).
    const reason = !retryable ? vtexErrorMessage(text) : null;
    const message = `VTEX ${operation}: HTTP ${status}${code && code !== String(status) ? ` (${code})` : ''}${reason ? `: ${reason}` : ''}`;
    const retryAfter = status === 429 ? retryAfterSeconds(response.headers.get('retry-after')) : undefined;
    throw this.error(message, retryable, status, retryAfter);
  }

  private networkError(operation: string, err: unknown): PlatformError {
    const name = err instanceof Error ? err.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return this.error(`VTEX ${operation}: no response within ${this.timeoutMs} ms`, true);
    }
    // node:http errors carry the reason in `code` (ECONNREFUSED, ENOTFOUND, ECONNRESET...); the
    // global fetch's "fetch failed" keeps it in `cause`.
    const own = (err as { code?: unknown } | null)?.code;
    const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
    const code = typeof own === 'string' ? own : typeof cause?.code === 'string' ? cause.code : name || 'unknown';
    return this.error(`VTEX ${operation}: network error (${code})`, true);
  }

  /** Builds the error; as a last guard, credentials never survive into a message. */
  private error(message: string, retryable: boolean, status?: number, retryAfter?: number): PlatformError {
    let safe = message;
    for (const secret of [this.account.appToken, this.account.appKey]) {
      if (secret && secret.length >= 4) safe = safe.split(secret).join('***');
    }
    return new PlatformError(safe, retryable, status, retryAfter);
  }
}

const orderPath = (orderId: string) => `/api/oms/pvt/orders/${encodeURIComponent(orderId)}`;

/** An order document over the size limit: final for that order (it is blocked with its size), not for the page. */
export class DocumentTooLargeError extends PlatformError {
  constructor(operation: string, cause: BodyTooLargeError) {
    super(
      `order document of ${cause.exact ? '' : 'more than '}${megabytes(cause.bytes)} is over the ${megabytes(cause.limit)} limit (VTEX ${operation})`,
      false,
    );
    this.name = 'DocumentTooLargeError';
  }
}

/**
 * One feed item, or what is wrong with it: a bad item must not fail the page (the rest of the
 * queue would wait behind it for ever). Its handle is kept when it has a usable one, so that it
 * can be acknowledged; the reason names fields, never quotes them (a handle embeds the app key).
 */
function parseFeedItem(raw: unknown): QueueItem | MalformedQueueItem {
  const parsed = feedItemSchema.safeParse(raw);
  if (parsed.success) return { handle: parsed.data.handle, orderId: parsed.data.orderId, state: parsed.data.state ?? '' };
  const record = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (!record) return { reason: 'the item is not an object' };
  const handle = feedItemSchema.shape.handle.safeParse(record.handle);
  const orderId = feedItemSchema.shape.orderId.safeParse(record.orderId);
  const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])} ${describeFeedIssue(issue)}`);
  return {
    ...(handle.success ? { handle: handle.data } : {}),
    ...(orderId.success ? { orderId: orderId.data } : {}),
    reason: [...new Set(problems)].join('; '),
  };
}

function describeFeedIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return 'is missing or of the wrong type';
  if (issue.code === 'too_small') return 'is empty';
  if (issue.code === 'too_big') return 'is too long';
  return 'is not printable text';
}

/** VTEX error bodies look like {"error":{"code":"OMS003","message":...}}: only the short code is kept. */
function vtexErrorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,20}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

/**
 * The message of a VTEX error body, when it is short plain text: VTEX's refusals ("Order status
 * should be handling...") name states and ids, not customer data; anything long is left out.
 */
function vtexErrorMessage(text: string): string | null {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message !== 'string') return null;
    const clean = message.replace(/\p{Cc}+/gu, ' ').trim();
    // An e-mail address in a refusal is a customer's: the whole message is left out then.
    return clean && clean.length <= 200 && !clean.includes('@') ? clean : null;
  } catch {
    return null;
  }
}

/** Retry-After is either delay-seconds or an HTTP date; anything else is ignored. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
