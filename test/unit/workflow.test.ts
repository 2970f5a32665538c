/**
 * The import workflow itself, against fake activities on a Temporal dev server of the test's own
 * (TestWorkflowEnvironment.createLocal with the project's Temporal CLI): the order of the steps of
 * a page, which steps a page skips, continue-as-new, the retries of a transient failure and the
 * whole failure chain of a permanent one.
 *
 * Temporal's time-skipping test server is a download this machine cannot make, so the retried
 * failures carry a short nextRetryDelay: the workflow's own retry policy (its attempts and its
 * non-retryable types) is still the one that decides whether and how often an activity runs again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ImportActivities } from '../../src/activities';
import { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES } from '../../src/shared/failureTypes';
import type { ImportRunSummary, PageRef } from '../../src/shared/importTypes';
import { MAX_ATTEMPTS, SMALL_PAGE_ITEMS } from '../../src/workflows/importVitrineOrders';
import { createTemporalEnv, uniqueSuffix, workflowBundle } from '../support/services';

/** What one fake page holds: how the order fetch splits it. */
interface FakePage {
  items: number;
  new: number;
  existing: number;
  unchanged: number;
  blocked: number;
}

type Calls = string[];

/** Hook pages have ids from HOOK_PAGE_IDS up, queue pages from 1. */
const HOOK_PAGE_IDS = 101;

/**
 * Fake activities over a list of queue pages and, optionally, hook pages (the hook's page `i` is
 * waiting from the workflow's fetch number `at`): each call is recorded as `name:pageId`.
 */
function fakeActivities(
  pages: FakePage[],
  calls: Calls,
  overrides: Partial<ImportActivities> = {},
  hookPages: Array<FakePage & { at: number }> = [],
): ImportActivities {
  let next = 0;
  let nextHook = 0;
  let hookFetches = 0;
  const page = (ref: PageRef) => (ref.pageId >= HOOK_PAGE_IDS ? hookPages[ref.pageId - HOOK_PAGE_IDS] : pages[ref.pageId - 1]);
  const activities: ImportActivities = {
    async openImportRun() {
      calls.push('openImportRun');
      return { vitrineId: 7, importRunId: 70, pendingNotifications: 0 };
    },
    async fetchHookPage() {
      calls.push('fetchHookPage');
      hookFetches += 1;
      const waiting = hookPages[nextHook];
      if (!waiting || waiting.at > hookFetches) return { pageId: null, items: 0 };
      nextHook += 1;
      return { pageId: HOOK_PAGE_IDS + nextHook - 1, items: waiting.items };
    },
    async fetchQueuePage() {
      calls.push('fetchQueuePage');
      if (next >= pages.length) return { pageId: null, items: 0 };
      next += 1;
      return { pageId: next, items: pages[next - 1].items };
    },
    async fetchPageOrders(ref) {
      calls.push(`fetchPageOrders:${ref.pageId}`);
      const p = page(ref);
      return { new: p.new, existing: p.existing, unchanged: p.unchanged, blocked: p.blocked };
    },
    async applyClientFieldDefaults(ref) {
      calls.push(`applyClientFieldDefaults:${ref.pageId}`);
      return { blocked: 0 };
    },
    async importOrders(ref) {
      calls.push(`importOrders:${ref.pageId}`);
      return { imported: page(ref).new, existing: page(ref).existing, blocked: 0 };
    },
    async processApprovedOrders(ref) {
      calls.push(`processApprovedOrders:${ref.pageId}`);
      return { updated: page(ref).existing, unchanged: 0, blocked: 0 };
    },
    async commitQueueItems(ref) {
      calls.push(`commitQueueItems:${ref.pageId}`);
      return { committed: ref.pageId >= HOOK_PAGE_IDS ? 0 : page(ref).items };
    },
    async saveImportRun(input) {
      calls.push(`saveImportRun:${input.status}`);
    },
    async sendPlatformNotifications() {
      calls.push('sendPlatformNotifications');
      return { sent: 0, blocked: 0, more: false, paused: false };
    },
    ...overrides,
  };
  return activities;
}

