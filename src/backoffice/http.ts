/**
 * What every page area shares: the dependencies, form fields, the flash message carried over a
 * redirect (a short-lived cookie), and which errors are the user's to fix.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { auditedChange, type Actor, type ChangeLog } from '../admin/audit';
import { AdminInputError } from '../admin/errors';
import { FieldDefaultError } from '../importing/rules/fieldDefaults';
import { findVitrineByCode } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import { InvalidSettingError, parseSetting, vitrineCodeSchema } from '../admin/vitrineSettings';
import type { PlatformConnector } from '../platform/types';
import type { Html } from './html';
import type { Flash } from './layout';
import type { TemporalAccess } from '../shared/temporalAccess';

export interface BackofficeDeps {
  db: Knex;
  /** Task queue of the schedules (TASK_QUEUE). */
  taskQueue: string;
  temporal: TemporalAccess;
  /** Platform connectors for the preview and the retry of blocked orders; the real ones by default. */
  connectorFor?: (vitrine: VitrineRow) => PlatformConnector;
}

/** A page or record that does not exist: answered with 404. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The message of an error the user can fix by changing the input (answered with 400), else undefined. */
export function userMistake(error: unknown): string | undefined {
  if (error instanceof InvalidSettingError || error instanceof FieldDefaultError || error instanceof AdminInputError) return error.message;
  return undefined;
}

/** Form fields (application/x-www-form-urlencoded, parsed in server.ts) or query values. */
export type Fields = Record<string, string | undefined>;

export function fieldsOf(request: FastifyRequest): Fields {
  const body = request.body;
  return body && typeof body === 'object' ? (body as Fields) : {};
}

export function queryOf(request: FastifyRequest): Fields {
  return (request.query ?? {}) as Fields;
}

/** The vitrine a list is filtered by (a query or form field): a bad or unknown code is the user's to fix. */
export async function vitrineIdOf(deps: BackofficeDeps, code: string): Promise<number> {
  const vitrine = await findVitrineByCode(deps.db, parseSetting(vitrineCodeSchema, code, 'vitrine'));
  if (!vitrine) throw new AdminInputError(`vitrine ${JSON.stringify(code)} does not exist`);
  return vitrine.id;
}

/** The vitrine named in a URL, or NotFoundError. */
export async function vitrineFromPath(db: Knex, code: string): Promise<VitrineRow> {
  const vitrine = vitrineCodeSchema.safeParse(code).success ? await findVitrineByCode(db, code) : undefined;
  if (!vitrine) throw new NotFoundError(`vitrine ${JSON.stringify(code.slice(0, 60))} does not exist`);
  return vitrine;
}

const FLASH_COOKIE = 'backoffice_flash';
const FLASH_COOKIE_OPTIONS = { path: '/', httpOnly: true, sameSite: 'strict' as const };

/** After a change: POST, then redirect (303) to a page that shows `flash` once. */
export function redirectWith(reply: FastifyReply, location: string, flash: Flash): FastifyReply {
  const value = JSON.stringify({ kind: flash.kind, message: flash.message.slice(0, 1000) });
  reply.setCookie(FLASH_COOKIE, value, { ...FLASH_COOKIE_OPTIONS, maxAge: 60 });
  return reply.redirect(location, 303);
}

/** The flash message a redirect left, consumed by this request. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | undefined {
  const value = request.cookies[FLASH_COOKIE];
  if (value === undefined) return undefined;
  reply.clearCookie(FLASH_COOKIE, FLASH_COOKIE_OPTIONS);
  try {
    const parsed = JSON.parse(value) as Flash;
    if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.message === 'string') return parsed;
  } catch {
    // A cookie we did not write: ignored.
  }
  return undefined;
}

/** Who acts in the backoffice: the logged-in user (src/backoffice/auth.ts). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.user) throw new Error('a change without a logged-in user');
  return { name: request.user.email, source: 'backoffice' };
}

/** A change made from a page: its work and its audit entries in one transaction (src/admin/audit.ts). */
export function change<T>(
  deps: BackofficeDeps,
  request: FastifyRequest,
  work: (db: Knex.Transaction, log: ChangeLog) => Promise<T>,
): Promise<T> {
  return auditedChange(deps.db, actorOf(request), work);
}

export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.text);
}
