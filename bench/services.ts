/**
 * The services a benchmark run uses: the stack's Postgres server (a fresh database per measured
 * path), its Temporal server, and the VTEX simulator: the stack's (SIMULATOR_URL), else one started
 * here as a child process. The simulator never runs inside the benchmark process: the baseline
 * loop runs there, and sharing its event loop with the platform would slow the baseline down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { applyDatabaseMigrations, createDatabase } from '../src/erp/db';

export const REPO = path.resolve(__dirname, '..');
export const LOG_DIR = path.join(REPO, '.data', 'logs');

export function shortId(): string {
  return randomBytes(3).toString('hex');
}

export interface BenchDatabase {
  name: string;
  url: string;
  db: Knex;
  drop(): Promise<void>;
  /** On an interrupt: drops it from under whatever still uses it. */
  dropNow(): Promise<void>;
}

/** A new, migrated database on the server of `serverUrl`; `drop()` removes it. */
export async function createBenchDatabase(serverUrl: string, name: string): Promise<BenchDatabase> {
  const admin = createDatabase(serverUrl, { max: 1 });
  try {
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString());
  await applyDatabaseMigrations(db);
  const dropFromAdmin = async () => {
    const again = createDatabase(serverUrl, { max: 1 });
    try {
      await again.raw(`drop database if exists ${name} with (force)`);
    } finally {
      await again.destroy();
    }
  };
  return {
    name,
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      await dropFromAdmin();
    },
    dropNow: dropFromAdmin,
  };
}

export interface Simulator {
  url: string;
  /** The simulator's own process, when this run started it (its CPU is then measured too). */
  startedHere: boolean;
  call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

function simulatorClient(url: string, startedHere: boolean, close: () => Promise<void>): Simulator {
  return {
    url,
    startedHere,
    async call<T>(method: 'GET' | 'POST', p: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`simulator ${method} ${p}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    close,
  };
}

/** The stack's simulator when SIMULATOR_URL answers, else a child process of our own. */
export async function openSimulator(): Promise<Simulator> {
  const given = process.env.SIMULATOR_URL?.replace(/\/+$/, '');
  if (given) {
    const health = await fetch(`${given}/_sim/health`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
    if (!health?.ok) throw new Error(`SIMULATOR_URL ${given} does not answer /_sim/health`);
    return simulatorClient(given, false, async () => undefined);
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(path.join(LOG_DIR, 'bench-simulator.log'), { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, ['dist/simulator/main.js', '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO,
    env: { ...process.env, SIM_LOG: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the simulator did not start within 60 s')), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /simulator listening on (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited with code ${code} during startup (log: .data/logs/bench-simulator.log)`));
    });
  });
  return simulatorClient(url, true, async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

/** Port of a host:port address or URL (for finding the process that serves it). */
export function portOf(address: string): number | undefined {
  const match = /:(\d+)(?:\/|$)/.exec(address);
  return match ? Number(match[1]) : undefined;
}

/**
 * Cleanups to run if the run is interrupted (Ctrl-C, SIGTERM): worker processes, schedules and
 * databases that the normal `finally` blocks would have removed. Returns the unregister function.
 */
const interruptCleanups = new Set<() => Promise<unknown>>();

export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  interruptCleanups.add(cleanup);
  return () => interruptCleanups.delete(cleanup);
}

export function installInterruptHandlers(log: (line: string) => void): void {
  let interrupted = false;
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`bench: ${signal}: cleaning up`);
    const all = [...interruptCleanups].reverse().map((cleanup) => cleanup().catch(() => undefined));
    const deadline = new Promise((resolve) => setTimeout(resolve, 30_000).unref());
    void Promise.race([Promise.all(all), deadline]).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
