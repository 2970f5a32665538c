/**
 * A process-wide budget of bytes for platform documents being received: a worker reading many
 * orders at once (8 page steps, 8 order reads each) holds at most this much of their bodies, so
 * a page of 5 MB B2B orders costs the same memory as a page of small ones, only more slowly. A
 * request reserves its body's size before reading it; one larger than the whole budget waits
 * until it has the budget to itself. Waiting readers are served in order.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly capacity: number) {}

  /** Reserves `bytes` (at most the whole budget) and resolves with the function that gives them back. */
  async reserve(bytes: number): Promise<() => void> {
    const size = Math.max(0, Math.min(bytes, this.capacity));
    if (this.waiting.length === 0 && this.used + size <= this.capacity) {
      this.used += size;
    } else {
      await new Promise<void>((grant) => this.waiting.push({ bytes: size, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= size;
      this.grantWaiting();
    };
  }

  /** Bytes reserved now (tests and metrics). */
  get inUse(): number {
    return this.used;
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0].bytes <= this.capacity) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.grant();
    }
  }
}

/** The largest order document a worker takes (a 1,000-line B2B order in VTEX's full shape is about 4 MB). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** Bytes of order documents one worker process receives at once. */
export const DOCUMENT_BUDGET_BYTES = 16 * 1024 * 1024;

/** The budget the platform connectors of this process share. */
export const documentBudget = new ByteBudget(DOCUMENT_BUDGET_BYTES);

/** A response body over the limit: the order it belongs to is blocked with its size, never read. */
export class BodyTooLargeError extends Error {
  constructor(
    /** The body's size when the platform said it or it was counted; at least this many bytes otherwise. */
    readonly bytes: number,
    readonly limit: number,
    /** False when the body was cut off at `bytes` (no Content-Length): it is larger still. */
    readonly exact: boolean,
  ) {
    super(`the response body of ${megabytes(bytes)} is over the ${megabytes(limit)} limit`);
    this.name = 'BodyTooLargeError';
  }
}

/** "7.3 MB": one decimal, in MiB as the limits are. */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}
