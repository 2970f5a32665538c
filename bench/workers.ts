/**
 * Import workers as child processes, the way they run in production, so that each one's memory
 * is its own: `node --import tsx src/worker/main.ts` (or bench/worker.ts for the per-order
 * variant), each with its VmRSS sampled every 200 ms from its start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { rssBytes, RssSampler, treeCpuSeconds } from './procstat';
import { LOG_DIR, onInterrupt, REPO } from './services';

const READY_LINE = 'worker polling task queue';
/** How bin/worker (the Dockerfile's, docker-compose.yml's and the stack's command) starts a worker. */
export const WORKER_NODE_FLAGS = workerNodeFlags();

/** The node flags of bin/worker, the one place they are set. */
export function workerNodeFlags(): string[] {
  const script = readFileSync(path.join(REPO, 'bin/worker'), 'utf8');
  const line = /^WORKER_NODE_FLAGS="([^"]*)"/m.exec(script);
  if (!line) throw new Error('bin/worker sets no WORKER_NODE_FLAGS');
  return line[1].replace(/\$\{WORKER_HEAP_MB:-(\d+)\}/, '$1').split(/\s+/);
}

export type WorkerEnv = {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TASK_QUEUE: string;
};

export class WorkerProcess {
  readonly pid: number;
  /** Peak VmRSS over the whole life of the process, workflow bundling at startup included. */
  readonly lifeRss: RssSampler;
  /** Peak VmRSS from startMeasuring() to stopMeasuring(): the drain. */
  drainRss: RssSampler | undefined;
  private readonly child: ChildProcess;
  private output = '';
  readonly ready: Promise<void>;
  private readonly unregister: () => void;

  /**
   * `readyLine`: what the process prints once it is ready. `ipc`: open an IPC channel for
   * request(); not for workers, which it would keep alive after a graceful shutdown.
   */
  constructor(
    entry: string,
    env: Record<string, string>,
    logName: string,
    options: { readyLine?: string; ipc?: boolean; nodeArgs?: string; node?: string } = {},
  ) {
    const readyLine = options.readyLine ?? READY_LINE;
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(path.join(LOG_DIR, logName), { flags: 'a' });
    // The production worker's flags (Dockerfile, docker-compose.yml), plus BENCH_WORKER_NODE_ARGS
    // for profiling, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    // `options.nodeArgs` come last: V8 takes the last of a repeated flag.
    const nodeArgs = [
      ...WORKER_NODE_FLAGS,
      ...`${process.env.BENCH_WORKER_NODE_ARGS ?? ''} ${options.nodeArgs ?? ''}`.split(' ').filter(Boolean),
    ];
    // The product's worker runs compiled (dist/); the benchmark's own processes run through tsx.
    const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
    // `node`: another Node.js binary for the path's processes (--runtimes), else this one.
    this.child = spawn(options.node ?? process.execPath, [...nodeArgs, ...loader, entry], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid!;
    this.lifeRss = RssSampler.ofPid(this.pid).start();
    this.unregister = onInterrupt(() => this.stop());
    const capture = (chunk: Buffer) => {
      log.write(chunk);
      if (this.output.length < 64 * 1024) this.output += chunk.toString();
    };
    this.child.stdout!.on('data', capture);
    this.child.stderr!.on('data', capture);
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${entry} (pid ${this.pid}) did not start within 120 s: ${this.tail()}`)), 120_000);
      const check = () => {
        if (this.output.includes(readyLine)) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.child.stdout!.on('data', check);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${entry} (pid ${this.pid}) exited with code ${code}: ${this.tail()}`));
      });
    });
    this.ready.catch(() => undefined);
  }

  /** Sends `message` over IPC and resolves with the process's next message. */
  request<T>(message: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`pid ${this.pid} exited with code ${code} before answering: ${this.tail()}`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply) => {
        this.child.off('exit', onExit);
        resolve(reply as T);
      });
      this.child.send(message);
    });
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  tail(): string {
    return this.output.trim().split('\n').slice(-5).join(' | ');
  }

  cpuSeconds(): number {
    return treeCpuSeconds(this.pid);
  }

  /** VmRSS when the drain started: the worker started, its workflow bundle built, idle. */
  idleRssBytes = 0;

  startMeasuring(): void {
    this.idleRssBytes = rssBytes(this.pid) ?? 0;
    this.drainRss = RssSampler.ofPid(this.pid).start();
  }

  stopMeasuring(): number {
    return this.drainRss?.stop() ?? 0;
  }

  /** SIGTERM (the SDK shuts down gracefully), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    this.unregister();
    this.lifeRss.stop();
    this.drainRss?.stop();
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (!this.exited) {
      this.child.kill('SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
  }
}

/**
 * Starts `count` workers on one task queue and waits until each has printed its ready line and
 * Temporal lists that many workflow pollers on the queue.
 */
export async function startWorkers(
  client: Client,
  count: number,
  entry: string,
  env: WorkerEnv,
  logPrefix: string,
  node?: string,
): Promise<WorkerProcess[]> {
  const workers = Array.from({ length: count }, (_, i) => new WorkerProcess(entry, env, `${logPrefix}-worker${i + 1}.log`, { node }));
  try {
    await Promise.all(workers.map((w) => w.ready));
    const deadline = Date.now() + 60_000;
    for (;;) {
      // No task queue type: Temporal describes the workflow task queue.
      const described = await client.workflowService.describeTaskQueue({
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: { name: env.TASK_QUEUE },
      });
      const identities = new Set((described.pollers ?? []).map((p) => p.identity));
      if (workers.every((w) => [...identities].some((id) => id?.startsWith(`${w.pid}@`)))) break;
      if (Date.now() > deadline) throw new Error(`Temporal lists ${identities.size} of ${count} workers polling ${env.TASK_QUEUE}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return workers;
  } catch (error) {
    await Promise.all(workers.map((w) => w.stop()));
    throw error;
  }
}
