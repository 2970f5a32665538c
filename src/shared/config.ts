import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { TASK_QUEUE } from './ids';

/**
 * Connection settings, read from the environment (documented in the README and
 * docs/DEPLOYMENT.md). A bad value is a ConfigError whose message names the variable.
 */
export interface ServiceConfig {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** Task queue of the import workers and schedules. */
  taskQueue: string;
  /** TLS to the Temporal frontend (server CA, mTLS client pair, server name), files already read; undefined for plaintext. */
  temporalTls?: TLSConfig;
  /** Temporal Cloud API key (sent as `Authorization: Bearer ...`). */
  temporalApiKey?: string;
}

/** Settings of the worker process only: metrics endpoint and log level. */
export interface WorkerConfig extends ServiceConfig {
  /** host:port of the Prometheus endpoint (`/metrics`); undefined when switched off. */
  metricsAddress?: string;
  /** WORKER_METRICS_ADDRESS was set: a port that cannot be bound stops the worker (the default only warns). */
  metricsAddressRequired: boolean;
  logLevel: LogLevelName;
}

/** Settings of the hook receiver process (`npm run hooks`). */
export interface HooksConfig extends ServiceConfig {
  host: string;
  port: number;
  /** Behind a reverse proxy: true, or the proxy addresses whose X-Forwarded-For is believed. */
  trustProxy: boolean | string;
}

export const DEFAULT_HOOKS_PORT = 8790;

