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
