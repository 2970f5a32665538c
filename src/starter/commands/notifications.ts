/** `vitrine notifications list | retry`: the Atualização de Status outbox, and blocked notifications sent again. */
import type { VitrineRow } from '../../erp/tables';
import type { Command } from 'commander';
import { z } from 'zod';
import { listLimitSchema } from '../../admin/inputs';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { listNotifications, notificationState, unblockNotifications, vitrineOfNotification } from '../../erp/store/notifications';
import { UsageError } from '../output';
import type { Register } from './vitrines';

const notificationIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive whole number (see: vitrine notifications list --blocked)')
  .transform(Number);

export function registerNotificationCommands(program: Command, register: Register): void {
  const notifications = program
    .command('notifications')
    .description('What the platform was told, or must still be told, of each order (Atualização de Status)');

  register(
    notifications
      .command('list')
      .description("Platform notifications, newest first: sent, pending, or blocked with the platform's reason")
      .option('--vitrine <code>', 'only this vitrine')
      .option('--blocked', 'only the blocked ones')
      .option('--limit <n>', 'at most this many', '100'),
    async (ctx, options) => {
      const vitrineId = options.vitrine ? (await ctx.vitrine(parseSetting(vitrineCodeSchema, options.vitrine, '--vitrine'))).id : undefined;
      const rows = await listNotifications(ctx.db, {
        vitrineId,
        blocked: options.blocked === true,
        limit: parseSetting(listLimitSchema, options.limit, '--limit'),
      });
      if (options.json) return ctx.out.json(rows);
      ctx.out.table(
        rows.map((n) => ({
          id: n.id,
          vitrine: n.vitrineCode,
          order: n.orderCode,
          action: n.action,
          invoice: n.invoiceNumber,
          state: n.state,
          attempts: n.attempts,
          queued: n.createdAt,
          sent: n.sentAt,
          reason: n.state === 'sent' ? null : n.lastError,
        })),
        options.blocked ? 'no blocked notifications' : 'no notifications',
      );
    },
  );

  register(
    notifications
      .command('retry [id]')
      .description('Send a blocked notification again, after its cause was fixed; --all: every blocked one (of --vitrine)')
      .option('--all', 'every blocked notification')
      .option('--vitrine <code>', 'with --all: only this vitrine'),
    async (ctx, idText: string | undefined, options) => {
      if ((idText === undefined) === (options.all !== true))
        throw new UsageError('give a notification id or --all (see: vitrine notifications list --blocked)');
      if (options.vitrine && !options.all) throw new UsageError('--vitrine goes with --all');
      let retried: number;
      let vitrine: Pick<VitrineRow, 'id' | 'code'> | null;
      if (idText !== undefined) {
        const id = parseSetting(notificationIdSchema, idText, 'notification id');
        const state = await notificationState(ctx.db, id);
        if (state === undefined) throw new UsageError(`notification ${id} does not exist (see: vitrine notifications list --blocked)`);
        if (state !== 'blocked') throw new UsageError(`notification ${id} is not blocked (it is ${state})`);
        retried = await unblockNotifications(ctx.db, { ids: [id] });
        vitrine = await vitrineOfNotification(ctx.db, id);
      } else {
        vitrine = options.vitrine ? await ctx.vitrine(parseSetting(vitrineCodeSchema, options.vitrine, '--vitrine')) : null;
        retried = await unblockNotifications(ctx.db, { vitrineId: vitrine?.id });
      }
      ctx.recordChange({
        vitrine,
        action: 'notifications.retry',
        before: idText !== undefined ? { notificationId: Number(idText) } : { all: true },
        after: { retried },
      });
      if (options.json) return ctx.out.json({ retried });
      ctx.out.line(retried ? `${retried} notification(s) sent again by the workers within seconds` : 'no blocked notifications');
    },
    { changes: true },
  );
}
