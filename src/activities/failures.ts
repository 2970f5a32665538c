import { ApplicationFailure } from '@temporalio/activity';
import { PlatformError } from '../platform/types';

/** Error types the workflow and operators see in the Temporal UI. */
export const FAILURE_TYPES = {
  unknownVitrine: 'UnknownVitrine',
  platformRejected: 'PlatformRejected',
  platformUnavailable: 'PlatformUnavailable',
  queuePageMissing: 'QueuePageMissing',
} as const;

/** Turns a platform error into the Temporal failure that says whether to retry, and when. */
export function asFailure(error: unknown, context: string): unknown {
  if (!(error instanceof PlatformError)) return error;
  return ApplicationFailure.create({
    type: error.retryable ? FAILURE_TYPES.platformUnavailable : FAILURE_TYPES.platformRejected,
    message: `${context}: ${error.message}`,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterSeconds ? `${error.retryAfterSeconds}s` : undefined,
    cause: error,
  });
}

/** Runs an activity's work with platform errors turned into their Temporal failures. */
export async function withPlatformFailures<T>(context: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asFailure(error, context);
  }
}
