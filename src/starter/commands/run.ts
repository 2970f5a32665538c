import { WorkflowFailedError } from '@temporalio/client';
import { triggerVitrineRun } from '../../scheduling/vitrineSchedules';
import type { ImportCounts, ImportRunSummary } from '../../shared/importTypes';
import { progressQuery } from '../../workflows/importVitrineOrders';
import type { CliContext } from '../context';
import { UsageError } from '../output';

function countsLine(counts: ImportCounts): string {
  return `fetched ${counts.fetched}, imported ${counts.imported}, updated ${counts.updated}, blocked ${counts.blocked}, committed ${counts.committed}`;
}

/** `vitrine run <code> [--wait]`: an ad-hoc run through the vitrine's schedule (never beside a scheduled one). */
export async function runVitrine(ctx: CliContext, code: string, options: { wait?: boolean; json?: boolean }): Promise<void> {
  const vitrine = await ctx.vitrine(code);
  const client = await ctx.client();
  const { workflowId, firstExecutionRunId, alreadyRunning } = await triggerVitrineRun(client, code);
  // The run started (or was going): in the audit trail now, not after a --wait that can be long.
  ctx.recordChange({ vitrine, action: 'run.trigger', after: { workflowId, alreadyRunning } });
  await ctx.writeChangesNow();
  if (!options.wait) {
    if (options.json) return ctx.out.json({ workflowId, alreadyRunning });
    ctx.out.line(alreadyRunning ? `a run of ${code} is already going: ${workflowId}` : `started ${workflowId}`);
    return;
  }
  if (!options.json) ctx.out.line(alreadyRunning ? `waiting for the run already going: ${workflowId}` : `started ${workflowId}`);
  // By its first run id: a run of the same second as the last one has the same workflow id.
  const handle = client.workflow.getHandle(workflowId, undefined, { firstExecutionRunId });
  // Live progress from the run's `progress` query: one updating line on a terminal, a line per
  // change elsewhere (logs, CI).
  const tty = ctx.out.isTTY;
  let last = '';
  const live = options.json ? undefined : setInterval(() => void showProgress(), tty ? 1000 : 5000);
  async function showProgress(): Promise<void> {
    try {
      const line = countsLine(await handle.query(progressQuery));
      if (line === last) return;
      last = line;
      ctx.out.write(tty ? `\r${line}` : `progress: ${line}\n`);
    } catch (error) {
      // Between two executions (continue-as-new), or closed a moment ago, a run cannot answer: the
      // next tick asks again. What it said is shown once, not hidden.
      const line = `progress: not available now (${(error as Error).message.split('\n')[0]})`;
      if (line === last) return;
      last = line;
      ctx.out.write(tty ? `\r${line}` : `${line}\n`);
    }
  }
  let summary: ImportRunSummary;
  try {
    summary = await handle.result();
  } catch (error) {
    // The root of the chain says what failed (WorkflowFailedError -> ActivityFailure -> ApplicationFailure).
    let root: Error | undefined = error instanceof WorkflowFailedError ? error.cause : undefined;
    while (root?.cause instanceof Error) root = root.cause;
    const cause = root ? `: ${root.message}` : '';
    throw new UsageError(`run ${workflowId} failed${cause}`);
  } finally {
    if (live) {
      clearInterval(live);
      if (tty && last) ctx.out.write('\n');
    }
  }
  if (options.json) return ctx.out.json({ workflowId, ...summary });
  ctx.out.fields({ workflowId, ...summary });
}
