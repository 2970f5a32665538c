import { ApplicationFailure } from '@temporalio/activity';
import { describeDatabaseError, databaseErrorClass } from '../erp/databaseErrors';
import { PlatformError } from '../platform/types';
import { FAILURE_TYPES } from '../shared/failureTypes';
import { SecretKeyError } from '../shared/secrets';

export { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES } from '../shared/failureTypes';

const PROGRAMMING_ERRORS = [TypeError, ReferenceError, SyntaxError, RangeError];

/**
 * Turns what an activity caught into the Temporal failure that says whether to retry, and when.
 * Messages name the step and the vitrine, never customer data: a database error is described by
 * its SQLSTATE and the schema object it names, not by its text (which can quote a value).
 */
export function asFailure(error: unknown, context: string): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof PlatformError) {
    return ApplicationFailure.create({
      type: error.retryable ? FAILURE_TYPES.platformUnavailable : FAILURE_TYPES.platformRejected,
      message: `${context}: ${error.message}`,
      nonRetryable: !error.retryable,
      nextRetryDelay: error.retryAfterSeconds ? `${error.retryAfterSeconds}s` : undefined,
    });
  }
  if (error instanceof SecretKeyError) {
    return ApplicationFailure.create({
      type: FAILURE_TYPES.secretKeyUnavailable,
      message: `${context}: ${error.message}`,
      nonRetryable: true,
    });
  }
  const dbClass = databaseErrorClass(error);
  if (dbClass) {
    const type = {
      unavailable: FAILURE_TYPES.erpUnavailable,
      schema: FAILURE_TYPES.erpSchemaMissing,
      statement: FAILURE_TYPES.erpStatementRejected,
      data: FAILURE_TYPES.erpDataRejected,
    }[dbClass];
    return ApplicationFailure.create({
      type,
      message: `${context}: ${describeDatabaseError(error)}`,
      nonRetryable: dbClass !== 'unavailable',
    });
  }
  if (PROGRAMMING_ERRORS.some((kind) => error instanceof kind)) {
    const err = error as Error;
    // The stack says where; the message of a programming error names code, not data.
    return ApplicationFailure.create({
      type: FAILURE_TYPES.importBug,
      message: `${context}: ${err.name}: ${err.message}`,
      nonRetryable: true,
      cause: err,
    });
  }
  return error;
}

/** Runs an activity's work with what it throws turned into its Temporal failure. */
export async function withFailureTypes<T>(context: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asFailure(error, context);
  }
}
