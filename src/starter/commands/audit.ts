/** `vitrine audit [--vitrine <code>] [--since <date>] [--limit N]`: who changed what, newest first. */
import type { Command } from 'commander';
import { auditFilterOf } from '../../admin/auditQuery';
import { readAuditLog } from '../../erp/store/auditLog';
import type { Register } from './vitrines';

export function registerAuditCommands(program: Command, register: Register): void {
  register(
    program
      .command('audit')
      .description('The audit trail: every change made from the CLI or the backoffice, newest first')
      .option('--vitrine <code>', "only this vitrine's")
      .option('--since <date>', 'from this date or time on (ISO 8601, e.g. 2026-12-01 or 2026-12-01T10:00:00Z)')
      .option('--limit <n>', 'at most this many rows (1-1000)', '50'),
    async (ctx, options) => {
      const filter = auditFilterOf({ vitrine: options.vitrine, since: options.since, limit: options.limit });
      const rows = await readAuditLog(ctx.db, filter);
      if (options.json) return ctx.out.json(rows);
      ctx.out.table(
        rows.map((row) => ({
          at: row.at.toISOString(),
          actor: `${row.actor} (${row.source})`,
          vitrine: row.vitrine_code ?? '',
          action: row.action,
          before: row.before === null ? '' : JSON.stringify(row.before),
          after: row.after === null ? '' : JSON.stringify(row.after),
        })),
        'no changes recorded',
      );
    },
  );
}
