import { WorkflowFailedError } from '@temporalio/client';
import { triggerVitrineRun } from '../../scheduling/vitrineSchedules';
import type { ImportCounts, ImportRunSummary } from '../../shared/importTypes';
import { progressQuery } from '../../workflows/importVitrineOrders';
import type { CliContext } from '../context';
import { printFields, printJson, UsageError } from '../output';

function countsLine(counts: ImportCounts): string {
  return `fetched ${counts.fetched}, imported ${counts.imported}, updated ${counts.updated}, blocked ${counts.blocked}, committed ${counts.committed}`;
}

/** `vitrine run <code> [--wait]`: an ad-hoc run through the vitrine's schedule (never beside a scheduled one). */
export async function runVitrine(ctx: CliContext, code: string, options: { wait?: boolean; json?: boolean }): Promise<void> {
  await ctx.vitrine(code);
  const client = await ctx.client();
  const { workflowId, alreadyRunning } = await triggerVitrineRun(client, code);
  if (!options.wait) {
    if (options.json) return printJson({ workflowId, alreadyRunning });
    console.log(alreadyRunning ? `a run of ${code} is already going: ${workflowId}` : `started ${workflowId}`);
    return;
  }
  if (!options.json) console.log(alreadyRunning ? `waiting for the run already going: ${workflowId}` : `started ${workflowId}`);
  const handle = client.workflow.getHandle(workflowId);
  const live = options.json || !process.stdout.isTTY ? undefined : setInterval(() => void showProgress(), 1000);
  async function showProgress(): Promise<void> {
    try {
      process.stdout.write(`\r${countsLine(await handle.query(progressQuery))}`);
    } catch {
      // The run may be between executions (continue-as-new) or already closed: skip this tick.
    }
  }
  let summary: ImportRunSummary;
  try {
    summary = await handle.result();
  } catch (error) {
    const cause = error instanceof WorkflowFailedError && error.cause ? `: ${error.cause.message}` : '';
    throw new UsageError(`run ${workflowId} failed${cause}`);
  } finally {
    if (live) {
      clearInterval(live);
      process.stdout.write('\n');
    }
  }
  if (options.json) return printJson({ workflowId, ...summary });
  printFields({ workflowId, ...summary });
}
