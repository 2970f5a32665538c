/**
 * Who may use the backoffice: every page needs a login (users of `vitrine users`), sessions live
 * in Postgres behind a signed, HttpOnly, SameSite=Strict cookie (Secure over HTTPS) with an idle and an
 * absolute expiry, every form carries a CSRF token, failed logins are limited per account and per
 * address, and a route marked `config: { role: 'admin' }` refuses an operator with 403. Libraries:
 * @fastify/cookie, @fastify/session, @fastify/csrf-protection, @fastify/rate-limit.
 */
import { createHmac } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession, { type FastifySessionObject as Session, type SessionStore } from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { emailSchema } from '../admin/users';
import { deleteExpiredSessions, deleteSession, readSession, writeSession } from '../erp/store/sessions';
import { findUserByEmail, findUserById, updateUser, type Role } from '../erp/store/users';
import { UNKNOWN_USER_HASH, verifyPassword } from '../shared/passwords';
import { readSecretKeys } from '../shared/secrets';
import { html } from './html';
import { SourceLimiter } from '../shared/sourceLimiter';
import { fieldsOf, queryOf, sendPage, takeFlash } from './http';
import { page, type Flash } from './layout';

export interface BackofficeUser {
  id: number;
  email: string;
  role: Role;
}

export interface AuthOptions {
  /** A session unused for this long ends. Default 30 minutes. */
  idleMs?: number;
  /** A session ends this long after the login, used or not. Default 12 hours. */
  maxAgeMs?: number;
  /**
   * auto (the default): Secure over HTTPS (with BACKOFFICE_TRUST_PROXY, as the proxy says), plain
   * over http (a loopback address); true: Secure always, and no session over plain http.
   */
  secureCookies?: boolean | 'auto';
  /** Failed logins per account, and login attempts per address, in `loginWindowMs`. Defaults 10 and 30 in 15 minutes. */
  loginAttemptsPerAccount?: number;
  loginAttemptsPerAddress?: number;
  loginWindowMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: BackofficeUser;
    /** A CSRF token for the forms of the page this request answers with. */
    csrfToken?: string;
  }
  interface FastifyContextConfig {
    /** admin: only an admin may use the route. Default: any user. */
    role?: Role;
    /** The login page and form: open to anonymous visitors. */
    public?: boolean;
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    userId?: number;
    loginAt?: number;
    lastSeenAt?: number;
  }
}

const SESSION_COOKIE = 'backoffice_session';

/** The cookie's signing secrets, one per key of the secret keyring: a key rotation rotates them too. */
function sessionSecrets(): string[] {
  return readSecretKeys().map((key) => createHmac('sha256', key.key).update('backoffice session cookie').digest('base64'));
}

/** @fastify/session's store over user_sessions. */
function postgresStore(db: Knex, limits: { idleMs: number; maxAgeMs: number }): SessionStore {
  const callback = <T>(done: (error?: unknown, value?: T) => void, work: Promise<T>) =>
    void work.then(
      (value) => done(undefined, value),
      (error) => done(error),
    );
  return {
    get(sessionId, done) {
      callback(
        done,
        readSession(db, sessionId).then((data) => (data ?? null) as Session | null),
      );
    },
    set(sessionId: string, session: Session, done: (error?: unknown) => void) {
      const now = Date.now();
      const loginAt = session.loginAt ?? now;
      const expiresAt = new Date(Math.min(now + limits.idleMs, loginAt + limits.maxAgeMs));
      const userId = session.userId;
      callback(done, writeSession(db, sessionId, { userId, data: session, expiresAt }));
    },
    destroy(sessionId: string, done: (error?: unknown) => void) {
      callback(done, deleteSession(db, sessionId));
    },
  };
}

/** Only paths of this site: `next` must never send a fresh login elsewhere. */
function localPath(value: string | undefined): string {
  return value && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 500 ? value : '/vitrines';
}

function loginPage(reply: FastifyReply, state: { next?: string; email?: string; flash?: Flash }, status = 200): FastifyReply {
  return sendPage(
    reply,
    page(
      { title: 'Login', flash: state.flash, anonymous: true },
      html`<h1>Backoffice login</h1>
        <form method="post" action="/login" class="stack" aria-label="login">
          <input type="hidden" name="next" value="${localPath(state.next)}" />
          <label>E-mail<input name="email" type="email" autocomplete="username" value="${state.email ?? ''}" required /></label>
          <label>Password<input name="password" type="password" autocomplete="current-password" required /></label>
          <button>Log in</button>
        </form>
        <p class="muted">Users are added by an admin: <code>vitrine users add &lt;email&gt; --role admin|operator</code>.</p>`,
    ),
    status,
  );
}

function refused(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return sendPage(
    reply,
    page(
      { title, flash: { kind: 'error', message } },
      html`<h1>${title}</h1>
        <p><a href="/vitrines">Vitrines</a></p>`,
    ),
    status,
  );
}

