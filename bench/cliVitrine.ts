/**
 * One vitrine driven through the `vitrine` CLI in process, as the single-vitrine benchmarks
 * (status-updates, rate-limit) and push mode's use it: added on the simulator, switched on, and cleaned up.
 */
import type { Client } from '@temporalio/client';
import { notificationsWorkflowIdFor, scheduleIdFor } from '../src/shared/ids';
import { runCli } from '../src/starter/cli';
import { addVitrineArgs } from '../test/support/cli';
import { simulatedMarketplaceCommands } from '../test/support/marketplaces';
import type { BenchDatabase, Simulator } from './services';
import type { WorkerProcess } from './workers';

/** What every single-vitrine benchmark is given. */
export interface SingleVitrineOptions {
  databaseServerUrl: string;
  temporalAddress: string;
  namespace: string;
  client: Client;
  sim: Simulator;
  orders: number;
  log: (line: string) => void;
  keepDatabases: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CLI's JSON output, read by each caller
export type BenchCli = (args: string[]) => Promise<any>;

/** `vitrine <args> --json` with the given environment; throws with the CLI's one-line error. */
export function benchCli(env: Record<string, string>): BenchCli {
  return async (args) => {
    let out = '';
    let err = '';
    const exit = await runCli([...args, '--json'], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: { ...process.env, ...env },
    });
    if (exit !== 0) throw new Error(`vitrine ${args.join(' ')}: ${err.trim()}`);
    return JSON.parse(out);
  };
}

/** Adds a vitrine on the simulator account `code`, with the simulator's marketplaces mapped, and switches it on. */
export async function addEnabledVitrine(cli: BenchCli, code: string, simulatorUrl: string, prefix: string, name: string): Promise<void> {
  await cli(addVitrineArgs({ code, name, baseUrl: `${simulatorUrl}/${code}`, appKey: 'k', appToken: 'bench-token', prefix }));
  for (const args of simulatedMarketplaceCommands(code)) await cli(args);
  await cli(['enable', code]);
}

/** Stops the workers, ends what the vitrines left running in Temporal, and drops (or keeps) their database. */
export async function cleanUpVitrines(
  client: Client,
  workers: WorkerProcess[],
  codes: string[],
  database: BenchDatabase,
  keepDatabase: boolean,
): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
  for (const code of codes) {
    await client.workflow
      .getHandle(notificationsWorkflowIdFor(code))
      .terminate('benchmark over')
      .catch(() => undefined);
    await client.schedule
      .getHandle(scheduleIdFor(code))
      .delete()
      .catch(() => undefined);
  }
  if (keepDatabase) await database.db.destroy();
  else await database.drop();
}
