/**
 * The "Importar Pedidos" switch and the import interval of a vitrine, as the CLI (`vitrine enable |
 * disable | interval`) and the backoffice change them: the vitrine row and its Temporal Schedule
 * together. Loads the Temporal client: import it lazily where start-up time matters (the CLI).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { NOTIFICATION_CHANNEL } from '../erp/store/notifications';
import { updateVitrineSettings } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import type { ChangeLog } from './audit';
import { upsertVitrineSchedule, type VitrineScheduleSettings } from '../scheduling/vitrineSchedules';

export type ImportSwitchPatch = Partial<Pick<VitrineRow, 'import_orders' | 'import_interval_minutes'>>;

export interface ScheduleDependencies {
  db: Knex;
  client: Client;
  taskQueue: string;
}

/** What the vitrine's schedule follows. */
export function scheduleSettingsOf(vitrine: VitrineRow): VitrineScheduleSettings {
  return { code: vitrine.code, importOrders: vitrine.import_orders, intervalMinutes: vitrine.import_interval_minutes };
}

/**
 * Changes the vitrine and its schedule together (started or resumed, paused, rescheduled): the
 * database change commits only if Temporal took it.
 */
export async function changeVitrineImport(
  deps: ScheduleDependencies,
  log: ChangeLog,
  vitrine: VitrineRow,
  patch: ImportSwitchPatch,
): Promise<VitrineRow> {
  return deps.db.transaction(async (trx) => {
    const updated = await updateVitrineSettings(trx, vitrine.id, patch);
    const action = patch.import_orders === undefined ? 'vitrine.interval' : patch.import_orders ? 'vitrine.enable' : 'vitrine.disable';
    log.record({
      vitrine,
      action,
      before: { importOrders: vitrine.import_orders, intervalMinutes: vitrine.import_interval_minutes },
      after: { importOrders: updated.import_orders, intervalMinutes: updated.import_interval_minutes },
    });
    await upsertVitrineSchedule(deps.client, deps.taskQueue, scheduleSettingsOf(updated));
    // Switched on: the platform notifications that waited go now (the workers' waker hears this on commit).
    if (patch.import_orders === true) await trx.raw('select pg_notify(?, ?)', [NOTIFICATION_CHANNEL, String(updated.id)]);
    return updated;
  });
}
