import { ApplicationFailure } from '@temporalio/activity';
import { closeAbandonedRuns, openImportRun, saveImportRun, type RunCounts, type RunStatus } from '../erp/store/importRuns';
import { writeLog, type LogEntry } from '../erp/store/integrationLog';
import { notificationBacklog } from '../erp/store/notifications';
import { deleteAbandonedQueuePages, deleteRunQueuePages } from '../erp/store/queuePages';
import { findVitrineByCode, getVitrineById } from '../erp/store/vitrines';
import { reportRunClosed, reportRunOpened } from '../observability/importEvents';
import { FAILURE_TYPES } from '../shared/failureTypes';
import type { OpenedRun, RunFailure } from '../shared/importTypes';
import type { ActivityDependencies } from './context';

/** A run's bookkeeping: import_runs, its queue pages, its line in the integration log. */
export function createRunActivities(deps: ActivityDependencies) {
  const { db } = deps;
  return {
    /**
     * Opens the run's import_runs row. Runs of the vitrine that never closed theirs (timed out,
     * terminated) are closed as failed, with their pages, and the integration log says so.
     */
    async openImportRun(input: { vitrineCode: string; workflowId: string; runId: string }): Promise<OpenedRun> {
      const vitrine = await findVitrineByCode(db, input.vitrineCode);
      if (!vitrine) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.unknownVitrine,
          message: `vitrine ${input.vitrineCode} does not exist`,
          nonRetryable: true,
        });
      }
      const importRunId = await openImportRun(db, vitrine.id, input);
      const abandoned = await closeAbandonedRuns(db, vitrine.id, importRunId);
      for (const run of abandoned) await deleteRunQueuePages(db, run.id, true);
      await writeLog(
        db,
        vitrine,
        abandoned.map((run) => ({
          level: 'error',
          workflowId: run.workflow_id,
          importRunId: run.id,
          message: `run failed: RunNotClosed: closed when run ${importRunId} opened; it timed out, was terminated or could not record its failure`,
        })),
      );
      await deleteAbandonedQueuePages(db, vitrine.id);
      reportRunOpened(vitrine.code, importRunId);
      return { vitrineId: vitrine.id, importRunId, pendingNotifications: (await notificationBacklog(db, vitrine.id))[0]?.due ?? 0 };
    },

    /** Saves a run's counts; a completed or failed one is closed, logged and measured once. */
    async saveImportRun(input: { importRunId: number; counts: RunCounts; status: RunStatus; failure?: RunFailure }): Promise<void> {
      const closed = await saveImportRun(db, input.importRunId, input.counts, input.status, input.failure);
      await deleteRunQueuePages(db, input.importRunId, input.status !== 'running');
      if (!closed) return;
      const vitrine = await getVitrineById(db, closed.vitrine_id);
      const c = input.counts;
      const counts = `fetched ${c.fetched}, imported ${c.imported}, updated ${c.updated}, unchanged ${c.unchanged}, blocked ${c.blocked}, committed ${c.committed}`;
      const entry: LogEntry = {
        level: input.status === 'failed' ? 'error' : 'info',
        workflowId: closed.workflow_id,
        importRunId: input.importRunId,
        message: input.failure
          ? `run failed: ${input.failure.type}: ${input.failure.message} (${counts})`
          : `run ${input.status}: ${counts}`,
      };
      await writeLog(db, vitrine, [entry]);
      const durationSeconds = (closed.finished_at!.getTime() - closed.started_at.getTime()) / 1000;
      reportRunClosed({ vitrineCode: vitrine.code, importRunId: input.importRunId, status: input.status, counts: c, durationSeconds });
    },
  };
}
