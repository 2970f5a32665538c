import type { Knex } from 'knex';
import type { HookNotificationRow, VitrineHookRow } from '../tables';

/**
 * The orders hook in the ERP: each vitrine's hook (vitrine_hooks) and the notifications the hook
 * receiver accepted (hook_notifications, one row per order), which import runs take as queue pages
 * of source 'hook' and delete once the page is committed.
 */

type Db = Knex | Knex.Transaction;

/**
 * The receiver's statements give up (and are cancelled) after this long: VTEX waits 5 s for the
 * answer, and a 503 in time makes it send the notification again, where a hang would not.
 */
export const RECEIVER_QUERY_TIMEOUT_MS = 4000;

/** What the receiver needs to check a notification for a vitrine code. */
export interface HookTarget {
  vitrineId: number;
  code: string;
  importOrders: boolean;
  hook: Pick<VitrineHookRow, 'account' | 'secret_hash' | 'previous_secret_hash' | 'previous_secret_until'> | null;
}

export async function findHookTarget(db: Db, code: string): Promise<HookTarget | undefined> {
  const row = await db('vitrines as v')
    .leftJoin('vitrine_hooks as h', 'h.vitrine_id', 'v.id')
    .where('v.code', code)
    .first(
      'v.id',
      'v.code',
      'v.import_orders',
      'h.vitrine_id as hook_vitrine_id',
      'h.account',
      'h.secret_hash',
      'h.previous_secret_hash',
      'h.previous_secret_until',
    )
    .timeout(RECEIVER_QUERY_TIMEOUT_MS, { cancel: true });
  if (!row) return undefined;
  return {
    vitrineId: Number(row.id),
    code: row.code,
    importOrders: row.import_orders,
    hook:
      row.hook_vitrine_id === null
        ? null
        : {
            account: row.account,
            secret_hash: row.secret_hash,
            previous_secret_hash: row.previous_secret_hash,
            previous_secret_until: row.previous_secret_until,
          },
  };
}

export interface HookNotification {
  orderId: string;
  state: string;
  lastChange: Date | null;
}

/**
 * Keeps a notification until an import run serves it (a newer one of the same order replaces it
 * and is served again even if a run is serving the older one), and counts it on the vitrine's hook.
 * One statement: once it returns, the notification is durable.
 */
export async function recordHookNotification(db: Db, vitrineId: number, notification: HookNotification): Promise<void> {
  await db
    .raw(
      `with kept as (
       insert into hook_notifications (vitrine_id, order_id, state, last_change, received_at, queue_page_id)
       values (?, ?, ?, ?, now(), null)
       on conflict (vitrine_id, order_id) do update
          set state = excluded.state, last_change = excluded.last_change, received_at = now(), queue_page_id = null
       returning vitrine_id)
     update vitrine_hooks h set last_notification_at = now(), notifications = notifications + 1
       from kept where h.vitrine_id = kept.vitrine_id`,
      [vitrineId, notification.orderId, notification.state, notification.lastChange],
    )
    .timeout(RECEIVER_QUERY_TIMEOUT_MS, { cancel: true });
}

export async function recordHookPing(db: Db, vitrineId: number): Promise<void> {
  await db('vitrine_hooks')
    .where({ vitrine_id: vitrineId })
    .update({ last_ping_at: db.fn.now() })
    .timeout(RECEIVER_QUERY_TIMEOUT_MS, { cancel: true });
}

export interface HookPage {
  pageId: number;
  items: number;
}

/**
 * Takes up to `maxItems` waiting notifications of the vitrine into a queue page of the run. A page
 * of the run not committed yet is returned instead: a retried call whose first attempt took one.
 */
