/**
 * The baseline as a process of its own, started the way an import worker is (the same node flags,
 * its own knex pool of the same size), so that both paths run the import code under the same
 * runtime and their CPU time and memory are measured the same way. bench/paths.ts starts it, waits
 * for its ready line, sends it the vitrines to drain over IPC and gets back the counts.
 */
import { createDatabase } from '../src/erp/db';
import { getVitrineById } from '../src/erp/store/vitrines';
import { BASELINE_READY_LINE, drainWithoutTemporal, type BaselineReply, type BaselineRequest, type Retries } from './baselineDrain';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !process.send) throw new Error('bench/baseline.ts runs as a child of the benchmark (DATABASE_URL and an IPC channel)');
  const db = createDatabase(url);
  await db.raw('select 1');
  // One drain per request (a warm-up, then the measured one), one at a time, until the benchmark disconnects.
  let queue = Promise.resolve();
  process.on('message', (message) => {
    queue = queue.then(async () => {
      const { runId, vitrineIds } = message as BaselineRequest;
      const retries: Retries = { count: 0, reasons: {} };
      let reply: BaselineReply;
      try {
        const vitrines = await Promise.all(vitrineIds.map((id) => getVitrineById(db, id)));
        reply = { ok: true, counts: await drainWithoutTemporal(db, vitrines, runId, retries), retries };
      } catch (error) {
        reply = { ok: false, message: error instanceof Error ? error.message : String(error), retries };
      }
      process.send!(reply);
    });
  });
  process.once('disconnect', () => {
    void queue.then(() => db.destroy());
  });
  console.log(BASELINE_READY_LINE);
}

main().catch((error: unknown) => {
  console.error(`baseline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
