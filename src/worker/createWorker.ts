import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities, type ActivityDependencies } from '../activities';
import { workflowBundlePath } from './workflowBundle';

export interface ImportWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Knex;
  connectorFor?: ActivityDependencies['connectorFor'];
  /** A prebuilt workflow bundle (tests build it once); otherwise the cached bundle of src/workflowBundle.ts. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Activities run at once (default DEFAULT_MAX_CONCURRENT_ACTIVITIES). */
  maxConcurrentActivities?: number;
  /** Runs kept in the workflow cache (default DEFAULT_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
}

/**
 * Page imports one worker runs at once (the queue fetches and commits are local activities, not
 * counted here). Each holds a page of orders in memory, so this bounds the worker's memory; 8
 * pages of 500 orders, 8 order fetches each, already keep the worker's one JavaScript thread busy
 * (docs/BENCHMARKS.md). More throughput comes from more workers.
 */
export const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 8;

/**
 * Import runs kept in the worker's workflow cache. The SDK sizes its default from the heap limit,
 * which gives its minimum of 10 under the worker's `--max-old-space-size=128`: with more vitrines
 * than that running at once, every workflow task would replay the run's whole history. An import
 * run holds a few KB of state (docs/BENCHMARKS.md: 500 vitrines on one worker).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

/** The import worker: the workflows plus activities wired to the ERP database. */
export async function createImportWorker(options: ImportWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? { codePath: workflowBundlePath() },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    activities: createActivities({ db: options.db, connectorFor: options.connectorFor }),
  });
}
