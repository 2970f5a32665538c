import type { Knex } from 'knex';
import type { ImportCounts } from '../../shared/importTypes';
import type { ImportRunRow } from '../tables';

/** The counts kept per run: the same the workflow reports. */
export type RunCounts = ImportCounts;

/**
 * Opens (or, for a retried activity, finds) the import_runs row of a run: its workflow id and the
 * run id of its first execution (a workflow id alone may name two runs of the same second).
 */
export async function openImportRun(db: Knex, vitrineId: number, run: { workflowId: string; runId: string }): Promise<number> {
  const [row] = await db('import_runs')
    .insert({ vitrine_id: vitrineId, workflow_id: run.workflowId, workflow_run_id: run.runId, status: 'running' })
    .onConflict(['workflow_id', 'workflow_run_id'])
    .merge({ status: 'running' })
    .returning('id');
  return row.id;
}

export type RunStatus = 'running' | 'completed' | 'failed';

/** Writes the counts of a run so far; a completed or failed status closes it. */
export async function saveImportRun(db: Knex, importRunId: number, counts: RunCounts, status: RunStatus): Promise<void> {
  await db('import_runs')
    .where({ id: importRunId })
    .update({ ...counts, status, finished_at: status === 'running' ? null : db.fn.now() });
}

export async function lastImportRuns(db: Knex, vitrineId: number, limit = 5): Promise<ImportRunRow[]> {
  return db<ImportRunRow>('import_runs').where({ vitrine_id: vitrineId }).orderBy('started_at', 'desc').limit(limit);
}
