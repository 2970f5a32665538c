import { vitrineHealth, type VitrineHealth } from '../../admin/vitrineHealth';
import { hookStatus } from '../../admin/vitrineHooks';
import { vitrineCodeSchema, parseSetting } from '../../admin/vitrineSettings';
import { lastImportRuns } from '../../erp/store/importRuns';
import { listVitrines } from '../../erp/store/vitrines';
import { recentWorkerRestarts, RESTART_WINDOW_HOURS, type WorkerRestarts } from '../../erp/store/workerStarts';
import type { ScheduleState } from '../../scheduling/vitrineSchedules';
import type { CliContext } from '../context';
import { UsageError } from '../output';

/** `vitrine status --all` exits with this when a vitrine needs attention (cron-style monitoring). */
export const ATTENTION_EXIT_CODE = 3;

const schedules = () => import('../../scheduling/vitrineSchedules');

/** `vitrine status <code>`: switch, schedule, open and last runs, and what needs attention. */
export async function showVitrineStatus(ctx: CliContext, code: string, options: { json?: boolean }): Promise<void> {
  const vitrine = await ctx.vitrine(parseSetting(vitrineCodeSchema, code, 'vitrine code'));
  const schedule = await (await schedules()).describeVitrineSchedule(await ctx.client(), vitrine.code);
  const [health] = await vitrineHealth(ctx.db, [vitrine], new Map([[vitrine.code, schedule]]));
  const runs = (await lastImportRuns(ctx.db, vitrine.id)).map((run) => ({
    workflowId: run.workflow_id,
    status: run.status,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    fetched: run.fetched,
    imported: run.imported,
    updated: run.updated,
    blocked: run.blocked,
    committed: run.committed,
    hooked: run.hooked,
    malformed: run.malformed,
    failure: run.failure_type ? `${run.failure_type}: ${run.failure_message ?? ''}` : null,
  }));
  const status = {
    code: vitrine.code,
    importOrders: vitrine.import_orders,
    intervalMinutes: vitrine.import_interval_minutes,
    schedule: schedule.exists ? (schedule.paused ? 'paused' : 'active') : 'missing',
    nextRunAt: schedule.paused ? null : schedule.nextRunAt,
    running: schedule.runningWorkflowIds,
    skippedTicks: schedule.skippedTicks,
    consecutiveFailedRuns: health.consecutiveFailedRuns,
    oldestUnacknowledgedPageSeconds: health.oldestUnacknowledgedPageSeconds,
    notifications: health.notifications,
    hook: await hookStatus(ctx.db, vitrine.id),
    attention: health.attention,
  };
  const workers = await recentWorkerRestarts(ctx.db);
  if (options.json) return ctx.out.json({ ...status, workers: workers.map(workerSummary), lastRuns: runs });
  ctx.out.fields({
    ...status,
    importOrders: vitrine.import_orders ? 'on' : 'off',
    running: status.running.join(', ') || null,
    notifications: `${health.notifications.due} due, ${health.notifications.blocked} blocked`,
    hook: status.hook.erp
      ? `enabled, ${status.hook.erp.url}; last notification ${status.hook.erp.lastNotificationAt?.toISOString() ?? 'none yet'}; ${status.hook.waiting} waiting`
      : 'not enabled (schedule only)',
    attention:
      health.attention.length === 0 ? 'none' : health.attention.map((a) => `${a.reason} (since ${a.since.toISOString()})`).join('; '),
    workers: workersText(workers),
  });
  ctx.out.line('');
  ctx.out.table(runs, 'no runs yet');
}

/** A worker that died and was started again, as status shows it. */
function workerSummary(w: WorkerRestarts) {
  return { identity: w.identity, taskQueue: w.taskQueue, restarts: w.restarts, lastStartedAt: w.lastStartedAt };
}

function workersText(workers: WorkerRestarts[]): string {
  if (workers.length === 0) return `no worker died in the last ${RESTART_WINDOW_HOURS} h`;
  return workers
    .map(
      (w) =>
        `${w.identity}: died and restarted ${w.restarts} time${w.restarts === 1 ? '' : 's'} in the last ${RESTART_WINDOW_HOURS} h (last start ${w.lastStartedAt.toISOString()})`,
    )
    .join('; ');
}

/**
 * `vitrine status --all`: every vitrine that needs attention, with the reason and since when; exit
 * code 3 when there is one, 0 when none. When Temporal does not answer, the schedules are not
 * checked and that alone is a reason to exit 3.
 */
export async function showAttention(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const vitrines = await listVitrines(ctx.db);
  let states: Map<string, ScheduleState> | undefined;
  let temporalProblem: string | undefined;
  try {
    const client = await ctx.client();
    const { describeVitrineSchedule } = await schedules();
    states = new Map(await Promise.all(vitrines.map(async (v) => [v.code, await describeVitrineSchedule(client, v.code)] as const)));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    temporalProblem = `${error.message}: schedules not checked`;
  }
  const health = await vitrineHealth(ctx.db, vitrines, states);
  const needing = health.filter((h) => h.attention.length > 0);
  if (needing.length > 0 || temporalProblem) ctx.exitCode = ATTENTION_EXIT_CODE;
  const restarting = await recentWorkerRestarts(ctx.db);
  if (restarting.length > 0) ctx.exitCode = ATTENTION_EXIT_CODE;
  if (options.json) {
    return ctx.out.json({
      vitrines: vitrines.length,
      temporal: temporalProblem ?? 'ok',
      workers: restarting.map(workerSummary),
      attention: needing.map(summary),
    });
  }
  if (temporalProblem) ctx.out.line(`Temporal: ${temporalProblem}`);
  if (restarting.length > 0) ctx.out.line(`workers restarting: ${workersText(restarting)}`);
  if (needing.length === 0) return ctx.out.line(`every vitrine is fine (${vitrines.length} checked)`);
  ctx.out.table(
    needing.flatMap((h) =>
      h.attention.map((a) => ({
        vitrine: h.code,
        importOrders: h.importOrders ? 'on' : 'off',
        attention: a.kind,
        since: a.since,
        reason: a.reason,
      })),
    ),
  );
}

function summary(h: VitrineHealth) {
  return {
    code: h.code,
    importOrders: h.importOrders,
    consecutiveFailedRuns: h.consecutiveFailedRuns,
    openRun: h.openRun,
    oldestUnacknowledgedPageSeconds: h.oldestUnacknowledgedPageSeconds,
    attention: h.attention,
  };
}
