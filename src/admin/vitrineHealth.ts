/**
 * Which vitrines need an operator: the same answer for `vitrine status`, the backoffice's vitrine
 * list and the worker's metrics. A vitrine needs attention when its last runs failed, when a run
 * has been open longer than its interval (its schedule skips ticks meanwhile), when its switch
 * and its schedule disagree, or when the platform refused a notification or has not heard of one
 * for minutes.
 */
import type { Knex } from 'knex';
import { hookBacklogs } from '../erp/store/hooks';
import { notificationBacklog } from '../erp/store/notifications';
import type { VitrineRow } from '../erp/tables';
import type { ScheduleState } from '../scheduling/vitrineSchedules';

export type AttentionKind =
  | 'runs-failing'
  | 'run-open-too-long'
  | 'schedule-out-of-sync'
  | 'notifications-blocked'
  | 'notifications-late'
  | 'hook-notifications-waiting';

/** A hook notification no run served after this long, with the switch on: runs are not being triggered, or fail. */
export const HOOK_WAITING_LATE_SECONDS = 300;

/** A notification still unsent after this long, with the switch on, is late: the platform should have heard within seconds. */
export const NOTIFICATION_LATE_SECONDS = 300;

export interface Attention {
  kind: AttentionKind;
  /** Since when: the first failed run of the streak, the open run's start, now for a schedule. */
  since: Date;
  reason: string;
}

export interface VitrineHealth {
  code: string;
  importOrders: boolean;
  intervalMinutes: number;
  /** Runs that failed since the last one that completed. */
  consecutiveFailedRuns: number;
  lastFailure: { type: string | null; message: string | null; at: Date } | null;
  openRun: { workflowId: string; startedAt: Date; ageSeconds: number } | null;
  /** Age of the oldest queue page read and not yet acknowledged. */
  oldestUnacknowledgedPageSeconds: number | null;
  /** Atualização de Status: notifications due, blocked, and the age of the oldest due. */
  notifications: { due: number; blocked: number; oldestDueSeconds: number | null };
  /** The schedule as Temporal describes it; undefined when Temporal was not asked or did not answer. */
  schedule?: ScheduleState;
  attention: Attention[];
}

interface RunRow {
  vitrine_id: number;
  workflow_id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  failure_type: string | null;
  failure_message: string | null;
}

/** Closed runs read per vitrine to count a streak of failures. */
const STREAK_WINDOW = 50;

