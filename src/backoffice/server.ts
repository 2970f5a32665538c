/**
 * The backoffice: server-rendered pages over the same store functions and rules as the `vitrine`
 * CLI. Plain forms: a change is a POST answered with a redirect and a flash message; a refused one
 * re-renders its page with why, with status 400.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerAuditRoutes } from './auditPage';
import { registerAuth, type AuthOptions } from './auth';
import { registerBlockedRoutes } from './blockedPage';
import { SecretKeyError } from '../shared/secrets';
import { registerDefaultsRoutes } from './defaultsPage';
import { registerDeParaRoutes } from './deparaPage';
import { html } from './html';
import { NotFoundError, sendPage, type BackofficeDeps, type Fields } from './http';
import { page } from './layout';
import { registerOrderRoutes } from './ordersPage';
import { TemporalUnavailableError } from '../shared/temporalAccess';
import { registerVitrineRoutes } from './vitrinesPage';

export type { BackofficeDeps } from './http';

export interface BackofficeOptions {
  /** Fastify's request log (pino); off in tests. */
  logger?: boolean;
  /**
   * Host names the pages answer to (the Host header), against DNS rebinding: by default the
   * loopback names. Empty: any (a backoffice listening on a public address behind a proxy).
   */
  allowedHosts?: string[];
  /** Sessions and login limits (src/backoffice/auth.ts). */
  auth?: AuthOptions;
  /** Behind a TLS proxy: true, or its addresses; its X-Forwarded-Proto and -For are then believed. */
  trustProxy?: boolean | string;
}

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

const DATABASE_DOWN = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', '57P01', '57P03', '3D000', '28P01', '28000']);

export async function buildBackoffice(deps: BackofficeDeps, options: BackofficeOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 256 * 1024, trustProxy: options.trustProxy ?? false });
  const allowedHosts = new Set(options.allowedHosts ?? LOOPBACK_HOSTS);

  // Forms post application/x-www-form-urlencoded: parsed here, no plugin needed.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Fields = {};
    for (const [key, value] of new URLSearchParams(body as string)) fields[key] = value;
    done(null, fields);
  });

  app.addHook('onRequest', async (request, reply) => {
    const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (allowedHosts.size > 0 && !allowedHosts.has(host)) {
      return reply.code(421).type('text/plain; charset=utf-8').send('unknown host name');
    }
    // No cross-site form may change anything: a POST must come from the backoffice's own pages
    // (Sec-Fetch-Site where the browser sends it, else the Origin header).
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const site = request.headers['sec-fetch-site'];
      const origin = request.headers.origin;
      const allowed =
        site !== undefined
          ? site === 'same-origin' || site === 'none'
          : origin === undefined || origin === `${request.protocol}://${request.headers.host}`;
      if (!allowed) return reply.code(403).type('text/plain; charset=utf-8').send('cross-site requests are refused');
    }
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    reply.header('x-content-type-options', 'nosniff');
    // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on form posts.
    reply.header('referrer-policy', 'same-origin');
    reply.header('cache-control', 'no-store');
  });

  await registerAuth(app, deps.db, options.auth);

  app.setNotFoundHandler((request, reply) => sendPage(reply, errorPage('Not found', `no page at ${request.url.slice(0, 200)}`), 404));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof NotFoundError) return sendPage(reply, errorPage('Not found', error.message), 404);
    if (error instanceof TemporalUnavailableError) return sendPage(reply, errorPage('Temporal unreachable', error.message), 503);
    const code = (error as { code?: string }).code ?? '';
    if (DATABASE_DOWN.has(code)) {
      request.log.error({ err: error }, 'database unreachable');
      return sendPage(reply, errorPage('Database unreachable', `cannot reach the ERP database (DATABASE_URL): ${error.message}`), 503);
    }
    if (code === '42P01') return sendPage(reply, errorPage('No schema', 'the ERP database has no schema yet: run npm run migrate'), 500);
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      return sendPage(
        reply,
        errorPage(
          'Form refused',
          'the form has no valid CSRF token (it expired, or it did not come from this backoffice): reload the page and send it again',
        ),
        403,
      );
    }
    if (error instanceof SecretKeyError) return sendPage(reply, errorPage('Secret key', error.message), 503);
    if (error.statusCode === 429) return sendPage(reply, errorPage('Too many attempts', error.message), 429);
    // Fastify's own client errors (a body too large, an unsupported content type...).
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendPage(reply, errorPage('Bad request', error.message), error.statusCode);
    }
    request.log.error({ err: error }, 'backoffice request failed');
    return sendPage(reply, errorPage('Unexpected error', 'the request failed; the details are in the backoffice log'), 500);
  });

  app.get('/', (_request, reply) => reply.redirect('/vitrines', 303));
  registerVitrineRoutes(app, deps);
  registerDefaultsRoutes(app, deps);
  registerDeParaRoutes(app, deps);
  registerOrderRoutes(app, deps);
  registerBlockedRoutes(app, deps);
  registerAuditRoutes(app, deps);
  return app;
}

function errorPage(title: string, message: string) {
  return page(
    { title, flash: { kind: 'error', message } },
    html`<h1>${title}</h1>
      <p><a href="/vitrines">Vitrines</a> · <a href="/orders">Pedidos de venda</a></p>`,
  );
}
