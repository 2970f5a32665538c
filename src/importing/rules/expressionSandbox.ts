/**
 * Default-field expressions run in sandbox processes with a capped V8 heap and a hard wall-clock
 * limit: an expression that allocates gigabytes in one step, recurses, builds huge arrays or
 * backtracks in a regular expression gets its process killed (and replaced) and fails with a
 * reason, which the blocked order of that expression says; the worker, the CLI and the backoffice
 * go on. Processes, not worker threads: a worker thread's resourceLimits do not survive one
 * allocation larger than its heap (`$pad("x", 100000000)` aborts the whole process; see
 * docs/SECURITY.md), and a pool library would print the sandbox's crash on our stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { ExpressionError } from './expressions';
import type { SandboxAnswer, SandboxRequest } from './expressionProcess';

export const SANDBOX_LIMITS = {
  /** From the request's sending to its answer; the process is killed beyond it. */
  wallClockMs: 500,
  /** The sandbox's V8 old generation and semi-space, in MB. */
  oldGenerationMb: 32,
  semiSpaceMb: 2,
  /**
   * What an evaluation may add to its process's resident memory, in MB, watched every
   * `memoryCheckMs` where the system tells (Linux /proc): V8's heap limit does not hold for one
   * builtin that allocates a large array, nor for memory outside the heap. 40 leaves room under
   * 64 MB for what a fast allocation adds between two checks (a sum over 10^7 numbers reached
   * 68.6 MB with 48).
   */
  evaluationMemoryMb: 40,
  memoryCheckMs: 2,
  /** Evaluations at once (one per process). */
  processes: 2,
  /** Processes unused this long go (they are started again when needed). */
  idleMs: 60_000,
  /** Waiting evaluations beyond which a caller is refused instead of queued. */
  maxWaiting: 10_000,
  maxResultBytes: 64 * 1024,
};

interface Job {
  request: SandboxRequest;
  resolve(answer: SandboxAnswer): void;
  reject(error: ExpressionError): void;
}

/** One sandbox process: one evaluation at a time. */
class SandboxProcess {
  private readonly child: ChildProcess;
  private job?: Job;
  private timer?: NodeJS.Timeout;
  private watch?: NodeJS.Timeout;
  /** Resident bytes when idle: an evaluation is measured from there. */
  private idleRss?: number;
  private stderr = '';
  /** Set once the process said it is ready: its start-up is not counted in an evaluation's time. */
  ready = false;
  exited = false;

  constructor(private readonly onFree: (process: SandboxProcess) => void) {
    const file = path.join(__dirname, `expressionProcess${path.extname(__filename)}`);
    this.child = fork(file, [], {
      execArgv: [
        ...loaderArgs(),
        `--max-old-space-size=${SANDBOX_LIMITS.oldGenerationMb}`,
        `--max-semi-space-size=${SANDBOX_LIMITS.semiSpaceMb}`,
      ],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    });
    // Held while it starts or evaluates; an idle sandbox keeps no process from exiting.
    this.child.channel?.unref();
    // V8's out-of-memory report, kept only to say why the process died.
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4096);
    });
    (this.child.stderr as Socket | null)?.unref();
    this.child.on('message', (message: SandboxAnswer | 'ready') => {
      if (message === 'ready') {
        this.ready = true;
        this.idleRss = residentBytes(this.child.pid);
        this.onFree(this);
        if (!this.job) this.child.unref();
      } else this.answered(message);
    });
    // close, not exit: V8's last words on stderr are read by then.
    this.child.on('close', () => this.died());
    this.child.on('error', () => this.died());
  }

  get free(): boolean {
    return this.ready && !this.exited && this.job === undefined;
  }

  run(job: Job): void {
    this.job = job;
    this.child.ref();
    this.timer = setTimeout(() => {
      this.kill();
      this.fail(`expression ran longer than ${SANDBOX_LIMITS.wallClockMs} ms and was stopped`);
      this.onFree(this);
    }, SANDBOX_LIMITS.wallClockMs);
    if (this.idleRss !== undefined) {
      const limit = this.idleRss + SANDBOX_LIMITS.evaluationMemoryMb * 1024 * 1024;
      this.watch = setInterval(() => {
        if ((residentBytes(this.child.pid) ?? 0) <= limit) return;
        this.kill();
        this.fail(`expression used more than ${SANDBOX_LIMITS.evaluationMemoryMb} MB and was stopped`);
        this.onFree(this);
      }, SANDBOX_LIMITS.memoryCheckMs);
    }
    this.child.send(job.request, (error) => {
      if (!error) return;
      this.kill();
      this.fail(`expression sandbox refused the expression: ${error.message.split('\n')[0]}`);
      this.onFree(this);
    });
  }

  kill(): void {
    this.exited = true;
    this.child.kill('SIGKILL');
  }

  private answered(answer: SandboxAnswer): void {
    const job = this.job;
    if (!job || answer.id !== job.request.id) return;
    this.settle();
    job.resolve(answer);
    this.onFree(this);
  }

  private died(): void {
    if (this.exited && !this.job) return;
    this.exited = true;
    const outOfMemory = /heap out of memory|allocation failed|invalid array length/i.test(this.stderr);
    this.fail(
      outOfMemory
        ? `expression used more than ${SANDBOX_LIMITS.oldGenerationMb} MB and was stopped`
        : 'expression stopped the sandbox process',
    );
    this.onFree(this);
  }

  private fail(message: string): void {
    const job = this.job;
    if (!job) return;
    this.settle();
    job.reject(new ExpressionError(message));
  }

  private settle(): void {
    clearTimeout(this.timer);
    clearInterval(this.watch);
    this.job = undefined;
    if (!this.exited) this.child.unref();
  }
}

