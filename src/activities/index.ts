import { createOrderActivities } from './orders';
import { createQueueActivities } from './queue';
import { createRunActivities } from './runs';
import type { ActivityDependencies } from './context';

export type { ActivityDependencies };
export { FAILURE_TYPES } from './failures';

/**
 * The import's activities: thin wrappers around the platform connector, the order importer and
 * the ERP store, by concern. Each one is idempotent, so Temporal may retry it after a crash anywhere.
 */
export function createActivities(deps: ActivityDependencies) {
  return { ...createRunActivities(deps), ...createQueueActivities(deps), ...createOrderActivities(deps) };
}

export type ImportActivities = ReturnType<typeof createActivities>;