export function readHooksConfig(env: NodeJS.ProcessEnv = process.env): HooksConfig {
  const portText = setting(env, 'HOOKS_PORT');
  const port = portText === undefined ? DEFAULT_HOOKS_PORT : Number(portText);
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || port > 65535))
    throw new ConfigError(`HOOKS_PORT must be a port number (0-65535), got ${JSON.stringify(portText)}`);
  const host = readPlain(env, 'HOOKS_HOST') ?? '127.0.0.1';
  const proxy = readPlain(env, 'HOOKS_TRUST_PROXY');
  let trustProxy: boolean | string = false;
  if (proxy !== undefined) {
    if (TRUE.includes(proxy.toLowerCase())) trustProxy = true;
    else if (FALSE.includes(proxy.toLowerCase())) trustProxy = false;
    else if (/^[0-9a-fA-F:.,/]+$/.test(proxy)) trustProxy = proxy;
    else
      throw new ConfigError(
        `HOOKS_TRUST_PROXY must be true, false or the proxy addresses (e.g. 10.0.0.0/8,127.0.0.1), got ${JSON.stringify(proxy)}`,
      );
  }
  return { ...readConfig(env), host, port, trustProxy };
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/** A setting the operator must fix: reported as one line, never with a stack trace. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const temporalApiKey = readApiKey(env);
  return {
    databaseUrl: setting(env, 'DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/vitrine_orders',
    temporalAddress: readAddress(env),
    temporalNamespace: readPlain(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: readPlain(env, 'TASK_QUEUE') ?? TASK_QUEUE,
    temporalTls: readTls(env, temporalApiKey !== undefined),
    temporalApiKey,
  };
}

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return {
    ...readConfig(env),
    metricsAddress: readMetricsAddress(env),
    metricsAddressRequired: env.WORKER_METRICS_ADDRESS !== undefined,
    logLevel: readLogLevel(env),
  };
}

/** An environment variable, with an empty value read as unset (compose passes `${X:-}` through). */
function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A value that must be one word: no spaces, quotes or line breaks. */
function readPlain(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = setting(env, name);
  if (value !== undefined && /[\s"']/.test(value))
    throw new ConfigError(`${name} must be one word without spaces or quotes, got ${JSON.stringify(value)}`);
  return value;
}

function readAddress(env: NodeJS.ProcessEnv): string {
  const address = readPlain(env, 'TEMPORAL_ADDRESS') ?? '127.0.0.1:7233';
  if (address.includes('://') || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/.test(address)) {
    throw new ConfigError(`TEMPORAL_ADDRESS must be host:port (e.g. my-namespace.a1b2c.tmprl.cloud:7233), got ${JSON.stringify(address)}`);
  }
  return address;
}

function readApiKey(env: NodeJS.ProcessEnv): string | undefined {
  const key = setting(env, 'TEMPORAL_API_KEY');
  // Never echo the key itself in an error.
  if (key !== undefined && /^bearer\s/i.test(key)) throw new ConfigError('TEMPORAL_API_KEY must be the key alone, without "Bearer "');
  if (key !== undefined && /\s/.test(key))
    throw new ConfigError('TEMPORAL_API_KEY must be the key alone: it contains spaces or line breaks');
  return key;
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * TLS is on with TEMPORAL_TLS=true, or when any TLS file, a server name or an API key is given
 * (Temporal Cloud requires TLS); TEMPORAL_TLS=false forces plaintext (e.g. an API key through a
 * local proxy) and then refuses TLS files.
 */
function readTls(env: NodeJS.ProcessEnv, hasApiKey: boolean): TLSConfig | undefined {
  const flag = setting(env, 'TEMPORAL_TLS')?.toLowerCase();
  if (flag !== undefined && !TRUE.includes(flag) && !FALSE.includes(flag)) {
    throw new ConfigError(`TEMPORAL_TLS must be true or false, got ${JSON.stringify(env.TEMPORAL_TLS)}`);
  }
  const cert = fileSetting(env, 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT_PATH');
  const key = fileSetting(env, 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY_PATH');
  const ca = fileSetting(env, 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  const serverName = readPlain(env, 'TEMPORAL_TLS_SERVER_NAME');
  const tlsSettings = [cert?.name, key?.name, ca?.name, serverName && 'TEMPORAL_TLS_SERVER_NAME'].filter(Boolean);

  if (flag !== undefined && FALSE.includes(flag)) {
    if (tlsSettings.length > 0)
      throw new ConfigError(`TEMPORAL_TLS is false but ${tlsSettings.join(', ')} ${tlsSettings.length > 1 ? 'are' : 'is'} set`);
    return undefined;
  }
  if (flag === undefined && tlsSettings.length === 0 && !hasApiKey) return undefined;

  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(`mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY; only ${cert?.name ?? key?.name} is set`);
  }
  const tls: TLSConfig = {};
  if (serverName) tls.serverNameOverride = serverName;
  if (ca) tls.serverRootCACertificate = readPem(ca, 'CERTIFICATE');
  if (cert && key) tls.clientCertPair = { crt: readPem(cert, 'CERTIFICATE'), key: readPem(key, 'PRIVATE KEY') };
  return tls;
}

/**
 * A file path under our name or under the name of Temporal's own environment configuration (the
 * `temporal` CLI and the SDKs' envconfig), so that one environment serves both.
 */
function fileSetting(env: NodeJS.ProcessEnv, name: string, temporalName: string): { name: string; path: string } | undefined {
  const path = setting(env, name);
  if (path !== undefined) return { name, path };
  const alias = setting(env, temporalName);
  return alias === undefined ? undefined : { name: temporalName, path: alias };
}

/** A PEM file; the error names the variable and the path, never the content. */
function readPem({ name, path }: { name: string; path: string }, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (error as Error).message;
    throw new ConfigError(`${name}: cannot read ${path}: ${why}`);
  }
  // "-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", ...
  const header = kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;
  if (!header.test(content.toString('latin1'))) {
    throw new ConfigError(`${name}: ${path} is not a PEM ${kind === 'CERTIFICATE' ? 'certificate' : 'private key'}`);
  }
  return content;
}

function readMetricsAddress(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.WORKER_METRICS_ADDRESS;
  if (raw === undefined) return DEFAULT_METRICS_ADDRESS;
  const value = raw.trim();
  if (value === '' || value.toLowerCase() === 'off') return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(`WORKER_METRICS_ADDRESS must be host:port (e.g. 0.0.0.0:9464) or off, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function readLogLevel(env: NodeJS.ProcessEnv): LogLevelName {
  const value = setting(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  return value as LogLevelName;
}
