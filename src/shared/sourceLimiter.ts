/**
 * Refused requests per source (an address for the hook receiver, an account for the backoffice's
 * login): each one takes a token from the source's bucket, and a source with no token left is
 * answered 429 until it has one again. Only refusals count, so the platform's own notifications,
 * however many, are never limited, nor are an account's good logins; a source sending garbage,
 * guessing secrets or passwords is. (@fastify/rate-limit counts every request, which would
 * throttle the platform's bursts first.)
 */
import { TokenBucket } from './tokenBucket';

export interface SourceLimits {
  /** Refusals a source may have in a row before it is limited. */
  burst: number;
  /** Refusals a minute a source may go on with. */
  perMinute: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimits = { burst: 20, perMinute: 60 };
/** Sources remembered at most; the oldest is forgotten first (an attacker rotating addresses cannot grow the map). */
const MAX_SOURCES = 10_000;

export class SourceLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: SourceLimits = DEFAULT_SOURCE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the source may be served, else the milliseconds until it may. */
  waitOf(source: string): number {
    const bucket = this.buckets.get(source);
    if (!bucket) return 0;
    // Peek: take a token and give it back unless the bucket was empty.
    const wait = bucket.take(this.now());
    if (wait === 0) bucket.giveBack();
    return wait;
  }

  /** The source's request was refused. */
  refused(source: string): void {
    let bucket = this.buckets.get(source);
    if (!bucket) {
      if (this.buckets.size >= MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = new TokenBucket(this.limits.perMinute / 60, this.limits.burst, this.now());
      this.buckets.set(source, bucket);
    }
    bucket.take(this.now());
  }
}
