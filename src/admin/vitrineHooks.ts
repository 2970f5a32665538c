/**
 * The platform's orders hook of a vitrine (VTEX `/api/orders/hook/config`), as `vitrine hook <code>
 * enable | disable | show` writes and reads it: a FromWorkflow filter on the states the status
 * DE-PARA maps, the receiver's URL for the vitrine, and a secret the product generates, sent by the
 * platform as a header. The ERP keeps only the secret's hash.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { getVitrineHook, hookBacklogs, removeVitrineHook, saveVitrineHook } from '../erp/store/hooks';
import type { VitrineHookRow, VitrineRow } from '../erp/tables';
import { HOOK_SECRET_HEADER, secretHash } from '../hooks/secrets';
import type { ErpStatus } from '../importing/rules/statuses';
import type { HookConfig, PlatformConnector } from '../platform/types';
import { AdminInputError } from './errors';
import { feedStatesFor } from './feedConfig';

/** The previous secret stays accepted this long after a new enable: notifications the platform already sent with it. */
export const SECRET_GRACE_SECONDS = 3600;

/** The receiver's public base URL, as the platform reaches it (behind a reverse proxy, the proxy's). */
export const hookBaseUrlSchema = z
  .string()
  .trim()
  .max(300, 'must be at most 300 characters')
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without query, fragment or credentials, e.g. https://erp.example.com');

export const hookAccountSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,99}$/i, 'must be a VTEX account name (letters, digits and dashes)');

/** The receiver's URL of the vitrine under a base URL. */
export function hookUrlFor(baseUrl: string, vitrineCode: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/hooks/vtex/${vitrineCode}`;
}

/**
 * The VTEX account of a vitrine's API root: `https://{account}.vtexcommercestable.com.br` (or any
 * host under vtex), else the last path segment (the simulator's `http://host/{account}`), else the
 * host's first label. An admin whose API root says neither gives it with --account.
 */
export function vtexAccountOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  if (!/vtex/i.test(url.hostname) && segments.length > 0) return segments[segments.length - 1];
  return url.hostname.split('.')[0];
}

export interface EnabledHook {
  url: string;
  account: string;
  states: string[];
}

/**
 * Enables the hook: a new secret is kept (as its hash) before the platform is told, since the
 * platform pings the URL with it and refuses the configuration unless the receiver answers 200. If
 * the platform refuses, the hook the ERP had before is put back.
 */
export async function enableHook(
  db: Knex,
  connector: PlatformConnector,
  vitrine: VitrineRow,
  statusMappings: Map<string, ErpStatus>,
  options: { baseUrl: string; account?: string },
): Promise<EnabledHook> {
  const states = feedStatesFor(statusMappings);
  if (states.length === 0) throw new AdminInputError('the status DE-PARA maps no VTEX state: the hook would notify nothing');
  const url = hookUrlFor(options.baseUrl, vitrine.code);
  const account = options.account ?? vtexAccountOf(vitrine.base_url);
  const secret = randomBytes(32).toString('base64url');
  const before = await getVitrineHook(db, vitrine.id);
  await saveVitrineHook(db, {
    vitrineId: vitrine.id,
    url,
    account,
    secretHash: secretHash(secret),
    states,
    graceSeconds: SECRET_GRACE_SECONDS,
  });
  try {
    await connector.configureHook({ states, url, headers: { [HOOK_SECRET_HEADER]: secret } });
  } catch (error) {
    await restoreHook(db, vitrine.id, before);
    throw error;
  }
  return { url, account, states };
}

async function restoreHook(db: Knex, vitrineId: number, before: VitrineHookRow | undefined): Promise<void> {
  if (!before) {
    await removeVitrineHook(db, vitrineId);
    return;
  }
  await db('vitrine_hooks').where({ vitrine_id: vitrineId }).update(before);
}

/** Disables the hook on the platform, then in the ERP (notifications still on their way are refused). */
export async function disableHook(db: Knex, connector: PlatformConnector, vitrine: VitrineRow): Promise<{ removed: boolean }> {
  await connector.removeHookConfig();
  return { removed: await removeVitrineHook(db, vitrine.id) };
}

export interface HookStatus {
  /** What the ERP keeps: null when the hook is not enabled. */
  erp: {
    url: string;
    account: string;
    states: string[];
    enabledAt: Date;
    lastNotificationAt: Date | null;
    notifications: number;
    lastPingAt: Date | null;
  } | null;
  /** Notifications accepted that no run served yet, and the oldest one's time. */
  waiting: number;
  oldestWaitingAt: Date | null;
}

export async function hookStatus(db: Knex, vitrineId: number): Promise<HookStatus> {
  const row = await getVitrineHook(db, vitrineId);
  const backlog = (await hookBacklogs(db, [vitrineId])).get(vitrineId);
  return {
    erp: row
      ? {
          url: row.url,
          account: row.account,
          states: row.states,
          enabledAt: row.enabled_at,
          lastNotificationAt: row.last_notification_at,
          notifications: Number(row.notifications),
          lastPingAt: row.last_ping_at,
        }
      : null,
    waiting: backlog?.waiting ?? 0,
    oldestWaitingAt: backlog?.oldest ?? null,
  };
}

/** The platform's configuration with the header values hidden (they are the secret). */
export function withoutSecrets(config: HookConfig | null): (Omit<HookConfig, 'headers'> & { headers: string[] }) | null {
  return config ? { states: config.states, url: config.url, headers: Object.keys(config.headers) } : null;
}
