/**
 * One vitrine driven through the `vitrine` CLI in process, as the single-vitrine benchmarks
 * (status-updates, rate-limit) use it: added on the simulator, switched on, and cleaned up.
 */
import type { Client } from '@temporalio/client';
import { runCli } from '../src/starter/cli';
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
  await cli([
    'add',
    '--code',
    code,
    '--name',
    name,
    '--platform',
    'vtex',
    '--base-url',
    `${simulatorUrl}/${code}`,
    '--app-key',
    'k',
    '--app-token',
    'bench-token',
    '--prefix',
    prefix,
  ]);
  for (const args of simulatedMarketplaceCommands(code)) await cli(args);
  await cli(['enable', code]);
}

/** Stops the workers, ends what the vitrine left running in Temporal, and drops (or keeps) its database. */
export async function cleanUpVitrine(
  client: Client,
  workers: WorkerProcess[],
  code: string,
  database: BenchDatabase,
  keepDatabase: boolean,
): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
  await client.workflow
    .getHandle(`vitrine-notifications-${code}`)
    .terminate('benchmark over')
    .catch(() => undefined);
  await client.schedule
    .getHandle(`vitrine-orders-${code}`)
    .delete()
    .catch(() => undefined);
  if (keepDatabase) await database.db.destroy();
  else await database.drop();
}
