import type { Knex } from 'knex';
import type { ImportCounts, RunFailure } from '../../shared/importTypes';
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

/** The failure that closes a run that never closed itself. */
export const NOT_CLOSED: RunFailure = {
  type: 'RunNotClosed',
  message: 'the run ended without closing: it timed out, was terminated, or could not record its own failure',
};

/**
 * A vitrine's runs still marked running when another of its runs opens. Its runs never overlap
 * (the schedule skips or buffers), so those ended without closing their row: they are closed as
 * failed now, and their ids returned.
 */
export async function closeAbandonedRuns(
  db: Knex,
  vitrineId: number,
  openRunId: number,
): Promise<Array<{ id: number; workflow_id: string }>> {
  return db('import_runs')
    .where({ vitrine_id: vitrineId, status: 'running' })
    .whereNot({ id: openRunId })
    .update({ status: 'failed', finished_at: db.fn.now(), failure_type: NOT_CLOSED.type, failure_message: NOT_CLOSED.message })
    .returning(['id', 'workflow_id']);
}

/**
 * Writes the counts of a run so far; a completed or failed status closes it. Returns the row when
 * this call closed the run, undefined otherwise (still running, or closed already by an earlier
 * attempt of the same call), so that what follows a close happens once.
 */
export async function saveImportRun(
  db: Knex,
  importRunId: number,
  counts: RunCounts,
  status: RunStatus,
  failure?: RunFailure,
): Promise<ImportRunRow | undefined> {
  const closing = status !== 'running';
  const [row] = await db<ImportRunRow>('import_runs')
    .where({ id: importRunId, status: 'running' })
    .update({
      ...counts,
      status,
      finished_at: closing ? db.fn.now() : null,
      failure_type: failure?.type ?? null,
      failure_message: failure?.message ?? null,
    })
    .returning('*');
  return closing ? row : undefined;
}

export async function lastImportRuns(db: Knex, vitrineId: number, limit = 5): Promise<ImportRunRow[]> {
  return db<ImportRunRow>('import_runs').where({ vitrine_id: vitrineId }).orderBy('started_at', 'desc').limit(limit);
}
