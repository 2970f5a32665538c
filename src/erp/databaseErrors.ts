/**
 * Errors of the ERP database, by what they mean for a retry. Postgres names every error with a
 * SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html); the node driver adds
 * its own for a connection that is gone.
 */

/**
 * - unavailable: the database is not there now, or asks to try again (a restart, too many
 *   connections, a serialization failure, a deadlock): a retry can succeed.
 * - schema: a table, column or function the import uses does not exist.
 * - statement: Postgres refused the statement itself (syntax, a type mismatch, a limit such as the
 *   65,535 bind parameters): the same statement fails again.
 * - data: values the schema refuses (classes 22 and 23).
 */
export type DatabaseErrorClass = 'unavailable' | 'schema' | 'statement' | 'data';

/** Errors of the node side of a connection: the socket, the pool. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /Timeout acquiring a connection/i,
  /Client has encountered a connection error/i,
  /connection is closed/i,
];
const SCHEMA_CODES = new Set(['42P01', '42703', '42883', '3F000', '3D000', '42704']);
/** Conditions that a retry can outlive: serialization failure, deadlock, lock timeout, a cancelled statement. */
const RETRY_CODES = new Set(['40001', '40P01', '55P03', '57014']);

const NAMES: Record<string, string> = {
  '08P01': 'protocol violation',
  '22001': 'a value too long for its column',
  '22003': 'a number out of range',
  '22P02': 'a value of the wrong type',
  '23502': 'a missing required value',
  '23503': 'a reference to a row that does not exist',
  '23505': 'a duplicate key',
  '23514': 'a check constraint',
  '3D000': 'the database does not exist',
  '40001': 'a serialization failure',
  '40P01': 'a deadlock',
  '42601': 'a syntax error',
  '42703': 'a column that does not exist',
  '42P01': 'a table that does not exist',
  '42883': 'a function that does not exist',
  '53300': 'too many connections',
  '54000': 'a limit of the server',
  '57014': 'a statement cancelled',
  '57P01': 'the server shutting down',
  '57P03': 'the server starting up',
};

interface PgFields {
  code?: unknown;
  severity?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/** SQLSTATEs are five characters of digits and capitals; node's own codes start with E. */
function sqlState(error: PgFields): string | undefined {
  return typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : undefined;
}

/** Whether Postgres raised the error (it carries a SQLSTATE), whatever its class. */
export function isPostgresError(error: unknown): boolean {
  return !!error && typeof error === 'object' && sqlState(error as PgFields) !== undefined;
}

/** What an error of the database means for a retry, or undefined for one that is not the database's. */
export function databaseErrorClass(error: unknown): DatabaseErrorClass | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as PgFields & { name?: unknown };
  const state = sqlState(e);
  if (state) {
    if (RETRY_CODES.has(state) || state.startsWith('08') || state.startsWith('53') || state.startsWith('57P')) {
      return state === '08P01' ? 'statement' : 'unavailable';
    }
    if (SCHEMA_CODES.has(state)) return 'schema';
    if (state.startsWith('22') || state.startsWith('23')) return 'data';
    if (state.startsWith('42') || state.startsWith('54') || state.startsWith('0A')) return 'statement';
    return undefined;
  }
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return 'unavailable';
  if (e.name === 'KnexTimeoutError') return 'unavailable';
  const message = typeof e.message === 'string' ? e.message : '';
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return 'unavailable';
  return undefined;
}

/**
 * A database error in words that never quote a value: its SQLSTATE, what it means, and the table,
 * column or constraint it names (Postgres's own message can quote the value it refused).
 */
export function describeDatabaseError(error: unknown): string {
  const e = (error ?? {}) as PgFields;
  const state = sqlState(e);
  if (!state) {
    const code = typeof e.code === 'string' ? e.code : 'no code';
    return `the ERP database could not be reached (${code})`;
  }
  const where = [
    typeof e.table === 'string' ? `table ${e.table}` : undefined,
    typeof e.column === 'string' ? `column ${e.column}` : undefined,
    typeof e.constraint === 'string' ? `constraint ${e.constraint}` : undefined,
  ].filter(Boolean);
  // Messages of schema and statement errors name objects, not values ("relation \"carriers\" does not exist").
  const own = typeof e.message === 'string' && (SCHEMA_CODES.has(state) || state.startsWith('42')) ? `: ${withoutSql(e.message)}` : '';
  return `the ERP database refused it with SQLSTATE ${state} (${NAMES[state] ?? 'see the Postgres error codes'})${where.length ? `, ${where.join(', ')}` : ''}${own}`;
}

/** knex puts the statement before Postgres's message ("insert into ... - relation does not exist"). */
function withoutSql(message: string): string {
  const cut = message.lastIndexOf(' - ');
  return (cut >= 0 ? message.slice(cut + 3) : message).slice(0, 200);
}
