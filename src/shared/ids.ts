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

/** Search attributes the project registers on the Temporal server (see scripts/). */
export const SEARCH_ATTRIBUTES = {
  vitrineCode: defineSearchAttributeKey('VitrineCode', SearchAttributeType.KEYWORD),
  importedOrders: defineSearchAttributeKey('ImportedOrders', SearchAttributeType.INT),
  updatedOrders: defineSearchAttributeKey('UpdatedOrders', SearchAttributeType.INT),
  blockedOrders: defineSearchAttributeKey('BlockedOrders', SearchAttributeType.INT),
};

/** Vitrine codes end up in schedule ids, workflow ids and URLs: keep them plain. */
export const VITRINE_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