/** A process's resident memory in bytes (Linux /proc), or undefined where the system does not tell. */
function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE;
  } catch {
    return undefined;
  }
}
const PAGE_SIZE = 4096;

/** The loader flags of this process (tsx under the tests), so that the sandbox runs the same sources. */
function loaderArgs(): string[] {
  const args: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (['--import', '--require', '-r', '--loader', '--experimental-loader'].includes(argv[i]) && i + 1 < argv.length) {
      args.push(argv[i], argv[++i]);
    } else if (/^--(import|require|loader|experimental-loader)=/.test(argv[i])) {
      args.push(argv[i]);
    }
  }
  return args;
}

class Sandbox {
  private processes: SandboxProcess[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private lastUse = 0;
  private idle?: NodeJS.Timeout;

  evaluate(source: string, context: unknown): Promise<SandboxAnswer> {
    this.lastUse = Date.now();
    if (this.waiting.length >= SANDBOX_LIMITS.maxWaiting) {
      return Promise.reject(new ExpressionError('expression sandbox is overloaded: try again'));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({
        request: { id: this.nextId++, source, context, maxResultBytes: SANDBOX_LIMITS.maxResultBytes },
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  close(): void {
    for (const p of this.processes) p.kill();
    this.processes = [];
  }

  private dispatch(): void {
    this.processes = this.processes.filter((p) => !p.exited);
    // In use: a stopped process is replaced at once, so that the next order does not wait for one
    // to start. Unused for idleMs: the processes go.
    if (Date.now() - this.lastUse < SANDBOX_LIMITS.idleMs) {
      while (this.processes.length < SANDBOX_LIMITS.processes) this.processes.push(new SandboxProcess(() => this.dispatch()));
      clearTimeout(this.idle);
      this.idle = setTimeout(() => this.dispatch(), SANDBOX_LIMITS.idleMs + 100);
      this.idle.unref();
    } else if (this.waiting.length === 0) {
      this.close();
      return;
    }
    while (this.waiting.length > 0) {
      const free = this.processes.find((p) => p.free);
      // None free: the busy and starting ones call back.
      if (!free) return;
      free.run(this.waiting.shift()!);
    }
  }
}

let sandbox: Sandbox | undefined;

/** Evaluates one expression over `context` in the sandbox; ExpressionError says why it failed. */
export async function evaluateExpression(source: string, context: unknown): Promise<unknown> {
  const answer = await sandboxAnswer(source, context);
  if ('error' in answer) throw new ExpressionError(answer.error);
  return answer.value;
}

/** The sandbox's whole answer, with the heap its process had (for tests and the probes). */
export function sandboxAnswer(source: string, context: unknown): Promise<SandboxAnswer> {
  sandbox ??= new Sandbox();
  return sandbox.evaluate(source, context);
}

/** Kills the sandbox processes (tests, and processes that want a clean exit). */
export function closeExpressionSandbox(): void {
  sandbox?.close();
  sandbox = undefined;
}