export async function takeHookPage(db: Knex, run: { importRunId: number; vitrineId: number; maxItems: number }): Promise<HookPage | null> {
  return db.transaction(async (trx) => {
    const open = await trx('queue_pages')
      .where({ import_run_id: run.importRunId, source: 'hook' })
      .whereNull('committed_at')
      .first('id', trx.raw('jsonb_array_length(items) as items'));
    if (open) return { pageId: Number(open.id), items: Number(open.items) };
    const waiting: Array<Pick<HookNotificationRow, 'order_id' | 'state'>> = await trx('hook_notifications')
      .where({ vitrine_id: run.vitrineId })
      .whereNull('queue_page_id')
      .orderBy('received_at')
      .limit(run.maxItems)
      .forUpdate()
      .skipLocked()
      .select('order_id', 'state');
    if (waiting.length === 0) return null;
    const items = waiting.map((row) => ({ handle: '', orderId: row.order_id, state: row.state }));
    const [page] = await trx('queue_pages')
      .insert({ import_run_id: run.importRunId, vitrine_id: run.vitrineId, source: 'hook', items: JSON.stringify(items) })
      .returning('id');
    const pageId = Number(page.id);
    await trx('hook_notifications')
      .where({ vitrine_id: run.vitrineId })
      .whereIn(
        'order_id',
        waiting.map((row) => row.order_id),
      )
      .whereNull('queue_page_id')
      .update({ queue_page_id: pageId });
    return { pageId, items: items.length };
  });
}

/** A hook page is committed: its notifications are served (a newer one that came meanwhile stays). */
export async function commitHookPage(db: Knex, pageId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('hook_notifications').where({ queue_page_id: pageId }).delete();
    await trx('queue_pages').where({ id: pageId }).whereNull('committed_at').update({ committed_at: trx.fn.now() });
  });
}

/** Notifications waiting for a run, and since when, of each of the vitrines that has any. */
export async function hookBacklogs(db: Db, vitrineIds: number[]): Promise<Map<number, { waiting: number; oldest: Date }>> {
  const rows: Array<{ vitrine_id: string | number; waiting: number; oldest: Date }> = await db('hook_notifications')
    .whereRaw('vitrine_id = any(?::bigint[])', [vitrineIds])
    .groupBy('vitrine_id')
    .select('vitrine_id', db.raw('count(*)::int as waiting'), db.raw('min(received_at) as oldest'));
  return new Map(rows.map((row) => [Number(row.vitrine_id), { waiting: row.waiting, oldest: row.oldest }]));
}

/**
 * Vitrines switched on with notifications no run has taken for `olderThanSeconds` (the receiver
 * wakes them when it starts, and now and then: a trigger lost while Temporal was away).
 */
export async function vitrinesWithWaitingNotifications(db: Db, olderThanSeconds = 0): Promise<Array<{ id: number; code: string }>> {
  const rows = await db('vitrines as v')
    .where('v.import_orders', true)
    .whereExists(
      db('hook_notifications as n')
        .whereRaw('n.vitrine_id = v.id')
        .whereNull('n.queue_page_id')
        .whereRaw('n.received_at < now() - make_interval(secs => ?)', [olderThanSeconds]),
    )
    .select('v.id', 'v.code');
  return rows.map((row: { id: number; code: string }) => ({ id: Number(row.id), code: row.code }));
}

export async function getVitrineHook(db: Db, vitrineId: number): Promise<VitrineHookRow | undefined> {
  return db<VitrineHookRow>('vitrine_hooks').where({ vitrine_id: vitrineId }).first();
}

/**
 * The vitrine's hook after `vitrine hook enable`: a new secret replaces the last one, which stays
 * accepted for `graceSeconds` (notifications the platform sent with it and retries).
 */
export async function saveVitrineHook(
  db: Db,
  hook: { vitrineId: number; url: string; account: string; secretHash: Buffer; states: string[]; graceSeconds: number },
): Promise<void> {
  await db.raw(
    `insert into vitrine_hooks (vitrine_id, url, account, secret_hash, states, enabled_at)
     values (?, ?, ?, ?, ?, now())
     on conflict (vitrine_id) do update
        set url = excluded.url, account = excluded.account, states = excluded.states, enabled_at = now(),
            previous_secret_hash = vitrine_hooks.secret_hash,
            previous_secret_until = now() + make_interval(secs => ?),
            secret_hash = excluded.secret_hash, notifications = 0`,
    [hook.vitrineId, hook.url, hook.account, hook.secretHash, hook.states, hook.graceSeconds],
  );
}

/** Removes the vitrine's hook: from now on its notifications are refused (its waiting ones are still served). */
export async function removeVitrineHook(db: Db, vitrineId: number): Promise<boolean> {
  return (await db('vitrine_hooks').where({ vitrine_id: vitrineId }).delete()) > 0;
}
