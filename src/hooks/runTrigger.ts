/**
 * Wakes a vitrine's import after a hook notification: triggers its Temporal Schedule with overlap
 * policy BUFFER_ONE, so a run starts at once, or right after the run going now, and never beside
 * it; at most once a second per vitrine, as the schedule names its runs by the second. Notifications that come while a trigger is on its way make one more trigger after it, not
 * one each: a burst of a thousand costs a few runs. A trigger that cannot reach Temporal is tried
 * again for a while; the notification is in the ERP meanwhile, and the sweep or the vitrine's next
 * scheduled run serves it.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { lastStartOf, sleepUntilOwnSecond } from '../scheduling/vitrineSchedules';
import { scheduleIdFor } from '../shared/ids';
import type { TemporalAccess } from '../shared/temporalAccess';

/** Waits between tries of a trigger that failed: 0.5 s doubling, 6 tries (about 30 s in all). */
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 16_000];

export class RunTrigger {
  private readonly waking = new Map<string, { again: boolean; done: Promise<void> }>();
  /** When this receiver last triggered each vitrine's schedule (a buffered run is not in its description yet). */
  private readonly lastTrigger = new Map<string, number>();
  private stopped = false;
  /** Triggers the schedule accepted. */
  triggered = 0;

  constructor(
    private readonly temporal: TemporalAccess,
    private readonly onError: (vitrineCode: string, error: Error) => void,
  ) {}

  /** Asks for a run of the vitrine; returns at once. */
  wake(vitrineCode: string): void {
    if (this.stopped) return;
    const current = this.waking.get(vitrineCode);
    if (current) {
      current.again = true;
      return;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = this.triggerWhileAsked(vitrineCode, entry).finally(() => this.waking.delete(vitrineCode));
    this.waking.set(vitrineCode, entry);
  }

  /** Waits for the triggers under way (the process is stopping). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.waking.values()].map((entry) => entry.done));
  }

  private async triggerWhileAsked(vitrineCode: string, entry: { again: boolean }): Promise<void> {
    do {
      entry.again = false;
      await this.triggerOnce(vitrineCode);
    } while (entry.again && !this.stopped);
  }

  private async triggerOnce(vitrineCode: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await this.temporal.client();
        const handle = client.schedule.getHandle(scheduleIdFor(vitrineCode));
        // Never twice in one second (see sleepUntilOwnSecond): notifications meanwhile wait for this trigger.
        const { info } = await handle.describe();
        await sleepUntilOwnSecond(Math.max(lastStartOf(info), this.lastTrigger.get(vitrineCode) ?? 0));
        await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
        this.lastTrigger.set(vitrineCode, Date.now());
        this.triggered++;
        return;
      } catch (error) {
        // No schedule (the vitrine was never switched on): its next `vitrine enable` creates it.
        if (error instanceof ScheduleNotFoundError || this.stopped || attempt >= RETRY_DELAYS_MS.length) {
          this.onError(vitrineCode, error as Error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
  }
}
