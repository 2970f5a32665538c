/**
 * The delivery workflow of Atualização de Status against fake activities, on a Temporal dev server
 * of the test's own: batches while some are due, a signal wakes it, an idle one ends, a vitrine
 * switched off ends it at once, and an import run that finds notifications due starts it (or wakes
 * the one running).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ImportActivities } from '../../src/activities';
import type { NotificationBatchResult } from '../../src/importing/platformNotifications';
import { notificationsWorkflowIdFor } from '../../src/shared/ids';
import { createTemporalEnv, uniqueSuffix, workflowBundle } from '../support/services';

describe('delivery workflow', { concurrency: true }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTemporalEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  function worker(taskQueue: string, activities: Partial<ImportActivities>) {
    return Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: workflowBundle(),
      activities,
    });
  }
  const batch = (over: Partial<NotificationBatchResult>): NotificationBatchResult => ({
    sent: 0,
    blocked: 0,
    more: false,
    paused: false,
    ...over,
  });

  test('sends batch after batch while more are due, sleeps until signalled, ends when idle', async () => {
    const taskQueue = `delivery-${uniqueSuffix()}`;
    const answers = [batch({ sent: 50, more: true }), batch({ sent: 7, blocked: 1 }), batch({ sent: 3 })];
    let calls = 0;
    let signalled: (() => void) | undefined;
    const secondDone = new Promise<void>((resolve) => (signalled = resolve));
    const w = await worker(taskQueue, {
      async sendPlatformNotifications(input) {
        assert.deepEqual(input, { vitrineId: 3 });
        calls += 1;
        if (calls === 2) signalled!();
        return answers[calls - 1];
      },
    });
    const totals = await w.runUntil(async () => {
      const handle = await env.client.workflow.start('deliverPlatformNotifications', {
        taskQueue,
        workflowId: `vitrine-notifications-fake-${uniqueSuffix()}`,
        args: [{ vitrineId: 3, vitrineCode: 'fake', idleTimeout: '2 seconds' }],
        workflowExecutionTimeout: '1 minute',
      });
      await secondDone;
      await handle.signal('notificationsQueued');
      return handle.result();
    });
    assert.equal(calls, 3, 'two batches back to back, then one after the signal, then idle');
    assert.deepEqual(totals, { sent: 60, blocked: 1 });
  });

  test('a vitrine switched off ends the delivery after one look', async () => {
    const taskQueue = `delivery-${uniqueSuffix()}`;
    let calls = 0;
    const w = await worker(taskQueue, {
      async sendPlatformNotifications() {
        calls += 1;
        return batch({ paused: true });
      },
    });
    const totals = await w.runUntil(
      env.client.workflow.execute('deliverPlatformNotifications', {
        taskQueue,
        workflowId: `vitrine-notifications-off-${uniqueSuffix()}`,
        args: [{ vitrineId: 3, vitrineCode: 'off', idleTimeout: '1 minute' }],
        workflowExecutionTimeout: '1 minute',
      }),
    );
    assert.deepEqual([calls, totals], [1, { sent: 0, blocked: 0 }]);
  });

  test('an import run that finds notifications due starts the delivery, which outlives it', async () => {
    const taskQueue = `delivery-${uniqueSuffix()}`;
    const code = `due-${uniqueSuffix()}`;
    let sends = 0;
    let secondSend: () => void = () => undefined;
    const sentTwice = new Promise<void>((resolve) => (secondSend = resolve));
    const w = await worker(taskQueue, {
      async openImportRun() {
        return { vitrineId: 9, importRunId: 90, pendingNotifications: 2 };
      },
      async fetchHookPage() {
        return { pageId: null, items: 0 };
      },
      async fetchQueuePage() {
        return { pageId: null, items: 0 };
      },
      async saveImportRun() {},
      async sendPlatformNotifications(input) {
        assert.deepEqual(input, { vitrineId: 9 });
        sends += 1;
        if (sends === 2) secondSend();
        return batch({ sent: 2 });
      },
    });
    const result = await w.runUntil(async () => {
      await env.client.workflow.execute('importVitrineOrders', {
        taskQueue,
        workflowId: `vitrine-orders-${code}`,
        args: [{ vitrineCode: code }],
        workflowExecutionTimeout: '1 minute',
      });
      // A second run while the delivery still waits: it signals the running one, it starts no other.
      await env.client.workflow.execute('importVitrineOrders', {
        taskQueue,
        workflowId: `vitrine-orders-${code}-2`,
        args: [{ vitrineCode: code }],
        workflowExecutionTimeout: '1 minute',
      });
      await sentTwice;
      const delivery = env.client.workflow.getHandle(notificationsWorkflowIdFor(code));
      const description = await delivery.describe();
      await delivery.terminate('test over');
      return { description };
    });
    assert.equal(result.description.type, 'deliverPlatformNotifications');
    assert.equal(result.description.status.name, 'RUNNING', 'still waiting for more after both import runs closed');
    assert.equal(result.description.parentExecution?.workflowId, `vitrine-orders-${code}`, 'started by the first run only');
    assert.equal(sends, 2, 'the second run woke the running delivery: one more batch, no second workflow');
  });
});
