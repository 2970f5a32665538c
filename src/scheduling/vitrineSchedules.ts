import { createHash } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { scheduleIdFor, SEARCH_ATTRIBUTES, workflowIdPrefixFor } from '../shared/ids';
import type { ImportVitrineOrdersInput } from '../shared/importTypes';

/** What the schedule of a vitrine follows: its "Importar Pedidos" switch and its interval. */
export interface VitrineScheduleSettings {
  code: string;
  importOrders: boolean;
  intervalMinutes: number;
}

function scheduleNote(settings: VitrineScheduleSettings): string {
  return settings.importOrders ? 'Importar Pedidos on' : 'Importar Pedidos off';
}

/**
 * Seconds into each interval at which the vitrine's runs start: a fixed phase drawn from its code.
 * Vitrines with the same interval then start spread over it instead of all on the same second
 * (500 vitrines every 15 minutes: about one start every 2 s), and each one still runs exactly
 * every interval, at times an operator can predict.
 */
export function schedulePhaseSeconds(code: string, intervalMinutes: number): number {
  return createHash('sha256').update(code).digest().readUInt32BE(0) % (intervalMinutes * 60);
}

/**
 * The longest a run may last, its continued executions included. Temporal ends a run still going
 * then, and the vitrine's next run closes it as failed (RunNotClosed): no run stays open for ever
 * and keeps its schedule skipping. Pages are acknowledged as they are imported, so what a run did
 * stays done and the next one goes on from the queue (a backlog of a few million orders).
 */
export const RUN_TIMEOUT = '2 hours';
export const RUN_TIMEOUT_MS = 2 * 60 * 60 * 1000;

function scheduleOptions(settings: VitrineScheduleSettings, taskQueue: string): ScheduleOptions {
  const input: ImportVitrineOrdersInput = { vitrineCode: settings.code };
  const phase = schedulePhaseSeconds(settings.code, settings.intervalMinutes);
  return {
    scheduleId: scheduleIdFor(settings.code),
    spec: { intervals: [{ every: `${settings.intervalMinutes}m`, offset: `${phase}s` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'importVitrineOrders',
      workflowId: workflowIdPrefixFor(settings.code),
      args: [input],
      taskQueue,
      workflowExecutionTimeout: RUN_TIMEOUT,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.vitrineCode, value: settings.code }],
    },
    // A run still draining a large queue is not doubled by the next tick; missed ticks while the
    // server was down are not replayed one by one.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    state: { paused: !settings.importOrders, note: scheduleNote(settings) },
  };
}

/**
 * Creates the vitrine's schedule or brings it in line with the settings: paused exactly when
 * "Importar Pedidos" is off, every `intervalMinutes`. Safe to call any number of times.
 */
export async function upsertVitrineSchedule(client: Client, taskQueue: string, settings: VitrineScheduleSettings): Promise<void> {
  const options = scheduleOptions(settings, taskQueue);
  const handle = client.schedule.getHandle(options.scheduleId);
  let description: ScheduleDescription | undefined;
  try {
    description = await handle.describe();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  if (!description) {
    try {
      await client.schedule.create(options);
      return;
    } catch (error) {
      // Created meanwhile by another admin or process: fall through to the update.
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
  }
  await handle.update((previous) => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
    state: { ...previous.state, paused: !settings.importOrders, note: scheduleNote(settings) },
  }));
}