export async function vitrineHealth(
  db: Knex,
  vitrines: VitrineRow[],
  schedules?: Map<string, ScheduleState>,
  now: Date = new Date(),
): Promise<VitrineHealth[]> {
  const ids = vitrines.map((v) => v.id);
  if (ids.length === 0) return [];
  const closed: RunRow[] = (
    await db.raw(
      `select * from (
         select vitrine_id, workflow_id, status, started_at, finished_at, failure_type, failure_message,
                row_number() over (partition by vitrine_id order by started_at desc, id desc) as n
           from import_runs where status <> 'running' and vitrine_id = any(?::bigint[])
       ) r where n <= ?`,
      [ids, STREAK_WINDOW],
    )
  ).rows;
  const open: RunRow[] = await db('import_runs')
    .where({ status: 'running' })
    .whereRaw('vitrine_id = any(?::bigint[])', [ids])
    .orderBy('started_at')
    .select('vitrine_id', 'workflow_id', 'status', 'started_at', 'finished_at', 'failure_type', 'failure_message');
  const pages: Array<{ vitrine_id: number; oldest: Date }> = await db('queue_pages')
    .whereNull('committed_at')
    .whereRaw('vitrine_id = any(?::bigint[])', [ids])
    .groupBy('vitrine_id')
    .select('vitrine_id', db.raw('min(fetched_at) as oldest'));
  const outbox = await notificationBacklog(db);
  const hookWaiting = await hookBacklogs(db, ids);

  return vitrines.map((v) => {
    const runs = closed.filter((r) => r.vitrine_id === v.id);
    const streak: RunRow[] = [];
    for (const run of runs) {
      if (run.status !== 'failed') break;
      streak.push(run);
    }
    const openRun = open.find((r) => r.vitrine_id === v.id);
    const page = pages.find((p) => p.vitrine_id === v.id);
    const schedule = schedules?.get(v.code);
    const seconds = (from: Date) => Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
    const health: VitrineHealth = {
      code: v.code,
      importOrders: v.import_orders,
      intervalMinutes: v.import_interval_minutes,
      consecutiveFailedRuns: streak.length,
      lastFailure: streak[0]
        ? { type: streak[0].failure_type, message: streak[0].failure_message, at: streak[0].finished_at ?? streak[0].started_at }
        : null,
      openRun: openRun ? { workflowId: openRun.workflow_id, startedAt: openRun.started_at, ageSeconds: seconds(openRun.started_at) } : null,
      oldestUnacknowledgedPageSeconds: page ? seconds(new Date(page.oldest)) : null,
      notifications: notificationsOf(outbox.find((o) => o.vitrineId === v.id)),
      schedule,
      attention: [],
    };
    if (streak.length > 0) {
      const last = streak[0];
      const why = last.failure_type ? `${last.failure_type}: ${last.failure_message ?? ''}`.trim() : 'no reason recorded';
      health.attention.push({
        kind: 'runs-failing',
        since: streak[streak.length - 1].started_at,
        reason: `the last ${streak.length === 1 ? 'run' : `${streak.length} runs`} failed: ${why}`,
      });
    }
    const intervalSeconds = v.import_interval_minutes * 60;
    if (health.openRun && health.openRun.ageSeconds > intervalSeconds) {
      const skipped = Math.floor(health.openRun.ageSeconds / intervalSeconds);
      health.attention.push({
        kind: 'run-open-too-long',
        since: health.openRun.startedAt,
        reason:
          `run ${health.openRun.workflowId} has been open for ${Math.round(health.openRun.ageSeconds / 60)} min, longer than the ` +
          `${v.import_interval_minutes}-min interval: about ${skipped} scheduled ${skipped === 1 ? 'tick' : 'ticks'} skipped meanwhile`,
      });
    }
    const { blocked, due, oldestDueSeconds } = health.notifications;
    if (blocked > 0) {
      health.attention.push({
        kind: 'notifications-blocked',
        since: now,
        reason: `${blocked} platform ${blocked === 1 ? 'notification was' : 'notifications were'} refused: vitrine notifications list --vitrine ${v.code} --blocked`,
      });
    }
    if (v.import_orders && due > 0 && oldestDueSeconds !== null && oldestDueSeconds > NOTIFICATION_LATE_SECONDS) {
      health.attention.push({
        kind: 'notifications-late',
        since: new Date(now.getTime() - oldestDueSeconds * 1000),
        reason: `${due} platform ${due === 1 ? 'notification has' : 'notifications have'} waited ${Math.round(oldestDueSeconds / 60)} min (is a worker running? is the platform answering?)`,
      });
    }
    const hooked = hookWaiting.get(v.id);
    if (v.import_orders && hooked && seconds(new Date(hooked.oldest)) > HOOK_WAITING_LATE_SECONDS) {
      health.attention.push({
        kind: 'hook-notifications-waiting',
        since: new Date(hooked.oldest),
        reason: `${hooked.waiting} hook ${hooked.waiting === 1 ? 'notification has' : 'notifications have'} waited ${Math.round(seconds(new Date(hooked.oldest)) / 60)} min for a run (is Temporal reachable from the hook receiver? do the runs fail?)`,
      });
    }
    if (schedule && v.import_orders && (!schedule.exists || schedule.paused)) {
      health.attention.push({
        kind: 'schedule-out-of-sync',
        since: now,
        reason: `Importar Pedidos is on but the schedule is ${schedule.exists ? 'paused' : 'missing'}: run vitrine sync-schedules`,
      });
    }
    if (schedule && !v.import_orders && schedule.exists && !schedule.paused) {
      health.attention.push({
        kind: 'schedule-out-of-sync',
        since: now,
        reason: 'Importar Pedidos is off but the schedule is active: run vitrine sync-schedules',
      });
    }
    return health;
  });
}

function notificationsOf(
  row: { due: number; blocked: number; oldestDueSeconds: number | null } | undefined,
): VitrineHealth['notifications'] {
  return { due: row?.due ?? 0, blocked: row?.blocked ?? 0, oldestDueSeconds: row?.oldestDueSeconds ?? null };
}
