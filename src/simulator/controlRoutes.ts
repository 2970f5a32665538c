/**
 * Control API under /_sim (no auth, no faults): seeds orders, moves states, reads stats and sets
 * faults and queue settings, for tests, demos and benchmarks.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFaults } from './faults';
import { type LineRange, MAX_GENERATED_INDEX, MAX_GENERATED_LINES } from './generate';
import { ACCOUNT_PATTERN, vtexError } from './http';
import { Rng } from './random';
import { isOrderState, ORDER_STATES } from './states';
import { type Account, MAX_GET_ORDER_LIMIT_PER_MINUTE, type SimulatorStore } from './store';

export const MAX_GENERATE = 200_000;
const MAX_VISIBILITY_TIMEOUT_MS = 24 * 3_600_000;
const MAX_HOOK_RETRY_MS = 3_600_000;

type Params = { account: string; orderId?: string };
type Handler = (req: FastifyRequest, reply: FastifyReply, account: Account) => unknown;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOrderDocument(value: unknown): value is Record<string, unknown> {
  return isObject(value) && typeof value.orderId === 'string' && value.orderId.length > 0;
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send(vtexError('400', message));
}

export function registerControlRoutes(app: FastifyInstance, store: SimulatorStore): void {
  // async, so a handler may either return the answer or send it and return the reply.
  const withAccount = (handler: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
    const { account } = req.params as Params;
    if (!ACCOUNT_PATTERN.test(account)) return badRequest(reply, 'account must match [a-z0-9-]+');
    return handler(req, reply, store.account(account));
  };

  app.get('/_sim/health', async () => ({ ok: true }));

  app.post(
    '/_sim/:account/orders',
    withAccount((req, reply, account) => {
      const body = req.body;
      if (Array.isArray(body)) {
        if (!body.every(isOrderDocument)) return badRequest(reply, 'every order must be an object with a string orderId');
        return { orderIds: body.map((doc) => account.putDocument(doc)) };
      }
      if (isObject(body) && 'generate' in body) {
        const { generate, seed = 1, state = 'ready-for-handling', offset = 0, render = false, lines } = body;
        if (!Number.isInteger(generate) || (generate as number) < 0 || (generate as number) > MAX_GENERATE) {
          return badRequest(reply, `generate must be an integer from 0 to ${MAX_GENERATE}`);
        }
        if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
          return badRequest(reply, 'seed must be a number or a string');
        }
        if (!isOrderState(state)) return badRequest(reply, `state must be one of ${ORDER_STATES.join(', ')}`);
        if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) + (generate as number) > MAX_GENERATED_INDEX) {
          return badRequest(reply, `offset must be an integer and offset + generate at most ${MAX_GENERATED_INDEX}`);
        }
        if (typeof render !== 'boolean') return badRequest(reply, 'render must be true or false');
        const range = lineRange(lines);
        if (typeof range === 'string') return badRequest(reply, range);
        return { orderIds: account.generate(generate as number, seed, state, offset as number, render, range) };
      }
      if (isOrderDocument(body)) return { orderIds: [account.putDocument(body)] };
      return badRequest(reply, 'body must be an order (object with a string orderId), an array of orders, or { "generate": N }');
    }),
  );

  app.get(
    '/_sim/:account/orders/:orderId',
    withAccount((req, reply, account) => {
      const doc = account.document((req.params as Params).orderId ?? '');
      return doc ?? reply.code(404).send(vtexError('404', 'Order not found'));
    }),
  );

  app.post(
    '/_sim/:account/orders/:orderId/state',
    withAccount((req, reply, account) => {
      const orderId = (req.params as Params).orderId ?? '';
      const body = req.body;
      const state = isObject(body) ? body.state : undefined;
      if (!isOrderState(state)) return badRequest(reply, `state must be one of ${ORDER_STATES.join(', ')}`);
      const reason = isObject(body) && typeof body.reason === 'string' ? body.reason : undefined;
      if (!account.setState(orderId, state, reason)) return reply.code(404).send(vtexError('404', 'Order not found'));
      return { orderId, state };
    }),
  );

  app.post(
    '/_sim/:account/events',
    withAccount((req, reply, account) => {
      const body = req.body;
      if (!isObject(body) || typeof body.orderId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(body.orderId)) {
        return badRequest(reply, 'orderId must be a string of 1 to 64 letters, digits, dots, dashes or underscores');
      }
      if (typeof body.state !== 'string' || !/^[a-z-]{1,40}$/.test(body.state)) return badRequest(reply, 'state must be a VTEX state name');
      if (body.lastState !== undefined && (typeof body.lastState !== 'string' || !/^[a-z-]{1,40}$/.test(body.lastState))) {
        return badRequest(reply, 'lastState must be a VTEX state name');
      }
      const count = body.count ?? 1;
      if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1000)
        return badRequest(reply, 'count must be an integer from 1 to 1000');
      for (let i = 0; i < (count as number); i++) account.injectEvent(body.orderId, body.state, body.lastState as string | undefined);
      return { orderId: body.orderId, state: body.state, events: count, known: account.document(body.orderId) !== undefined };
    }),
  );

  app.get(
    '/_sim/:account/stats',
    withAccount((_req, _reply, account) => account.stats()),
  );

  // The effective Atualização de Status changes (invoice, tracking, cancel...) since a time, oldest first.
  app.get(
    '/_sim/:account/changes',
    withAccount((req, reply, account) => {
      const since = Number((req.query as Record<string, unknown>).since ?? 0);
      if (!Number.isFinite(since) || since < 0) return badRequest(reply, 'since must be a time in milliseconds since the epoch');
      return account.changes.filter((c) => c.at >= since).map((c) => ({ ...c, at: new Date(c.at).toISOString() }));
    }),
  );

  app.get(
    '/_sim/:account/faults',
    withAccount((_req, _reply, account) => account.faults),
  );

  app.post(
    '/_sim/:account/faults',
    withAccount((req, reply, account) => {
      const parsed = parseFaults(req.body);
      if (typeof parsed === 'string') return badRequest(reply, parsed);
      account.faults = parsed;
      // Same settings, same sequence of injected faults: runs can be replayed.
      account.faultRng = new Rng(0x5eed);
      return parsed;
    }),
  );

  // Feed items that break the contract: body { items: [ { field: value | null, ... } ] } (see injectMalformedItems).
  app.post(
    '/_sim/:account/feed/malformed',
    withAccount((req, reply, account) => {
      const body = req.body;
      if (
        !isObject(body) ||
        !Array.isArray(body.items) ||
        body.items.length < 1 ||
        body.items.length > 1000 ||
        !body.items.every(isObject)
      ) {
        return badRequest(reply, 'items must be an array of 1 to 1000 objects');
      }
      account.injectMalformedItems(body.items as Array<Record<string, unknown>>);
      return { injected: body.items.length };
    }),
  );

  // Uncommitted feed items visible again now (tests: no waiting out the visibility timeout).
  app.post(
    '/_sim/:account/feed/expire',
    withAccount((_req, _reply, account) => ({ expired: account.expireInFlight() })),
  );

  // The feed configuration gone (removed by a person), or expired as VTEX expires it (no event
  // during the retention period).
  app.post(
    '/_sim/:account/feed/config/remove',
    withAccount((_req, _reply, account) => {
      account.configureFeed(null);
      return { feedConfigured: false };
    }),
  );
  app.post(
    '/_sim/:account/feed/config/expire',
    withAccount((_req, _reply, account) => {
      account.expireFeedConfiguration();
      return { feedConfigured: account.feedConfiguration() !== null };
    }),
  );

  // Holds the account's platform requests (body { hold: true }, optionally `after` N more requests
  // let through) until released ({ hold: false }).
  app.post(
    '/_sim/:account/hold',
    withAccount((req, reply, account) => {
      const body = isObject(req.body) ? req.body : {};
      const { hold, after = 0 } = body;
      if (typeof hold !== 'boolean') return badRequest(reply, 'hold must be true or false');
      if (!Number.isInteger(after) || (after as number) < 0 || (after as number) > 1_000_000) {
        return badRequest(reply, 'after must be an integer from 0 to 1000000');
      }
      if (hold) account.gate.close(after as number);
      else account.gate.open();
      return { hold: account.gate.closed, held: account.gate.held };
    }),
  );

  // Answers once at least `atLeast` platform requests are held (408 after `timeoutMs`): tests wait
  // on this instead of sleeping.
  app.get(
    '/_sim/:account/held',
    withAccount(async (req, reply, account) => {
      const query = req.query as Record<string, unknown>;
      const atLeast = Number(query.atLeast ?? 1);
      const timeoutMs = Number(query.timeoutMs ?? 30_000);
      if (!Number.isInteger(atLeast) || atLeast < 1 || atLeast > 10_000)
        return badRequest(reply, 'atLeast must be an integer from 1 to 10000');
      if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > 120_000)
        return badRequest(reply, 'timeoutMs must be an integer from 0 to 120000');
      const reached = await account.gate.whenHeld(atLeast, timeoutMs);
      return reply.code(reached ? 200 : 408).send({ held: account.gate.held, hold: account.gate.closed });
    }),
  );

  const settingsOf = (account: Account) => ({
    visibilityTimeoutMs: account.visibilityTimeoutMs,
    getOrderLimitPerMinute: account.getOrderLimitPerMinute,
    ...account.hook.retry,
  });

  // The orders hook's notifications that got through: the change's time and the delivery's (benchmarks).
  app.get(
    '/_sim/:account/hook/deliveries',
    withAccount((_req, _reply, account) => ({ deliveries: account.hook.delivered })),
  );

  app.get(
    '/_sim/:account/settings',
    withAccount((_req, _reply, account) => settingsOf(account)),
  );

  /** Any of the settings; all are checked before any is applied. */
  app.post(
    '/_sim/:account/settings',
    withAccount((req, reply, account) => {
      const body = req.body;
      const names = [
        'visibilityTimeoutMs',
        'getOrderLimitPerMinute',
        'hookRetryInitialMs',
        'hookRetryMaxMs',
        'hookMaxAttempts',
        'appToken',
      ];
      if (!isObject(body) || !names.some((name) => name in body)) return badRequest(reply, `body must set one of ${names.join(', ')}`);
      const { visibilityTimeoutMs, getOrderLimitPerMinute, hookRetryInitialMs, hookRetryMaxMs, hookMaxAttempts } = body;
      const within = (value: unknown, min: number, max: number) =>
        Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
      if (visibilityTimeoutMs !== undefined && !within(visibilityTimeoutMs, 0, MAX_VISIBILITY_TIMEOUT_MS)) {
        return badRequest(reply, `visibilityTimeoutMs must be an integer from 0 to ${MAX_VISIBILITY_TIMEOUT_MS}`);
      }
      if (getOrderLimitPerMinute !== undefined && !within(getOrderLimitPerMinute, 0, MAX_GET_ORDER_LIMIT_PER_MINUTE)) {
        return badRequest(reply, `getOrderLimitPerMinute must be an integer from 0 (no limit) to ${MAX_GET_ORDER_LIMIT_PER_MINUTE}`);
      }
      for (const [name, value] of Object.entries({ hookRetryInitialMs, hookRetryMaxMs })) {
        if (value !== undefined && !within(value, 1, MAX_HOOK_RETRY_MS))
          return badRequest(reply, `${name} must be an integer from 1 to ${MAX_HOOK_RETRY_MS}`);
      }
      if (hookMaxAttempts !== undefined && !within(hookMaxAttempts, 1, 100))
        return badRequest(reply, 'hookMaxAttempts must be an integer from 1 to 100');
      const { appToken } = body;
      if (appToken !== undefined && appToken !== null && (typeof appToken !== 'string' || appToken.length < 1 || appToken.length > 500)) {
        return badRequest(reply, 'appToken must be a string of 1 to 500 characters, or null for any');
      }
      if (appToken !== undefined) account.requiredAppToken = appToken as string | null;
      if (visibilityTimeoutMs !== undefined) account.visibilityTimeoutMs = visibilityTimeoutMs as number;
      if (getOrderLimitPerMinute !== undefined) account.setGetOrderLimit(getOrderLimitPerMinute as number);
      if (hookRetryInitialMs !== undefined) account.hook.retry.hookRetryInitialMs = hookRetryInitialMs as number;
      if (hookRetryMaxMs !== undefined) account.hook.retry.hookRetryMaxMs = hookRetryMaxMs as number;
      if (hookMaxAttempts !== undefined) account.hook.retry.hookMaxAttempts = hookMaxAttempts as number;
      return settingsOf(account);
    }),
  );

  app.post(
    '/_sim/:account/reset',
    withAccount((_req, _reply, account) => {
      store.reset(account.name);
      return { ok: true };
    }),
  );
}

/** `lines`: product lines per generated order, N or { min, max } (B2B sizes); absent: the default mix. */
function lineRange(value: unknown): LineRange | undefined | string {
  if (value === undefined) return undefined;
  const range = typeof value === 'number' ? { min: value, max: value } : isObject(value) ? value : undefined;
  const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_GENERATED_LINES;
  if (!range || !ok(range.min) || !ok(range.max) || (range.min as number) > (range.max as number)) {
    return `lines must be an integer from 1 to ${MAX_GENERATED_LINES}, or { "min": a, "max": b } with a <= b in that range`;
  }
  return { min: range.min as number, max: range.max as number };
}
