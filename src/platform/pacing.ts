import { TokenBucket } from '../shared/tokenBucket';

/**
 * Pacing of a platform account's rate-limited calls, shared by every connector of the process
 * (a scheduled run, a retry and several activities of one vitrine all call the same account).
 * The pace is a share of the account's limit, so that the platform never has to say 429; when it
 * still does (another process calls the same account), every caller waits what it asked.
 */
export interface Pacer {
  /** Resolves when the next call may go. */
  wait(): Promise<void>;
  /** The platform answered 429: nobody calls for `ms`. */
  backOff(ms: number): void;
}

/** The share of the platform's limit the connector uses: the rest is headroom for clocks and bursts. */
export const PACE_SHARE = 0.95;

const pacers = new Map<string, { perMinute: number; pacer: Pacer }>();

/** The process's pacer of one account's calls at `perMinute` a minute (the platform's limit). */
export function pacerFor(account: string, perMinute: number, now: () => number = Date.now): Pacer {
  const known = pacers.get(account);
  if (known && known.perMinute === perMinute) return known.pacer;
  const pacer = createPacer(perMinute, now);
  pacers.set(account, { perMinute, pacer });
  return pacer;
}

export function createPacer(
  perMinute: number,
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Pacer {
  const ratePerSecond = (perMinute * PACE_SHARE) / 60;
  // At most a second's worth at once: the platform's own bucket holds about that much.
  const bucket = new TokenBucket(ratePerSecond, Math.max(1, Math.floor(ratePerSecond)), now());
  return {
    async wait() {
      const ms = bucket.reserve(now());
      if (ms > 0) await sleep(ms);
    },
    backOff(ms) {
      bucket.pause(now(), ms);
    },
  };
}
