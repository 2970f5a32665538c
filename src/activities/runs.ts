import { ApplicationFailure } from '@temporalio/activity';
import { openImportRun, saveImportRun, type RunCounts, type RunStatus } from '../erp/store/importRuns';
import { writeLog } from '../erp/store/integrationLog';
import { countPendingNotifications } from '../erp/store/orderStatus';
import { deleteAbandonedQueuePages, deleteRunQueuePages } from '../erp/store/queuePages';
import { findVitrineByCode, getVitrineById } from '../erp/store/vitrines';
import { reportRunClosed, reportRunOpened } from '../observability/importEvents';
import type { OpenedRun } from '../shared/importTypes';
import type { ActivityDependencies } from './context';
import { FAILURE_TYPES } from './failures';

/** A run's bookkeeping: import_runs, its queue pages, its line in the integration log. */
export function createRunActivities(deps: ActivityDependencies) {
  const { db } = deps;
  return {
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
      await deleteAbandonedQueuePages(db, vitrine.id);
      reportRunOpened(vitrine.code, importRunId);
      return { vitrineId: vitrine.id, importRunId, pendingNotifications: await countPendingNotifications(db, vitrine.id) };
    },

    async saveImportRun(input: { importRunId: number; counts: RunCounts; status: RunStatus }): Promise<void> {
      await saveImportRun(db, input.importRunId, input.counts, input.status);
      await deleteRunQueuePages(db, input.importRunId, input.status !== 'running');
      if (input.status !== 'running') {
        const row = await db('import_runs')
          .where({ id: input.importRunId })
          .first('vitrine_id', 'workflow_id', 'started_at', 'finished_at');
        const vitrine = await getVitrineById(db, row.vitrine_id);
        const c = input.counts;
        await writeLog(db, vitrine, [
          {
            level: input.status === 'failed' ? 'error' : 'info',
            workflowId: row.workflow_id,
            importRunId: input.importRunId,
            message: `run ${input.status}: fetched ${c.fetched}, imported ${c.imported}, updated ${c.updated}, unchanged ${c.unchanged}, blocked ${c.blocked}, committed ${c.committed}`,
          },
        ]);
        const durationSeconds = (row.finished_at.getTime() - row.started_at.getTime()) / 1000;
        reportRunClosed({ vitrineCode: vitrine.code, importRunId: input.importRunId, status: input.status, counts: c, durationSeconds });
      }
    },
  };
}
