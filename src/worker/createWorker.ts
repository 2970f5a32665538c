import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities, type ActivityDependencies } from '../activities';

export interface ImportWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Knex;
  connectorFor?: ActivityDependencies['connectorFor'];
  /** A prebuilt workflow bundle (tests build it once); otherwise the workflows are bundled here. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The import worker: the workflows plus activities wired to the ERP database. */
export async function createImportWorker(options: ImportWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ db: options.db, connectorFor: options.connectorFor }),
  });
}
