import type { ActivityDependencies } from './context';
import { withFailureTypes } from './failures';
import { createOrderActivities } from './orders';
import { createQueueActivities } from './queue';
import { createRunActivities } from './runs';

export type { ActivityDependencies };
export { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES } from '../shared/failureTypes';

/**
 * The import's activities: thin wrappers around the platform connector, the order importer and
 * the ERP store, by concern. Each one is idempotent, so Temporal may retry it after a crash
 * anywhere, and each one fails with a typed failure (failures.ts) that says whether to.
 */
export function createActivities(deps: ActivityDependencies) {
  return typed({ ...createRunActivities(deps), ...createQueueActivities(deps), ...createOrderActivities(deps) });
}

/** Every activity's failures typed, also those of the steps that do not type their own. */
function typed<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = (...args: never[]) => withFailureTypes(`${name} activity`, () => activity(...args));
  }
  return wrapped as T;
}

export type ImportActivities = ReturnType<typeof createActivities>;
