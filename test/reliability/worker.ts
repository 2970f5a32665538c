/**
 * The import worker as a child process started by bin/worker (its production heap settings), the
 * way it runs in production: started, killed with SIGKILL, started again. Everything it prints is kept, so that
 * the suite can search it for secrets afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const READY_LINE = 'worker polling task queue';

export interface WorkerEvent {
  /** ms since the supervisor was created */
  at: number;
  what: 'started' | 'ready' | 'killed' | 'exited' | 'stopped';
  pid?: number;
  detail?: string;
}

/**
 * Runs one worker process at a time. `kill()` sends SIGKILL; a worker that dies on its own (for
 * example when Postgres or Temporal goes away) is started again after a second, like a process
 * manager (systemd, Docker's restart policy) would, and the exit is recorded.
 */
export class WorkerSupervisor {
  readonly events: WorkerEvent[] = [];
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private output = '';
  private stopping = false;
  private readonly t0 = Date.now();
  unexpectedExits = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly logFile?: string,
  ) {}

  /** Everything every worker process printed, stdout and stderr. */
  get text(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private record(what: WorkerEvent['what'], detail?: string): void {
    this.events.push({ at: Date.now() - this.t0, what, pid: this.child?.pid, detail });
  }

  private capture(chunk: Buffer | string): void {
    const text = chunk.toString();
    this.output += text;
    if (this.logFile) appendFileSync(this.logFile, text);
  }

  /** Starts a worker; resolves once it polls its task queue. */
  start(): Promise<void> {
    if (this.child) return this.ready!;
    this.stopping = false;
    const child = spawn(path.join(REPO, 'bin/worker'), [], {
      cwd: REPO,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.record('started');
    this.ready = new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(READY_LINE)) {
          child.stdout!.off('data', onData);
          this.record('ready');
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (code ${code}, signal ${signal})`)));
    });
    this.ready.catch(() => undefined);
    child.stdout!.on('data', (chunk) => this.capture(chunk));
    child.stderr!.on('data', (chunk) => this.capture(chunk));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (signal === 'SIGKILL' || this.stopping) return;
      this.unexpectedExits++;
      this.events.push({ at: Date.now() - this.t0, what: 'exited', pid: child.pid, detail: `code ${code}, signal ${signal}` });
      // A process manager would start it again.
      setTimeout(() => {
        if (!this.child && !this.stopping) void this.start().catch(() => undefined);
      }, 1000);
    });
    return this.ready;
  }

  /** Resolves when a worker is up and polling (starting one if none runs). */
  async whenReady(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await (this.child ? this.ready : this.start());
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(1000);
      }
    }
  }

  /** SIGKILL: no shutdown, no cleanup, in-flight activities are lost. Resolves once it is gone. */
  async kill(): Promise<number | undefined> {
    const child = this.child;
    if (!child) return undefined;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    this.record('killed');
    await gone;
    return child.pid;
  }

  /** Graceful stop (SIGTERM), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
    this.record('stopped');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
