/** Small HTTP helpers shared by the simulator's platform and control routes. */
import type { FastifyReply } from 'fastify';

/** Account names in URLs, like VTEX account names. */
export const ACCOUNT_PATTERN = /^[a-z0-9-]+$/;

/** The error envelope of the contract (start-handling 401/409): { error: { code, message, exception } }. */
export function vtexError(code: string, message: string): { error: { code: string; message: string; exception: null } } {
  return { error: { code, message, exception: null } };
}

/**
 * Delays and hangs that the app can cut short on close, so stopping the simulator never waits
 * for an injected 30 s hang or a long latency.
 */
export class Waits {
  private readonly pending = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.pending.add(finish);
    });
  }

  /** Never answers: the socket is dropped when the client gives up, after `ms`, or on close. */
  hang(reply: FastifyReply, ms: number): Promise<void> {
    reply.hijack();
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(finish);
        reply.raw.destroy();
        resolve();
      };
      const timer = setTimeout(finish, ms);
      reply.raw.once('close', finish);
      this.pending.add(finish);
    });
  }

  cancelAll(): void {
    for (const finish of [...this.pending]) finish();
  }
}

/**
 * Holds an account's platform requests while it is closed, for tests that need a request in
 * flight (a run that is still going, a crash mid-call): they close the gate, wait until a request
 * is held (`whenHeld`, an event, not a sleep), act, and open it again.
 */
export class Gate {
  private closedNow = false;
  /** Requests still let through after close(n): the gate then holds the (n+1)th. */
  private allowance = 0;
  private readonly waiting = new Set<() => void>();
  private watchers: Array<{ atLeast: number; resolve: () => void }> = [];

  get closed(): boolean {
    return this.closedNow;
  }

  /** Requests waiting at the gate now. */
  get held(): number {
    return this.waiting.size;
  }

  /** Holds every request from now on, or from the one after the next `afterRequests`. */
  close(afterRequests = 0): void {
    this.closedNow = true;
    this.allowance = afterRequests;
  }

  open(): void {
    this.closedNow = false;
    this.allowance = 0;
    for (const release of [...this.waiting]) release();
  }

  /** Resolves at once while the gate is open; otherwise when it opens. */
  pass(): Promise<void> {
    if (!this.closedNow) return Promise.resolve();
    if (this.allowance > 0) {
      this.allowance -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const release = () => {
        this.waiting.delete(release);
        resolve();
      };
      this.waiting.add(release);
      this.watchers = this.watchers.filter((w) => {
        if (this.waiting.size < w.atLeast) return true;
        w.resolve();
        return false;
      });
    });
  }

  /** Resolves true once at least `atLeast` requests are held, false after `timeoutMs`. */
  whenHeld(atLeast: number, timeoutMs: number): Promise<boolean> {
    if (this.waiting.size >= atLeast) return Promise.resolve(true);
    return new Promise((resolve) => {
      const watcher = {
        atLeast,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.watchers = this.watchers.filter((w) => w !== watcher);
        resolve(false);
      }, timeoutMs);
      this.watchers.push(watcher);
    });
  }
}
