/**
 * The worker's logs: one JSON object per line on stdout (pino), with secrets redacted wherever
 * they are, and an adapter that makes it the Temporal Runtime's logger, so the SDK's own logs and
 * the workflow and activity context loggers come out the same way, tagged with the vitrine code.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevelName } from '../shared/config';
import { vitrineCodeFromWorkflowId } from '../shared/ids';

export type { Logger };

export const REDACTED = '[redacted]';

/**
 * Keys whose values are never logged: tokens of any kind (VTEX app token, X-VTEX-API-AppToken,
 * Temporal task tokens), passwords, secrets, API keys, Authorization headers, cookies, private keys.
 */
const SECRET_KEY = /token|passw|secret|authorization|api[-_]?key|cookie|credential|^(private[-_]?)?key$/i;

/** Secrets written inside text: headers, `key=value` pairs, bearer credentials, URL passwords. */
const SECRET_IN_TEXT: Array<[RegExp, string]> = [
  [
    /((?:x-vtex-api-apptoken|app[-_]?token|api[-_]?key|password|authorization|token)["']?\s*[:=]\s*["']?)(?:bearer\s+)?[^\s"',;&}]+/gi,
    `$1${REDACTED}`,
  ],
  [/\bbearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/(\w+:\/\/[^:/@\s]+:)[^@\s/]+@/g, `$1${REDACTED}@`],
];

export function redactText(text: string): string {
  return SECRET_IN_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

const MAX_DEPTH = 12;

/** A copy of `value` safe to log: secret keys and secrets in text redacted at any depth. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
    if (value instanceof Error) return redactError(value, depth, seen);
    const entries: Array<[string, unknown]> =
      value instanceof Map || (typeof Headers !== 'undefined' && value instanceof Headers)
        ? [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v])
        : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: redactText(error.message) };
  for (const [key, item] of Object.entries(error)) {
    out[key] = SECRET_KEY.test(key) && item != null ? REDACTED : redact(item, depth + 1, seen);
  }
  if (error.cause !== undefined) out.cause = redact(error.cause, depth + 1, seen);
  if (error.stack) out.stack = redactText(error.stack);
  return out;
}

/** The process logger: JSON lines, `level` as a word, ISO `time`, `pid` and `hostname`, secrets redacted. */
export function createLogger(options: { level: LogLevelName; destination?: DestinationStream; name?: string }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // Message strings (and their printf arguments) go through the same redaction.
          const safe = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)) as typeof args;
          return method.apply(this, safe);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

const LEVELS: Record<LogLevel, LogLevelName> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** pino's level name as Temporal's (for the SDK's native log filter). */
export function temporalLogLevel(level: LogLevelName): LogLevel {
  return level.toUpperCase() as LogLevel;
}

/**
 * The Temporal Runtime logger over pino. SDK attributes keep their names, except that an
 * activity's `workflowRunId` becomes `runId` as in workflow logs; `vitrineCode` is added from the
 * workflow id when the record does not carry it.
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const name = LEVELS[level] ?? 'info';
    if (!this.logger.isLevelEnabled(name)) return;
    const fields: Record<string, unknown> = { ...meta };
    if (fields.workflowRunId !== undefined && fields.runId === undefined) {
      fields.runId = fields.workflowRunId;
      delete fields.workflowRunId;
    }
    if (fields.vitrineCode === undefined && typeof fields.workflowId === 'string') {
      const code = vitrineCodeFromWorkflowId(fields.workflowId);
      if (code) fields.vitrineCode = code;
    }
    this.logger[name](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
