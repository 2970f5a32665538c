/**
 * The hook receiver: VTEX's orders hook calls `POST /hooks/vtex/{vitrineCode}` on every state change
 * of an order the hook filter lets through (contracts/vtex, hook configuration). It faces the
 * internet, so it is a process of its own and does as little as it can: it checks the vitrine's
 * secret (a header of the hook configuration, compared in constant time) and the platform account,
 * keeps the notification in the ERP (hook_notifications), answers 200 once that is committed, and
 * then triggers the vitrine's schedule. The import run does the rest, through the same steps as a
 * queue page. A refused request changes nothing and starts nothing; a source sending many is
 * limited (sourceLimiter.ts).
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { z } from 'zod';
import { findHookTarget, recordHookNotification, recordHookPing } from '../erp/store/hooks';
import { VITRINE_CODE_PATTERN } from '../shared/ids';
import { HOOK_SECRET_HEADER, secretMatches } from './secrets';
import { DEFAULT_SOURCE_LIMITS, SourceLimiter, type SourceLimits } from '../shared/sourceLimiter';

/** A notification is ~300 bytes; anything much larger is not one. */
export const HOOK_BODY_LIMIT = 16 * 1024;

export interface ReceiverDeps {
  db: Knex;
  /** Asks for an import run of the vitrine (RunTrigger.wake); called after the notification is committed. */
  wake(vitrineCode: string): void;
}

export interface ReceiverOptions {
  logger?: boolean;
  /** Behind a reverse proxy: true, or the proxy addresses (CIDRs, comma-separated) whose X-Forwarded-For is believed. */
  trustProxy?: boolean | string;
  sourceLimits?: SourceLimits;
  now?: () => number;
}

const ping = z.object({ hookConfig: z.literal('ping') }).strict();

/** VTEX's notification (HookConfiguration in the contract); only what the import uses is checked closely. */
const notification = z.object({
  Domain: z.string().max(40),
  OrderId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'OrderId has characters no VTEX order id has'),
  State: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z][a-z-]*$/, 'State is not a VTEX state name'),
  LastState: z.string().max(64).optional(),
  LastChange: z.string().max(40).optional(),
  CurrentChange: z.string().max(40).optional(),
  Origin: z.object({ Account: z.string().min(1).max(100), Key: z.string().max(200).optional() }),
});

function dateOrNull(text: string | undefined): Date | null {
  if (!text) return null;
  // VTEX writes seven fractional digits ("2019-08-14T17:11:39.2550122Z"): milliseconds are enough.
  const date = new Date(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? null : date;
}

export async function buildHookReceiver(deps: ReceiverDeps, options: ReceiverOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Notifications come by the hundred a second: each refusal is logged, not each request.
    logger: options.logger ? { level: 'info' } : false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: HOOK_BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
  });
  const limiter = new SourceLimiter(options.sourceLimits ?? DEFAULT_SOURCE_LIMITS, options.now);
  const now = options.now ?? Date.now;

  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, error: string) => {
    limiter.refused(request.ip);
    request.log.warn({ source: request.ip, status, url: request.url.slice(0, 200) }, `hook request refused: ${error}`);
    return reply.code(status).send({ error });
  };

  app.addHook('onRequest', async (request, reply) => {
    const wait = limiter.waitOf(request.ip);
    if (wait > 0) {
      return reply
        .code(429)
        .header('retry-after', String(Math.ceil(wait / 1000)))
        .send({ error: 'too many refused requests from this address' });
    }
  });

  app.get('/health', async () => ({ ok: true }));

  app.post('/hooks/vtex/:vitrineCode', async (request, reply) => {
    const { vitrineCode } = request.params as { vitrineCode: string };
    if (!VITRINE_CODE_PATTERN.test(vitrineCode)) return refuse(request, reply, 404, 'unknown vitrine');
    const target = await findHookTarget(deps.db, vitrineCode);
    if (!target) return refuse(request, reply, 404, 'unknown vitrine');
    if (!target.hook) return refuse(request, reply, 404, `vitrine ${vitrineCode} has no hook enabled`);
    const secret = request.headers[HOOK_SECRET_HEADER];
    if (!secretMatches(target.hook, typeof secret === 'string' ? secret : undefined, new Date(now())))
      return refuse(request, reply, 401, `missing or wrong ${HOOK_SECRET_HEADER}`);

    if (ping.safeParse(request.body).success) {
      await recordHookPing(deps.db, target.vitrineId);
      return reply.code(200).send({ ok: true });
    }
    const parsed = notification.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse(request, reply, 400, `not a hook notification: ${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const body = parsed.data;
    if (body.Origin.Account.toLowerCase() !== target.hook.account.toLowerCase())
      return refuse(request, reply, 401, `Origin.Account is not the account of vitrine ${vitrineCode}`);

    await recordHookNotification(deps.db, target.vitrineId, {
      orderId: body.OrderId,
      state: body.State,
      lastChange: dateOrNull(body.CurrentChange) ?? dateOrNull(body.LastChange),
    });
    // Switched off: the notification waits in the ERP; the run after switching on serves it.
    if (target.importOrders) deps.wake(vitrineCode);
    return reply.code(200).send({ ok: true });
  });

  app.setNotFoundHandler((request, reply) => refuse(request, reply, 404, 'no such endpoint'));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    // Malformed JSON, a body too large, a wrong content type: the client's.
    if (status >= 400 && status < 500) return refuse(request, reply, status, error.message.split('\n')[0].slice(0, 200));
    // The ERP database away: the platform retries later (nothing was kept, so nothing is lost).
    request.log.error({ err: error }, 'hook notification not kept');
    return reply.code(503).send({ error: 'the notification could not be kept; try again' });
  });

  return app;
}
