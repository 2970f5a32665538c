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
    };
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    return { exists: false, paused: true, intervalMinutes: null, nextRunAt: null, runningWorkflowIds: [] };
  }
}

function durationMinutes(text: string): number | null {
  const match = /^(\d+)m$/.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Starts an ad-hoc run through the schedule, with overlap skip, so that it never runs beside the
 * scheduled run of the same vitrine. Returns the workflow id of the run now going (the new one, or
 * the one that was already running).
 */
export async function triggerVitrineRun(client: Client, code: string, timeoutMs = 15_000): Promise<{ workflowId: string; alreadyRunning: boolean }> {
  const handle = client.schedule.getHandle(scheduleIdFor(code));
  const before = await handle.describe();
  const running = before.info.runningActions[0];
  if (running) return { workflowId: running.workflow.workflowId, alreadyRunning: true };
  const known = new Set(before.info.recentActions.map((action) => action.action.workflow.workflowId));
  await handle.trigger(ScheduleOverlapPolicy.SKIP);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = (await handle.describe()).info;
    const started = [...info.runningActions.map((a) => a.workflow), ...info.recentActions.map((a) => a.action.workflow)].find(
      (workflow) => !known.has(workflow.workflowId),
    );
    if (started) return { workflowId: started.workflowId, alreadyRunning: false };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the schedule of vitrine ${code} did not start a run within ${timeoutMs / 1000}s`);
}
