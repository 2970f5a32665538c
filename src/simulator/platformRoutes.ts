/**
 * VTEX Orders API routes (contracts/vtex/orders-api.openapi.json) for every account: feed
 * retrieve/commit and configuration, hook configuration, get order, start-handling, invoice,
 * tracking and cancel.
 * Faults apply here only.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { corruptOrder, isMalformed } from './faults';
import { hookConfigurationOf } from './hooks';
import { vtexDate } from './random';
import { ACCOUNT_PATTERN, vtexError, type Waits } from './http';
import type { Account, FeedConfiguration, InvoiceRequest, SimulatorStore } from './store';

export interface PlatformContext {
  store: SimulatorStore;
  waits: Waits;
  /** How long an injected timeout keeps the request open (VTEX-side timeouts are ~30 s). */
  hangMs: number;
}

type Params = { account: string; orderId?: string; invoiceNumber?: string };
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
    // An account told its token (settings appToken) refuses any other, as VTEX does.
    if (account.requiredAppToken && token !== account.requiredAppToken) {
      account.counters.refusedCredentials++;
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
    guarded(ctx, async (req, reply, account) => {
      const { orderId = '' } = req.params as Params;
      account.counters.getOrderCalls++;
      const waitMs = account.takeGetOrder();
      if (waitMs > 0) {
        account.counters.rateLimited++;
        return reply
          .code(429)
          .header('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))))
          .send(vtexError('429', 'Too Many Requests'));
      }
      if (!account.orders.has(orderId)) return orderNotFound(reply);
      if (account.faults.hangOrderIds.includes(orderId)) {
        account.counters.faultTimeouts++;
        await ctx.waits.hang(reply, ctx.hangMs);
        return reply;
      }
      if (isMalformed(orderId, account.faults.malformedRate)) {
        account.counters.faultMalformed++;
        return reply.send(corruptOrder(orderId, account.document(orderId)!));
      }
      const json = account.documentJson(orderId)!;
      account.counters.getOrderBytes += Buffer.byteLength(json);
      return reply.type('application/json; charset=utf-8').send(json);
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
    '/:account/api/oms/pvt/orders/:orderId/invoice',
    guarded(ctx, (req, reply, account) => {
      const { orderId = '' } = req.params as Params;
      account.counters.invoiceCalls++;
      const request = invoiceRequestOf(req.body);
      if (typeof request === 'string') return reply.code(400).send(vtexError('400', request));
      const result = account.invoice(orderId, request);
      if (result === 'not-found') return orderNotFound(reply);
      if (typeof result === 'object') return reply.code(409).send(vtexError('409', result.conflict));
      // Every call gets a new receipt, also a repeated one (the contract says so).
      return reply.send(receipt(ctx, orderId));
    }),
  );

  app.patch(
    '/:account/api/oms/pvt/orders/:orderId/invoice/:invoiceNumber',
    guarded(ctx, (req, reply, account) => {
      const { orderId = '', invoiceNumber = '' } = req.params as Params;
      account.counters.trackingCalls++;
      const body = isObject(req.body) ? req.body : undefined;
      if (!body || typeof body.trackingNumber !== 'string' || !body.trackingNumber.trim()) {
        return reply.code(400).send(vtexError('400', 'trackingNumber is required'));
      }
      if (!account.orders.has(orderId)) return orderNotFound(reply);
      const result = account.updateTracking(orderId, invoiceNumber, {
        trackingNumber: body.trackingNumber,
        trackingUrl: optionalText(body.trackingUrl),
        courier: optionalText(body.courier),
        dispatchedDate: optionalText(body.dispatchedDate),
      });
      if (result === 'not-found') return reply.code(404).send(vtexError('404', `Invoice ${invoiceNumber} not found`));
      return reply.send(receipt(ctx, orderId));
    }),
  );

  app.put(
    '/:account/api/oms/pvt/orders/:orderId/invoice/:invoiceNumber/tracking',
    guarded(ctx, (req, reply, account) => {
      const { orderId = '', invoiceNumber = '' } = req.params as Params;
      account.counters.trackingCalls++;
      const status = trackingStatusOf(req.body);
      if (typeof status === 'string') return reply.code(400).send(vtexError('400', status));
      if (!account.orders.has(orderId)) return orderNotFound(reply);
      const result = account.updateTrackingStatus(orderId, invoiceNumber, status);
      if (result === 'not-found') return reply.code(404).send(vtexError('404', `Invoice ${invoiceNumber} not found`));
      return reply.type('application/json; charset=utf-8').send(receipt(ctx, orderId));
    }),
  );

  app.get(
    '/:account/api/orders/feed/config',
    guarded(ctx, (_req, reply, account) => {
      account.counters.feedConfigCalls++;
      const config = account.feedConfiguration();
      if (!config) return reply.code(404).send(vtexError('404', 'Feed configuration not found'));
      const { MessageRetentionPeriodInSeconds, visibilityTimeoutInSeconds } = config.queue;
      return reply.send({ ...config, queue: { visibilityTimeoutInSeconds, MessageRetentionPeriodInSeconds }, ...account.feedQuantity() });
    }),
  );

  app.post(
    '/:account/api/orders/feed/config',
    guarded(ctx, (req, reply, account) => {
      account.counters.feedConfigCalls++;
      const config = feedConfigOf(req.body);
      if (typeof config === 'string')
        return reply.code(config.startsWith('409') ? 409 : 400).send(vtexError(config.slice(0, 3), config.slice(5)));
      account.configureFeed(config);
      return reply.code(200).send();
    }),
  );

  app.delete(
    '/:account/api/orders/feed/config',
    guarded(ctx, (_req, reply, account) => {
      account.counters.feedConfigCalls++;
      account.configureFeed(null);
      return reply.code(200).send();
    }),
  );

  app.get(
    '/:account/api/orders/hook/config',
    guarded(ctx, (_req, reply, account) => {
      const config = account.hook.config;
      if (!config) return reply.code(404).send(vtexError('404', 'Hook configuration not found'));
      return reply.send(config);
    }),
  );

  // Saved only when its URL answers the ping, as VTEX does.
  app.post(
    '/:account/api/orders/hook/config',
    guarded(ctx, async (req, reply, account) => {
      const config = hookConfigurationOf(req.body);
      if (typeof config === 'string') return reply.code(400).send(vtexError('400', config));
      if (!(await account.hook.configure(config)))
        return reply.code(400).send(vtexError('400', `the hook URL did not answer the ping with 200: ${config.hook.url}`));
      return reply.code(200).send(config);
    }),
  );

  app.delete(
    '/:account/api/orders/hook/config',
    guarded(ctx, (_req, reply, account) => {
      if (!account.hook.config) return reply.code(404).send(vtexError('404', 'Hook configuration not found'));
      account.hook.remove();
      return reply.code(200).send();
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
        const state = account.stateOf(orderId);
        const why = state === 'invoiced' ? 'invoiced' : `in status ${state} with an invoice`;
        return reply.code(409).send(vtexError('409', `Order ${why} cannot be canceled: send a return invoice`));
      }
      return reply.send(receipt(ctx, orderId));
    }),
  );
}

function receipt(ctx: PlatformContext, orderId: string): { date: string; orderId: string; receipt: string } {
  return { date: vtexDate(ctx.store.now()), orderId, receipt: randomBytes(16).toString('hex') };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Cents as VTEX takes them: an integer, or a string of digits (the contract types invoiceValue as a string). */
function centsOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/** The invoice notification's body, checked as VTEX checks it; a string says what is wrong. */
function invoiceRequestOf(body: unknown): InvoiceRequest | string {
  if (!isObject(body)) return 'body must be an invoice object';
  if (body.type !== 'Output' && body.type !== 'Input') return 'type must be Output or Input';
  if (typeof body.invoiceNumber !== 'string' || !body.invoiceNumber.trim()) return 'invoiceNumber is required';
  if (typeof body.issuanceDate !== 'string' || Number.isNaN(Date.parse(body.issuanceDate))) return 'issuanceDate must be a date';
  const value = centsOf(body.invoiceValue);
  if (value === undefined || value <= 0) return 'invoiceValue must be a whole number of cents greater than 0';
  if (!Array.isArray(body.items) || body.items.length === 0) return 'items must list the invoiced SKUs';
  const items: InvoiceRequest['items'] = [];
  for (const item of body.items) {
    const price = isObject(item) ? centsOf(item.price) : undefined;
    if (
      !isObject(item) ||
      typeof item.id !== 'string' ||
      price === undefined ||
      !Number.isInteger(item.quantity) ||
      (item.quantity as number) < 1
    ) {
      return 'each item needs id (string), price (cents) and quantity (integer above 0)';
    }
    items.push({ id: item.id, price, quantity: item.quantity as number });
  }
  return {
    type: body.type,
    issuanceDate: body.issuanceDate,
    invoiceNumber: body.invoiceNumber,
    invoiceValue: value,
    invoiceKey: optionalText(body.invoiceKey),
    invoiceUrl: optionalText(body.invoiceUrl),
    embeddedInvoice: optionalText(body.embeddedInvoice),
    courier: optionalText(body.courier) ?? '',
    trackingNumber: optionalText(body.trackingNumber) ?? '',
    trackingUrl: optionalText(body.trackingUrl) ?? '',
    items,
  };
}

function trackingStatusOf(body: unknown): Parameters<Account['updateTrackingStatus']>[2] | string {
  if (!isObject(body) || typeof body.isDelivered !== 'boolean') return 'isDelivered must be true or false';
  if (!Array.isArray(body.events)) return 'events must be a list';
  const events = [];
  for (const e of body.events) {
    if (!isObject(e) || [e.city, e.state, e.description, e.date].some((v) => typeof v !== 'string')) {
      return 'each event needs city, state, description and date';
    }
    events.push({ city: e.city as string, state: e.state as string, description: e.description as string, date: e.date as string });
  }
  const deliveredDate = optionalText(body.deliveredDate);
  if (body.isDelivered && !deliveredDate) return 'deliveredDate is required when isDelivered is true';
  return { isDelivered: body.isDelivered, deliveredDate, events };
}

/** POST /api/orders/feed/config's body; mixing FromWorkflow and FromOrders is VTEX's 409. */
function feedConfigOf(body: unknown): FeedConfiguration | string {
  if (!isObject(body) || !isObject(body.filter) || !isObject(body.queue)) return '400: body must have filter and queue';
  const { filter, queue } = body;
  const visibility = queue.visibilityTimeoutInSeconds;
  const retention = queue.MessageRetentionPeriodInSeconds ?? queue.messageRetentionPeriodInSeconds;
  if (!Number.isInteger(visibility) || (visibility as number) < 0 || (visibility as number) > 43_200) {
    return '400: queue.visibilityTimeoutInSeconds must be an integer from 0 to 43200';
  }
  if (!Number.isInteger(retention) || (retention as number) < 60 || (retention as number) > 1_209_600) {
    return '400: queue.MessageRetentionPeriodInSeconds must be an integer from 60 to 1209600';
  }
  const q = { visibilityTimeoutInSeconds: visibility as number, MessageRetentionPeriodInSeconds: retention as number };
  if (filter.type === 'FromWorkflow') {
    if (filter.expression !== undefined) return '409: a FromWorkflow filter takes status, not expression';
    if (!Array.isArray(filter.status) || !filter.status.every((st) => typeof st === 'string')) return '400: filter.status must list states';
    return { filter: { type: 'FromWorkflow', status: filter.status as string[] }, queue: q };
  }
  if (filter.type === 'FromOrders') {
    if (filter.status !== undefined) return '409: a FromOrders filter takes expression, not status';
    if (typeof filter.expression !== 'string') return '400: filter.expression must be a JSONata expression';
    return {
      filter: { type: 'FromOrders', expression: filter.expression, disableSingleFire: filter.disableSingleFire === true },
      queue: q,
    };
  }
  return '400: filter.type must be FromWorkflow or FromOrders';
}
