/**
 * The VTEX platform simulator as a Fastify app: the Orders API for any number of accounts
 * (/{account}/api/...) plus a control API (/_sim/...). All state is in memory.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerControlRoutes } from './controlRoutes';
import { vtexError, Waits } from './http';
import { registerPlatformRoutes } from './platformRoutes';
import { SimulatorStore } from './store';

export interface SimulatorOptions {
  /** Default visibility timeout of every account's feed (ms); env SIM_VISIBILITY_TIMEOUT_MS; 60 s. */
  visibilityTimeoutMs?: number;
  /** Clock for the feed and the dates the simulator writes; tests inject one. Default Date.now. */
  now?: () => number;
  /** How long an injected timeout holds a request before dropping it (default 30 s). */
  hangMs?: number;
  /** Fastify request logging; default env SIM_LOG=1. */
  logger?: boolean;
  /** Share a store between apps, or inspect it from a test; default a new one. */
  store?: SimulatorStore;
}

/** Control bodies can carry thousands of posted orders (the contract's example is ~15 KB each). */
const BODY_LIMIT = 256 * 1024 * 1024;

function envMs(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function createSimulatorApp(options: SimulatorOptions = {}): FastifyInstance {
  const store =
    options.store ??
    new SimulatorStore({
      now: options.now,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? envMs('SIM_VISIBILITY_TIMEOUT_MS') ?? 60_000,
    });
  const app = Fastify({
    // Logs go to stderr: stdout carries only the CLI's ready line, which scripts wait for.
    logger: (options.logger ?? process.env.SIM_LOG === '1') ? { level: 'info', stream: process.stderr } : false,
    bodyLimit: BODY_LIMIT,
    // Drop keep-alive sockets on close: a test's close() must not wait for idle clients.
    forceCloseConnections: true,
  });
  const waits = new Waits();
  app.addHook('preClose', async () => {
    waits.cancelAll();
    store.openGates();
    store.closeHooks();
  });

  // VTEX clients send "Content-Type: application/json" with no body (start-handling): accept it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error('Body is not valid JSON') as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) app.log.error(err);
    return reply.code(status).send(vtexError(String(status), err.message));
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(vtexError('404', 'Not found')));

  registerControlRoutes(app, store);
  registerPlatformRoutes(app, { store, waits, hangMs: options.hangMs ?? 30_000 });
  app.decorate('simulatorStore', store);
  return app;
}

/** The store behind an app made by createSimulatorApp. */
export function simulatorStoreOf(app: FastifyInstance): SimulatorStore {
  return (app as unknown as { simulatorStore: SimulatorStore }).simulatorStore;
}

export interface StartOptions extends SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningSimulator {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  store: SimulatorStore;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  const app = createSimulatorApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    store: simulatorStoreOf(app),
    app,
    close: async () => {
      await app.close();
    },
  };
}