export async function registerAuth(app: FastifyInstance, db: Knex, options: AuthOptions = {}): Promise<void> {
  const idleMs = options.idleMs ?? 30 * 60_000;
  const maxAgeMs = options.maxAgeMs ?? 12 * 3_600_000;
  const windowMs = options.loginWindowMs ?? 15 * 60_000;

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: sessionSecrets(),
    cookieName: SESSION_COOKIE,
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secureCookies ?? 'auto', maxAge: idleMs },
    saveUninitialized: false,
    rolling: true,
    store: postgresStore(db, { idleMs, maxAgeMs }),
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await app.register(fastifyRateLimit, { global: false });

  // Who is asking, on every route: anonymous visitors get the login page, ended sessions too.
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config;
    if (!config.public) {
      const user = await sessionUser(db, request, { idleMs, maxAgeMs });
      if (!user.ok) {
        if (request.session.userId !== undefined) await request.session.destroy();
        if (request.method === 'GET' || request.method === 'HEAD') {
          const next = encodeURIComponent(request.url.slice(0, 500));
          return reply.redirect(`/login?next=${next}${user.expired ? '&expired=1' : ''}`, 303);
        }
        return refused(reply, 401, 'Log in first', 'this action needs a login: the session is missing or has ended');
      }
      request.user = user.user;
      request.session.lastSeenAt = Date.now();
      if (config.role === 'admin' && user.user.role !== 'admin') {
        return refused(reply, 403, 'Not allowed', `only an admin may do this; ${user.user.email} is ${user.user.role}`);
      }
    }
  });
  // Every change carries the session's CSRF token, on top of the Origin and Sec-Fetch-Site checks
  // (a refusal is sent by csrfProtection, which then does not go on).
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD') return done();
    app.csrfProtection(request, reply, done);
  });
  app.addHook('preHandler', async (request, reply) => {
    request.csrfToken = reply.generateCsrf();
  });

  // Every POST form of a page gets the token; the header shows who is logged in, with logout.
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    let out = payload;
    if (request.user) {
      const who = html`<span class="user" data-user="${request.user.email}">${request.user.email} · ${request.user.role}</span>
        <form method="post" action="/logout" class="inline"><button class="secondary">Log out</button></form>`;
      out = out.replace('<!--user-->', who.text);
    }
    if (request.csrfToken) {
      const token = html`<input type="hidden" name="_csrf" value="${request.csrfToken}" />`.text;
      out = out.replace(/<form\b[^>]*\bmethod="post"[^>]*>/gi, (tag) => `${tag}${token}`);
    }
    return out;
  });

  app.get('/login', { config: { public: true } }, async (request, reply) => {
    const { next, expired } = queryOf(request);
    if (request.user) return reply.redirect(localPath(next), 303);
    const flash =
      takeFlash(request, reply) ?? (expired ? { kind: 'error' as const, message: 'the session ended: log in again' } : undefined);
    return loginPage(reply, { next, flash });
  });

  const byAddress = app.rateLimit({
    max: options.loginAttemptsPerAddress ?? 30,
    timeWindow: windowMs,
    keyGenerator: (request) => `address:${request.ip}`,
    errorResponseBuilder: (_request, context) => tooManyAttempts(context.after),
  });
  // Per account, failed logins only: a user's good logins never lock the account.
  const perAccount = options.loginAttemptsPerAccount ?? 10;
  const failures = new SourceLimiter({ burst: perAccount, perMinute: (perAccount * 60_000) / windowMs });

  app.post('/login', { config: { public: true }, preHandler: byAddress }, async (request, reply) => {
    const { email = '', password = '', next } = fieldsOf(request);
    const account = email.trim().toLowerCase().slice(0, 254);
    const wait = failures.waitOf(account);
    if (wait > 0) {
      const message = tooManyAttempts(`${Math.ceil(wait / 1000)} seconds`).message;
      return loginPage(reply, { next, email: account, flash: { kind: 'error', message } }, 429);
    }
    const parsed = emailSchema.safeParse(email);
    const user = parsed.success ? await findUserByEmail(db, parsed.data) : undefined;
    // The same work and the same answer for an unknown user, a disabled one and a wrong password.
    const matches = await verifyPassword(password.slice(0, 1024), user?.password_hash ?? UNKNOWN_USER_HASH);
    if (!user || !matches || user.disabled_at) {
      failures.refused(account);
      return loginPage(reply, { next, email: email.slice(0, 254), flash: { kind: 'error', message: 'e-mail or password is wrong' } }, 401);
    }
    // A new session id at login: one fixed before it (a planted cookie) is worth nothing.
    await request.session.regenerate();
    const now = Date.now();
    request.session.userId = user.id;
    request.session.loginAt = now;
    request.session.lastSeenAt = now;
    await updateUser(db, user.id, { last_login_at: new Date(now) });
    return reply.redirect(localPath(next), 303);
  });

  app.post('/logout', { config: { public: true } }, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });

  // Ended sessions go from the table now and then.
  const sweep = setInterval(() => void deleteExpiredSessions(db).catch(() => undefined), 10 * 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
}

function tooManyAttempts(after: string) {
  return { statusCode: 429, error: 'Too Many Requests', message: `too many login attempts: try again in ${after}` };
}

type SessionCheck = { ok: true; user: BackofficeUser } | { ok: false; expired: boolean };

async function sessionUser(db: Knex, request: FastifyRequest, limits: { idleMs: number; maxAgeMs: number }): Promise<SessionCheck> {
  const { userId, loginAt, lastSeenAt } = request.session;
  if (userId === undefined || loginAt === undefined) return { ok: false, expired: false };
  const now = Date.now();
  if (now - (lastSeenAt ?? loginAt) > limits.idleMs || now - loginAt > limits.maxAgeMs) return { ok: false, expired: true };
  const user = await findUserById(db, userId);
  // Disabled, or a new password since this login: the session is over.
  if (!user || user.disabled_at || user.password_changed_at.getTime() > loginAt) return { ok: false, expired: true };
  return { ok: true, user: { id: user.id, email: user.email, role: user.role } };
}
