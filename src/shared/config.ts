import { TASK_QUEUE } from './ids';

/** Connection settings, read from the environment (documented in the README). */
export interface ServiceConfig {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** Task queue of the import workers and schedules. */
  taskQueue: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/vitrine_orders',
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TASK_QUEUE ?? TASK_QUEUE,
  };
}
