/**
 * Failure types the workflow's retry policy and operators see (Temporal UI, integration log,
 * `vitrine status`). Each activity turns what it caught into one of them, so that whether a step
 * is tried again is decided by what went wrong, not by where.
 */
export const FAILURE_TYPES = {
  /** The platform answered "later" (5xx, 429, timeout) or could not be reached: retried. */
  platformUnavailable: 'PlatformUnavailable',
  /** The platform refused for good (a 4xx other than 408 and 429): not retried. */
  platformRejected: 'PlatformRejected',
  /** The ERP database could not be reached, restarted, or asked to try again (serialization, deadlock): retried. */
  erpUnavailable: 'ErpUnavailable',
  /** A table or column the import needs is missing (migrations not run, a schema changed by hand): not retried. */
  erpSchemaMissing: 'ErpSchemaMissing',
  /** The database refused a statement for its shape (a bug of ours, a limit): not retried. */
  erpStatementRejected: 'ErpStatementRejected',
  /** The database refused values outside any one order's import: not retried. */
  erpDataRejected: 'ErpDataRejected',
  /** A programming error in the import (TypeError and the like): retrying runs the same code again. */
  importBug: 'ImportBug',
  /** The run's vitrine was deleted. */
  unknownVitrine: 'UnknownVitrine',
  /** A queue page of a run that was closed (by a timeout, say): no retry brings it back. */
  queuePageMissing: 'QueuePageMissing',
  /** The platform has no feed configuration for the vitrine (VTEX deletes one that got no event during its retention): nothing comes in until it is configured. */
  feedNotConfigured: 'FeedNotConfigured',
  /** The secret key is missing or is not the one the vitrine's app token is encrypted under: nothing can reach the platform until an operator sets it. */
  secretKeyUnavailable: 'SecretKeyUnavailable',
} as const;

/** Failure types no retry can fix: the run fails at the first one. */
export const NON_RETRYABLE_FAILURE_TYPES: string[] = [
  FAILURE_TYPES.platformRejected,
  FAILURE_TYPES.erpSchemaMissing,
  FAILURE_TYPES.erpStatementRejected,
  FAILURE_TYPES.erpDataRejected,
  FAILURE_TYPES.importBug,
  FAILURE_TYPES.unknownVitrine,
  FAILURE_TYPES.queuePageMissing,
  FAILURE_TYPES.feedNotConfigured,
  FAILURE_TYPES.secretKeyUnavailable,
];
