/**
 * The "Importar Pedidos" switch and the interval drive one Temporal Schedule per vitrine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { schedulePhaseSeconds } from '../../src/scheduling/vitrineSchedules';
import { scheduleIdFor } from '../../src/shared/ids';
import { cliJson } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';

describe('vitrine schedules', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  const describeSchedule = (code: string) => h.temporal.client.schedule.getHandle(scheduleIdFor(code)).describe();

  test('vitrines get phases spread over the interval, each within it', () => {
    const phases = Array.from({ length: 500 }, (_, i) => schedulePhaseSeconds(`loja-${i}`, 15));
    assert.ok(phases.every((p) => Number.isInteger(p) && p >= 0 && p < 15 * 60));
    assert.equal(schedulePhaseSeconds('loja-1', 15), phases[1], 'the same code always gets the same phase');
    // 500 vitrines over 15 one-minute slots: none holds more than twice its share (33).
    const perMinute = new Array(15).fill(0);
    for (const p of phases) perMinute[Math.floor(p / 60)] += 1;
    assert.ok(Math.max(...perMinute) < 67, perMinute.join(' '));
    assert.equal(schedulePhaseSeconds('loja-1', 1) < 60, true);
  });

  test('add creates a paused schedule; enable resumes it; disable pauses it; the database follows', async () => {
    const code = await h.addVitrine();
    let schedule = await describeSchedule(code);
    assert.equal(schedule.state.paused, true);
    assert.equal(schedule.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(schedule.action.type, 'startWorkflow');
    assert.equal(schedule.action.type === 'startWorkflow' && schedule.action.taskQueue, h.taskQueue);
    assert.deepEqual(
      schedule.spec.intervals?.map((i) => i.every),
      [15 * 60_000],
    );

    const enabled = await cliJson(['enable', code], h.cliEnv);
    assert.equal(enabled.importOrders, true);
    schedule = await describeSchedule(code);
    assert.equal(schedule.state.paused, false);
    assert.ok(schedule.info.nextActionTimes.length > 0);
    const status = await cliJson(['status', code], h.cliEnv);
    assert.equal(status.schedule, 'active');
    assert.ok(status.nextRunAt);

    await cliJson(['disable', code], h.cliEnv);
    schedule = await describeSchedule(code);
    assert.equal(schedule.state.paused, true);
    const row = await h.database.db('vitrines').where({ code }).first();
    assert.equal(row.import_orders, false);
    assert.equal((await cliJson(['status', code], h.cliEnv)).schedule, 'paused');
  });

  test('interval reschedules, and enable/disable keep the interval', async () => {
    const code = await h.addVitrine({ enable: true });
    await cliJson(['interval', code, '5'], h.cliEnv);
    let schedule = await describeSchedule(code);
    assert.deepEqual(
      schedule.spec.intervals?.map((i) => i.every),
      [5 * 60_000],
    );
    assert.equal(schedule.state.paused, false);
    // Runs start at the vitrine's own phase of the interval, every interval.
    const phaseMs = schedulePhaseSeconds(code, 5) * 1000;
    assert.deepEqual(
      schedule.spec.intervals?.map((i) => i.offset),
      [phaseMs],
    );
    const next = schedule.info.nextActionTimes.map((t) => t.getTime());
    assert.ok(next.length >= 2, `next action times: ${next.length}`);
    for (const at of next) assert.equal((at - phaseMs) % (5 * 60_000), 0, new Date(at).toISOString());
    assert.equal(next[1] - next[0], 5 * 60_000);
    await cliJson(['disable', code], h.cliEnv);
    await cliJson(['enable', code], h.cliEnv);
    schedule = await describeSchedule(code);
    assert.deepEqual(
      schedule.spec.intervals?.map((i) => i.every),
      [5 * 60_000],
    );
    assert.equal((await h.database.db('vitrines').where({ code }).first()).import_interval_minutes, 5);
  });

  test('a deleted schedule is re-created by sync-schedules with the vitrine settings', async () => {
    const code = await h.addVitrine({ enable: true });
    await h.temporal.client.schedule.getHandle(scheduleIdFor(code)).delete();
    const synced = await cliJson(['sync-schedules'], h.cliEnv);
    assert.ok(synced.synced.includes(code));
    const schedule = await describeSchedule(code);
    assert.equal(schedule.state.paused, false);
  });

  test('a second run started while one is going joins it instead of running twice', async () => {
    // Paused, so that no quarter-hour tick of the real clock starts a run of its own mid-test;
    // runs started by hand go through the same schedule and its overlap policy either way.
    const code = await h.addVitrine();
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 30, seed: 8 });
    // The platform holds the first run's queue fetch: that run is going when the second trigger comes.
    await h.sim('POST', `/_sim/${code}/hold`, { hold: true });
    const first = await cliJson(['run', code], h.cliEnv);
    assert.equal(first.alreadyRunning, false);
    await h.sim('GET', `/_sim/${code}/held?atLeast=1`);
    const second = await cliJson(['run', code], h.cliEnv);
    await h.sim('POST', `/_sim/${code}/hold`, { hold: false });
    assert.equal(second.alreadyRunning, true);
    assert.equal(second.workflowId, first.workflowId);
    assert.match(first.workflowId, new RegExp(`^vitrine-orders-${code}-`));
    const summary = await h.temporal.client.workflow.getHandle(first.workflowId).result();
    assert.equal(summary.imported, 30);
    const orders = await h.database
      .db('sales_orders')
      .join('vitrines', 'vitrines.id', 'sales_orders.vitrine_id')
      .where('vitrines.code', code)
      .count({ n: '*' });
    assert.equal(Number(orders[0].n), 30);
    const runs = await h.database.db('import_runs').join('vitrines', 'vitrines.id', 'import_runs.vitrine_id').where('vitrines.code', code);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'completed');
    assert.equal(runs[0].imported, 30);
  });
});
