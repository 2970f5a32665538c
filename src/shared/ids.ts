/**
 * Names shared by the worker, the CLI, the workflows and the tests, kept in one place so that a
 * schedule id or task queue is never spelled twice.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TASK_QUEUE = 'vitrine-orders';

/** Id of the Temporal Schedule that imports one vitrine's orders. */
export function scheduleIdFor(vitrineCode: string): string {
  return `vitrine-orders-${vitrineCode}`;
}

/** Workflow id prefix of every run of one vitrine (schedules append the start time). */
export function workflowIdPrefixFor(vitrineCode: string): string {
  return `vitrine-orders-${vitrineCode}`;
}

/**
 * The vitrine code in a run's workflow id: `vitrine-orders-<code>` followed, for runs started by
 * the schedule, by the start time the schedule appends (`-2026-11-28T10:15:00Z`). Undefined for
 * other workflow ids (logs use it as a hint, never for anything that must be exact).
 */
export function vitrineCodeFromWorkflowId(workflowId: string): string | undefined {
  const match = /^vitrine-orders-([a-z0-9][a-z0-9-]{0,39}?)(?:-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?$/.exec(
    workflowId,
  );
  return match?.[1];
}

/** Id of the workflow that delivers one vitrine's platform notifications (one at a time per vitrine). */
export function notificationsWorkflowIdFor(vitrineCode: string): string {
  return `vitrine-notifications-${vitrineCode}`;
}

/** No delivery workflow stays open longer (it ends after a minute idle, or continues as new long before). */
export const NOTIFICATIONS_TIMEOUT = '1 hour';

/** Search attributes the project registers on the Temporal server (see scripts/). */
export const SEARCH_ATTRIBUTES = {
  vitrineCode: defineSearchAttributeKey('VitrineCode', SearchAttributeType.KEYWORD),
  importedOrders: defineSearchAttributeKey('ImportedOrders', SearchAttributeType.INT),
  updatedOrders: defineSearchAttributeKey('UpdatedOrders', SearchAttributeType.INT),
  blockedOrders: defineSearchAttributeKey('BlockedOrders', SearchAttributeType.INT),
  /**
   * hook: the run served notifications of the orders hook (a hook caused it); schedule: it did not.
   * (How many orders: `hooked` in the run's memo; a Temporal namespace on SQL visibility holds only
   * three Int attributes.)
   */
  importTrigger: defineSearchAttributeKey('ImportTrigger', SearchAttributeType.KEYWORD),
};

/** Vitrine codes end up in schedule ids, workflow ids and URLs: keep them plain. */
export const VITRINE_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
