/**
 * VTEX Orders API routes (contracts/vtex/orders-api.openapi.json) for every account:
 * feed retrieve/commit, get order, start-handling and cancel. Faults apply here only.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { corruptOrder, isMalformed } from './faults';
import { vtexDate } from './random';
import { ACCOUNT_PATTERN, vtexError, type Waits } from './http';
import type { Account, SimulatorStore } from './store';

export interface PlatformContext {
  store: SimulatorStore;
  waits: Waits;
  /** How long an injected timeout keeps the request open (VTEX-side timeouts are ~30 s). */
  hangMs: number;
}

type Params = { account: string; orderId?: string };
type Handler = (req: FastifyRequest, reply: FastifyReply, account: Account) => Promise<unknown> | unknown;

/** Order of checks: account name, injected faults (infrastructure answers first), then credentials. */
function guarded(ctx: PlatformContext, handler: Handler) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const { account: name } = req.params as Params;
    if (!ACCOUNT_PATTERN.test(name)) return reply.code(404).send(vtexError('404', 'Account not found'));
    const account = ctx.store.account(name);
    account.counters.platformRequests++;
    await account.gate.pass();
    const f = account.faults;
    if (f.latencyMs > 0) await ctx.waits.sleep(f.latencyMs);
    // Draw only for active faults, so the PRNG sequence depends on the settings alone.
    if (f.timeoutRate > 0 && account.faultRng.chance(f.timeoutRate)) {
      account.counters.faultTimeouts++;
      await ctx.waits.hang(reply, ctx.hangMs);
      return reply;
    }
    if (f.errorRate > 0 && account.faultRng.chance(f.errorRate)) {
      account.counters.faultErrors++;
      const status = account.faultRng.chance(0.5) ? 500 : 503;
      return reply.code(status).send(vtexError(String(status), 'Simulated platform error'));
    }
    if (f.rateLimitRate > 0 && account.faultRng.chance(f.rateLimitRate)) {
      account.counters.faultRateLimited++;
      return reply.code(429).header('Retry-After', '1').send(vtexError('429', 'Too Many Requests'));
    }
    const key = req.headers['x-vtex-api-appkey'];
    const token = req.headers['x-vtex-api-apptoken'];
    if (typeof key !== 'string' || !key.trim() || typeof token !== 'string' || !token.trim()) {
      return reply.code(401).send(vtexError('1', 'Unauthorized access'));
    }
    return handler(req, reply, account);
  };
}

function orderNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send(vtexError('404', 'Order not found'));
}

export function registerPlatformRoutes(app: FastifyInstance, ctx: PlatformContext): void {
  app.get(
    '/:account/api/orders/feed',
    guarded(ctx, (req, reply, account) => {
      const raw = (req.query as Record<string, unknown>).maxlot;
      const maxlot = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
      if (!(maxlot >= 1 && maxlot <= 10)) {
        return reply.code(400).send(vtexError('400', 'maxlot must be an integer from 1 to 10'));
      }
      return reply.send(account.retrieve(maxlot));
    }),
  );

  app.post(
    '/:account/api/orders/feed',
    guarded(ctx, (req, reply, account) => {
      const body = req.body as { handles?: unknown } | undefined;
      const handles = body && typeof body === 'object' && !Array.isArray(body) ? body.handles : undefined;
      if (!Array.isArray(handles) || !handles.every((h) => typeof h === 'string')) {
        return reply.code(400).send(vtexError('400', 'body must be { "handles": [string, ...] }'));
      }
      account.commit(handles);
      // The contract's answer is "200 OK" with no content.
      return reply.code(200).send();
    }),
  );

  app.get(
    '/:account/api/oms/pvt/orders/:orderId',
    guarded(ctx, (req, reply, account) => {
      const { orderId = '' } = req.params as Params;
      account.counters.getOrderCalls++;
      if (!account.orders.has(orderId)) return orderNotFound(reply);
      if (isMalformed(orderId, account.faults.malformedRate)) {
        account.counters.faultMalformed++;
        return reply.send(corruptOrder(orderId, account.document(orderId)!));
      }
      return reply.type('application/json; charset=utf-8').send(account.documentJson(orderId));
    }),
  );

  app.post(
    '/:account/api/oms/pvt/orders/:orderId/start-handling',
    guarded(ctx, (req, reply, account) => {
      const { orderId = '' } = req.params as Params;
      account.counters.startHandlingRequests++;
      const result = account.startHandling(orderId);
      if (result === 'not-found') return orderNotFound(reply);
      if (result === 'conflict') {
        return reply.code(409).send(vtexError('OMS003', 'Order status should be ready-for-handling to perform this action'));
      }
      // 204 for the change and for the repeat on an order already in handling (idempotent retries).
      return reply.code(204).send();
    }),
  );

  app.post(
    '/:account/api/oms/pvt/orders/:orderId/cancel',
    guarded(ctx, (req, reply, account) => {
      const { orderId = '' } = req.params as Params;
      const body = req.body as { reason?: unknown } | undefined;
      const reason = body && typeof body === 'object' && typeof body.reason === 'string' ? body.reason : undefined;
      account.counters.cancelCalls++;
      const result = account.cancel(orderId, reason);
      if (result === 'not-found') return orderNotFound(reply);
      if (result === 'conflict') {
        return reply.code(409).send(vtexError('409', `Order in status ${account.stateOf(orderId)} cannot be canceled`));
      }
      return reply.send({ date: vtexDate(ctx.store.now()), orderId, receipt: randomBytes(16).toString('hex') });
    }),
  );
}