export async function deleteVitrineSchedule(client: Client, code: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleIdFor(code)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

export interface ScheduleState {
  exists: boolean;
  paused: boolean;
  intervalMinutes: number | null;
  nextRunAt: Date | null;
  runningWorkflowIds: string[];
  /** Ticks the schedule skipped because a run was still going, in all its life. */
  skippedTicks: number;
  /** Ticks it missed while the server was down, past its catch-up window. */
  missedTicks: number;
}

export async function describeVitrineSchedule(client: Client, code: string): Promise<ScheduleState> {
  try {
    const description = await client.schedule.getHandle(scheduleIdFor(code)).describe();
    const interval = description.spec.intervals?.[0]?.every;
    return {
      exists: true,
      paused: description.state.paused,
      intervalMinutes: typeof interval === 'number' ? interval / 60_000 : interval ? durationMinutes(String(interval)) : null,
      nextRunAt: description.info.nextActionTimes[0] ?? null,
      runningWorkflowIds: description.info.runningActions.map((action) => action.workflow.workflowId),
      skippedTicks: description.info.numActionsSkippedOverlap,
      missedTicks: description.info.numActionsMissedCatchupWindow,
    };
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    return { exists: false, paused: true, intervalMinutes: null, nextRunAt: null, runningWorkflowIds: [], skippedTicks: 0, missedTicks: 0 };
  }
}

function durationMinutes(text: string): number | null {
  const match = /^(\d+)m$/.exec(text);
  return match ? Number(match[1]) : null;
}

/** When the schedule last started a run (0: never), by its own account. */
export function lastStartOf(info: ScheduleDescription['info']): number {
  return Math.max(0, ...info.recentActions.map((action) => action.scheduledAt.getTime()));
}

/**
 * Waits until the second after `lastStartMs` (and 20 ms more, for clocks a little apart). A schedule
 * names its runs by the second they start, and two runs named alike confuse its account of which
 * one still runs: it could start the next beside it. A trigger in a second of its own is safe.
 */
export async function sleepUntilOwnSecond(lastStartMs: number): Promise<void> {
  const nextSecond = (Math.floor(lastStartMs / 1000) + 1) * 1000;
  if (Date.now() < nextSecond) await new Promise((resolve) => setTimeout(resolve, nextSecond - Date.now() + 20));
}

/** A run of a vitrine's schedule: its workflow id is not enough to tell it apart (see below). */
export interface TriggeredRun {
  workflowId: string;
  firstExecutionRunId: string;
  alreadyRunning: boolean;
}

/**
 * Starts an ad-hoc run through the schedule, so that it never runs beside another run of the
 * vitrine. Returns the workflow id of the run now going (the new one, or the one that was already
 * running).
 *
 * - The scheduler learns that a run closed a moment after it did: a run it still lists is asked
 *   whether it really runs, and the trigger asks for BUFFER_ONE, not SKIP. A SKIP trigger that
 *   reached the scheduler before it saw the last run close would be dropped; BUFFER_ONE starts it
 *   as soon as the scheduler has seen the close, and still never beside a run.
 * - A schedule names its runs by the second they start: a trigger within the second of the last
 *   run waits for the next second, so that each workflow id names one run. Runs are still told
 *   apart by run id (a server clock ahead of ours could defeat the wait).
 */
export async function triggerVitrineRun(client: Client, code: string, timeoutMs = 60_000): Promise<TriggeredRun> {
  const handle = client.schedule.getHandle(scheduleIdFor(code));
  const before = await handle.describe();
  for (const action of before.info.runningActions) {
    const { status } = await client.workflow.getHandle(action.workflow.workflowId).describe();
    if (status.name === 'RUNNING') return { ...action.workflow, alreadyRunning: true };
  }
  const runsOf = (info: ScheduleDescription['info']) => [
    ...info.runningActions.map((a) => a.workflow),
    ...info.recentActions.map((a) => a.action.workflow),
  ];
  const known = new Set(runsOf(before.info).map((run) => run.firstExecutionRunId));
  await sleepUntilOwnSecond(lastStartOf(before.info));
  await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  const deadline = Date.now() + timeoutMs;
  // The schedule has no event to wait on: its description is read until the run shows.
  while (Date.now() < deadline) {
    const started = runsOf((await handle.describe()).info).find((run) => !known.has(run.firstExecutionRunId));
    if (started) return { ...started, alreadyRunning: false };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `the schedule of vitrine ${code} did not start a run within ${timeoutMs / 1000}s (is the Temporal server's scheduler running?)`,
  );
}
