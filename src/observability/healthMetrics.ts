/**
 * Gauges of what needs an operator, per vitrine, read from the ERP once a minute by each worker
 * that serves metrics (src/admin/vitrineHealth.ts decides; docs/MONITORING.md has the alert
 * rules). Several workers report the same values: alert on max() by vitrine. The schedules
 * themselves are not read here (that would cost the worker a second Temporal client); a run open
 * longer than its interval is what makes a schedule skip ticks, and is measured.
 */
import type { MetricMeter } from '@temporalio/common';
import type { Knex } from 'knex';
import { vitrineHealth, type AttentionKind } from '../admin/vitrineHealth';
import { listVitrines } from '../erp/store/vitrines';
import { VITRINE_LABEL } from './metrics';

export const HEALTH_METRICS = {
  consecutiveFailedRuns: {
    name: 'vitrine_consecutive_failed_runs',
    description: 'Runs of the vitrine that failed since its last completed one',
  },
  openRunAge: { name: 'vitrine_open_run_age_seconds', description: 'Age of the vitrine run still open (0: none)' },
  oldestPageAge: {
    name: 'vitrine_oldest_unacknowledged_page_age_seconds',
    description: 'Age of the oldest queue page read from the platform and not yet acknowledged (0: none)',
  },
  skippedTicks: {
    name: 'vitrine_schedule_skipped_ticks',
    description: 'Scheduled ticks skipped so far because the vitrine run still open outlasted them (0: none)',
  },
  notificationsBlocked: {
    name: 'vitrine_notifications_blocked',
    description: 'Platform notifications (Atualização de Status) the platform refused, waiting for an operator',
  },
  oldestNotificationAge: {
    name: 'vitrine_oldest_due_notification_age_seconds',
    description: 'Age of the oldest platform notification not yet sent and not blocked (0: none)',
  },
  attention: { name: 'vitrine_needs_attention', description: '1 while the vitrine needs an operator, by kind of reason' },
} as const;

const KINDS: AttentionKind[] = [
  'runs-failing',
  'run-open-too-long',
  'schedule-out-of-sync',
  'notifications-blocked',
  'notifications-late',
  'hook-notifications-waiting',
];

export interface HealthMetricsOptions {
  db: Knex;
  meter: MetricMeter;
  intervalMs?: number;
  onError: (error: unknown) => void;
}

/** One reading of every vitrine's health into the gauges. */
export async function recordHealth(options: Pick<HealthMetricsOptions, 'db' | 'meter'>): Promise<number> {
  const { db, meter } = options;
  const vitrines = await listVitrines(db);
  const gauge = (metric: { name: string; description: string }) => meter.createGauge(metric.name, 'int', undefined, metric.description);
  const failed = gauge(HEALTH_METRICS.consecutiveFailedRuns);
  const openAge = gauge(HEALTH_METRICS.openRunAge);
  const pageAge = gauge(HEALTH_METRICS.oldestPageAge);
  const skipped = gauge(HEALTH_METRICS.skippedTicks);
  const notificationsBlocked = gauge(HEALTH_METRICS.notificationsBlocked);
  const notificationAge = gauge(HEALTH_METRICS.oldestNotificationAge);
  const attention = gauge(HEALTH_METRICS.attention);
  for (const h of await vitrineHealth(db, vitrines)) {
    const tags = { [VITRINE_LABEL]: h.code };
    failed.set(h.consecutiveFailedRuns, tags);
    openAge.set(h.openRun?.ageSeconds ?? 0, tags);
    pageAge.set(h.oldestUnacknowledgedPageSeconds ?? 0, tags);
    skipped.set(h.openRun ? Math.floor(h.openRun.ageSeconds / (h.intervalMinutes * 60)) : 0, tags);
    notificationsBlocked.set(h.notifications.blocked, tags);
    notificationAge.set(h.notifications.oldestDueSeconds ?? 0, tags);
    for (const kind of KINDS) attention.set(h.attention.some((a) => a.kind === kind) ? 1 : 0, { ...tags, kind });
  }
  return vitrines.length;
}

/** Reads the health now and every `intervalMs` (default a minute) until stopped. */
export function startHealthMetrics(options: HealthMetricsOptions): () => void {
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (stopped || running) return;
    running = recordHealth(options)
      .then(() => undefined, options.onError)
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 60_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