// The runs are independent (a task queue and a worker each): they go side by side.
describe('import workflow', { concurrency: true }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTemporalEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(activities: ImportActivities, input: Record<string, unknown> = {}): Promise<ImportRunSummary> {
    const taskQueue = `workflow-test-${uniqueSuffix()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: workflowBundle(),
      activities,
    });
    return worker.runUntil(
      env.client.workflow.execute('importVitrineOrders', {
        taskQueue,
        workflowId: `vitrine-orders-fake-${uniqueSuffix()}`,
        args: [{ vitrineCode: 'fake', ...input }],
        workflowExecutionTimeout: '1 minute',
      }),
    );
  }

  test('each page: order fetch, client-field defaulting, import, approved-status processing, then the commit', async () => {
    const calls: Calls = [];
    const pages = [
      { items: 5, new: 3, existing: 1, unchanged: 1, blocked: 0 },
      { items: 2, new: 0, existing: 0, unchanged: 1, blocked: 1 },
      { items: 4, new: 4, existing: 0, unchanged: 0, blocked: 0 },
    ];
    const summary = await run(fakeActivities(pages, calls));
    assert.deepEqual(calls, [
      'openImportRun',
      'fetchHookPage',
      'fetchQueuePage',
      'fetchPageOrders:1',
      'applyClientFieldDefaults:1',
      'importOrders:1',
      'processApprovedOrders:1',
      'commitQueueItems:1',
      'fetchHookPage',
      'fetchQueuePage',
      // Nothing new and nothing to move forward: neither defaults, import nor status processing.
      'fetchPageOrders:2',
      'commitQueueItems:2',
      'fetchHookPage',
      'fetchQueuePage',
      'fetchPageOrders:3',
      'applyClientFieldDefaults:3',
      'importOrders:3',
      'commitQueueItems:3',
      'fetchHookPage',
      'fetchQueuePage',
      'saveImportRun:completed',
    ]);
    assert.deepEqual(
      { ...summary },
      {
        vitrineCode: 'fake',
        importRunId: 70,
        continuations: 0,
        fetched: 11,
        imported: 7,
        updated: 1,
        unchanged: 2,
        blocked: 1,
        committed: 11,
        hooked: 0,
        malformed: 0,
      },
    );
  });

  test('a page of more than SMALL_PAGE_ITEMS items runs its steps as activities, a smaller one as local activities', async () => {
    const calls: Calls = [];
    const local: string[] = [];
    const pages = [
      { items: SMALL_PAGE_ITEMS + 1, new: SMALL_PAGE_ITEMS + 1, existing: 0, unchanged: 0, blocked: 0 },
      { items: SMALL_PAGE_ITEMS, new: SMALL_PAGE_ITEMS, existing: 0, unchanged: 0, blocked: 0 },
    ];
    const base = fakeActivities(pages, calls);
    const summary = await run(
      fakeActivities(pages, calls, {
        async importOrders(ref) {
          local.push(`importOrders:${ref.pageId}:${Context.current().info.isLocal ? 'local' : 'activity'}`);
          return base.importOrders(ref);
        },
      }),
    );
    assert.deepEqual(local, ['importOrders:1:activity', 'importOrders:2:local']);
    assert.equal(summary.imported, 2 * SMALL_PAGE_ITEMS + 1);
  });

  test('hook notifications are served before each queue page, and the run ends only when both are empty', async () => {
    const calls: Calls = [];
    const pages = [{ items: 3, new: 0, existing: 0, unchanged: 3, blocked: 0 }];
    // One waiting when the run opens; one arrives while the queue page is imported.
    const hookPages = [
      { at: 1, items: 2, new: 2, existing: 0, unchanged: 0, blocked: 0 },
      { at: 2, items: 1, new: 0, existing: 1, unchanged: 0, blocked: 0 },
    ];
    const summary = await run(fakeActivities(pages, calls, {}, hookPages));
    assert.deepEqual(calls, [
      'openImportRun',
      'fetchHookPage',
      'fetchPageOrders:101',
      'applyClientFieldDefaults:101',
      'importOrders:101',
      'commitQueueItems:101',
      'fetchQueuePage',
      'fetchPageOrders:1',
      'commitQueueItems:1',
      'fetchHookPage',
      'fetchPageOrders:102',
      'processApprovedOrders:102',
      'commitQueueItems:102',
      'fetchQueuePage',
      // The queue was empty, but a notification was served this round: one more look at both.
      'fetchHookPage',
      'fetchQueuePage',
      'saveImportRun:completed',
    ]);
    assert.deepEqual(
      [summary.hooked, summary.imported, summary.updated, summary.fetched, summary.committed],
      [3, 2, 1, 3, 3],
      'hook items are counted as hooked, not as queue items fetched or acknowledged',
    );
  });

  test('a run continues as new after its pages per execution, keeping its counts', async () => {
    const calls: Calls = [];
    const pages = Array.from({ length: 5 }, () => ({ items: 2, new: 2, existing: 0, unchanged: 0, blocked: 0 }));
    const summary = await run(fakeActivities(pages, calls), { pagesPerExecution: 2 });
    assert.equal(summary.continuations, 2);
    assert.deepEqual([summary.fetched, summary.imported, summary.committed], [10, 10, 10]);
    assert.equal(calls.filter((c) => c === 'openImportRun').length, 1, 'the continued run keeps its import run');
    assert.deepEqual(
      calls.filter((c) => c.startsWith('saveImportRun')),
      ['saveImportRun:running', 'saveImportRun:running', 'saveImportRun:completed'],
    );
  });

  test('a transient failure of a step is retried until it succeeds; the page is imported once', async () => {
    const calls: Calls = [];
    const attempts: number[] = [];
    const pages = [{ items: 1, new: 1, existing: 0, unchanged: 0, blocked: 0 }];
    const base = fakeActivities(pages, calls);
    const summary = await run(
      fakeActivities(pages, calls, {
        async importOrders(ref) {
          const { attempt } = Context.current().info;
          attempts.push(attempt);
          if (attempt < 3)
            throw ApplicationFailure.create({ type: 'PlatformUnavailable', message: 'platform said 503', nextRetryDelay: '10ms' });
          return base.importOrders(ref);
        },
      }),
    );
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(summary.imported, 1);
    assert.deepEqual(
      calls.filter((c) => c.startsWith('importOrders') || c.startsWith('commit')),
      ['importOrders:1', 'commitQueueItems:1'],
    );
  });

  test('a permanent failure fails the run at once, marked failed, with the whole failure chain', async () => {
    // An activity (importOrders of a large page): WorkflowFailedError -> ActivityFailure -> ApplicationFailure.
    const calls: Calls = [];
    const attempts: number[] = [];
    const refused = (message: string) => ApplicationFailure.create({ type: 'PlatformRejected', message, nonRetryable: true });
    const pages = [{ items: 1, new: 1, existing: 0, unchanged: 0, blocked: 0 }];
    const large = [{ items: SMALL_PAGE_ITEMS + 1, new: SMALL_PAGE_ITEMS + 1, existing: 0, unchanged: 0, blocked: 0 }];
    await assert.rejects(
      run(
        fakeActivities(large, calls, {
          async importOrders() {
            attempts.push(Context.current().info.attempt);
            throw refused('order import of vitrine 7: HTTP 403');
          },
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError, `a WorkflowFailedError, got ${String(error)}`);
        assert.ok(error.cause instanceof ActivityFailure, 'caused by an ActivityFailure');
        assert.equal(error.cause.activityType, 'importOrders');
        const cause = error.cause.cause;
        assert.ok(cause instanceof ApplicationFailure, 'caused by an ApplicationFailure');
        assert.deepEqual(
          [cause.type, cause.nonRetryable, cause.message],
          ['PlatformRejected', true, 'order import of vitrine 7: HTTP 403'],
        );
        return true;
      },
    );
    assert.deepEqual(attempts, [1], 'a non-retryable failure is not tried again');
    assert.ok(!calls.some((c) => c.startsWith('commitQueueItems')), 'the page is not acknowledged');
    assert.equal(calls.at(-1), 'saveImportRun:failed', 'the run is marked failed');

    // A local activity (the queue fetch): its ApplicationFailure is the run's cause as it was thrown.
    calls.length = 0;
    attempts.length = 0;
    await assert.rejects(
      run(
        fakeActivities(pages, calls, {
          async fetchQueuePage() {
            attempts.push(Context.current().info.attempt);
            throw refused('queue fetch for vitrine fake: HTTP 404');
          },
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError);
        const cause = error.cause instanceof ActivityFailure ? error.cause.cause : error.cause;
        assert.ok(cause instanceof ApplicationFailure, String(error.cause));
        assert.deepEqual(
          [cause.type, cause.nonRetryable, cause.message],
          ['PlatformRejected', true, 'queue fetch for vitrine fake: HTTP 404'],
        );
        return true;
      },
    );
    assert.deepEqual(attempts, [1]);
    assert.deepEqual(calls, ['openImportRun', 'fetchHookPage', 'saveImportRun:failed']);
  });
  // Retries by class of failure.
  /** Runs one page whose importOrders fails with `failure` every time; returns its attempts and the saved failure. */
  async function failingImport(failure: () => Error): Promise<{ attempts: number[]; saved: unknown[]; error: unknown }> {
    const calls: Calls = [];
    const attempts: number[] = [];
    const saved: unknown[] = [];
    const pages = [{ items: 1, new: 1, existing: 0, unchanged: 0, blocked: 0 }];
    const base = fakeActivities(pages, calls);
    const activities = fakeActivities(pages, calls, {
      async importOrders() {
        attempts.push(Context.current().info.attempt);
        throw failure();
      },
      async saveImportRun(input) {
        saved.push(input.failure);
        return base.saveImportRun(input);
      },
    });
    const error = await run(activities).then(
      () => assert.fail('the run completed'),
      (e: unknown) => e,
    );
    return { attempts, saved, error };
  }

  // Retried failures carry a short nextRetryDelay so that the test does not wait out the backoff.
  const retried = (type: string) => () => ApplicationFailure.create({ type, message: `${type} in the test`, nextRetryDelay: '10ms' });

  test(`a transient failure is retried, at most ${MAX_ATTEMPTS} tries, then fails the run with its type`, async () => {
    const { attempts, saved, error } = await failingImport(retried(FAILURE_TYPES.erpUnavailable));
    assert.deepEqual(
      attempts,
      Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1),
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.deepEqual(saved, [{ type: FAILURE_TYPES.erpUnavailable, message: `${FAILURE_TYPES.erpUnavailable} in the test` }]);
  });

  test('an unknown failure is bounded the same way', async () => {
    const { attempts } = await failingImport(retried('SomethingNew'));
    assert.equal(attempts.length, MAX_ATTEMPTS);
  });

  for (const type of NON_RETRYABLE_FAILURE_TYPES) {
    test(`${type} is tried once, even when the failure itself says it may be retried`, async () => {
      const { attempts, saved } = await failingImport(retried(type));
      assert.deepEqual(attempts, [1]);
      assert.deepEqual(saved, [{ type, message: `${type} in the test` }]);
    });
  }
});
