/**
 * A token bucket: `ratePerSecond` tokens a second, at most `capacity` saved up. Pure: callers pass
 * the time. The simulator enforces a platform's rate limit with it (take), the connectors pace
 * their own requests with it (reserve).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    now: number,
  ) {
    if (!(ratePerSecond > 0) || !(capacity >= 1)) throw new RangeError('a token bucket needs a positive rate and a capacity of at least 1');
    this.tokens = capacity;
    this.at = now;
  }

  private refill(now: number): void {
    if (now <= this.at) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) * this.ratePerSecond) / 1000);
    this.at = now;
  }

  /** Takes a token if there is one: 0, else the milliseconds until there is one (nothing taken). */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  /** Returns a token just taken (a caller that only looked). */
  giveBack(): void {
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  /** Reserves the next token, however far: the milliseconds to wait before using it (callers queue up). */
  reserve(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }

  /**
   * No token for `ms` from now (the platform answered 429 with Retry-After). Pauses do not add up:
   * every call in flight may get the same 429, and each says the same thing.
   */
  pause(now: number, ms: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, -(ms * this.ratePerSecond) / 1000);
  }
}
