import {
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ImportActivities } from '../activities';
import { NON_RETRYABLE_FAILURE_TYPES } from '../shared/failureTypes';

/**
 * Atualização de Status, delivered: one workflow per vitrine at a time (id
 * `vitrine-notifications-<code>`) sends the vitrine's notification outbox to the platform, in
 * order, batch by batch. The ERP commit wakes it (the worker's waker signals it on Postgres's
 * NOTIFY; the import run starts it when it finds notifications due), so the platform hears within
 * seconds; once nothing is due for IDLE_TIMEOUT it ends, and the next change starts it again.
 */

/** Something was queued in the outbox of the vitrine: look again. */
export const notificationsQueuedSignal = defineSignal('notificationsQueued');

export interface DeliverNotificationsInput {
  vitrineId: number;
  vitrineCode: string;
  /** Carried over continue-as-new. */
  totals?: { sent: number; blocked: number };
  /** How long to wait for more once nothing is due (default IDLE_TIMEOUT; tests shorten it). */
  idleTimeout?: string;
}

/** How long a delivery workflow waits for more before it ends. */
export const IDLE_TIMEOUT = '1 minute';
/** Batches per execution before it continues as new (history stays small). */
export const BATCHES_PER_EXECUTION = 100;

/**
 * A platform that is away (5xx, 429, timeouts, network) is retried within the activity (the
 * connector, a few times) and by this policy, 1 s doubling to a minute, 8 tries (about 4 minutes);
 * then the workflow fails, visible in the Temporal UI, and the next wake-up or import run starts it
 * again. A platform that refuses a notification does not fail the activity: that notification is
 * blocked with the platform's reason, for an operator to retry.
 */
const SEND_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  // A worker that dies mid-batch is noticed within 20 s, and the batch is sent again by another.
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '15 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
  },
};
const { sendPlatformNotifications } = proxyActivities<ImportActivities>(SEND_OPTIONS);

export async function deliverPlatformNotifications(input: DeliverNotificationsInput): Promise<{ sent: number; blocked: number }> {
  const totals = { ...(input.totals ?? { sent: 0, blocked: 0 }) };
  let woken = true;
  setHandler(notificationsQueuedSignal, () => {
    woken = true;
  });
  for (let batch = 0; batch < BATCHES_PER_EXECUTION; batch++) {
    if (!woken && !(await condition(() => woken, (input.idleTimeout ?? IDLE_TIMEOUT) as Duration))) break;
    woken = false;
    const result = await sendPlatformNotifications({ vitrineId: input.vitrineId });
    totals.sent += result.sent;
    totals.blocked += result.blocked;
    upsertMemo({ totals });
    // Switched off: the notifications wait; the import run that follows switching on starts this again.
    if (result.paused) return totals;
    if (result.more) woken = true;
    // Many signals make a long history: a fresh execution carries on (totals kept).
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof deliverPlatformNotifications>({ ...input, totals });
  }
  if (woken) return continueAsNew<typeof deliverPlatformNotifications>({ ...input, totals });
  return totals;
}
