import type { Command } from 'commander';
import { marketplaceInputOf } from '../../admin/marketplaceInputs';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { countBlockedOrders } from '../../erp/store/blockedOrders';
import { deleteMarketplaceMapping, saveMarketplaceMapping } from '../../admin/dePara';
import { affiliateIdSchema, listMarketplaceMappings } from '../../erp/store/deparaTables';
import { UsageError } from '../output';
import { actionArgs } from './depara';
import type { Register } from './vitrines';

const MARKETPLACES_USAGE = {
  list: 'marketplaces <code> list',
  set: 'marketplaces <code> set <affiliate> <channel> [--prefix P] [--payment-type T --condition C]',
  remove: 'marketplaces <code> remove <affiliate>',
} as const;

/** DE-PARA de marketplaces: affiliates to the ERP's channels. */
export function registerMarketplaceCommands(program: Command, register: Register): void {
  register(
    program
      .command('marketplaces <code> <action> [args...]')
      .description('DE-PARA de marketplaces of a vitrine: list | set <affiliate> <channel> | remove <affiliate>')
      .option('--prefix <prefix>', "set: order code prefix of its orders instead of the vitrine's (e.g. MGZ)")
      .option(
        '--payment-type <type>',
        'set: ERP payment type of its orders, which the marketplace settles (see: vitrine payment-types list)',
      )
      .option('--condition <condition>', 'set: payment condition with --payment-type; {n} stands for the installments')
      .addHelpText(
        'after',
        `
<affiliate> is the marketplace's id on the platform (VTEX affiliateId, e.g. MGZ; for an order from
a VTEX marketplace, its account name), matched without regard to case. <channel> is the ERP's
origin for its orders ("origem do pedido"). An order from a marketplace with no row is blocked.
Without --payment-type, its payments go through the payment DE-PARA (vitrine payments).

  vitrine marketplaces loja-agro list
  vitrine marketplaces loja-agro set MGZ "Magazine Luiza" --prefix MGZ --payment-type OUTROS --condition "Marketplace"
  vitrine marketplaces loja-agro remove MGZ`,
      ),
    async (ctx, code: string, action: string, args: string[], options) => {
      const vitrineCode = parseSetting(vitrineCodeSchema, code, 'vitrine code');
      const which = actionArgs('marketplaces', MARKETPLACES_USAGE, action, args);
      const vitrine = await ctx.vitrine(vitrineCode);

      if (which === 'list') {
        const rows = await listMarketplaceMappings(ctx.db, vitrine.id);
        if (options.json) return ctx.out.json(rows);
        ctx.out.table(
          rows.map((row) => ({
            affiliate: row.affiliateId,
            channel: row.channel,
            prefix: row.orderCodePrefix ?? `${vitrine.order_code_prefix} (vitrine's)`,
            payment: row.paymentType ? `${row.paymentType} "${row.condition}"` : 'payment DE-PARA',
          })),
          `vitrine ${vitrine.code} has no marketplace rows: orders from marketplaces will be blocked (see: vitrine marketplaces ${vitrine.code} set)`,
        );
        return;
      }

      if (which === 'remove') {
        const affiliateId = parseSetting(affiliateIdSchema, args[0], 'affiliate id');
        const removed = await deleteMarketplaceMapping(ctx.db, ctx.changeLog, vitrine, affiliateId);
        if (removed === undefined) {
          throw new UsageError(
            `vitrine ${vitrine.code} has no marketplace row for ${affiliateId} (see: vitrine marketplaces ${vitrine.code} list)`,
          );
        }
        if (options.json) return ctx.out.json({ vitrine: vitrine.code, removed });
        ctx.out.line(`vitrine ${vitrine.code}: marketplace ${removed} removed; its new orders will be blocked`);
        return;
      }

      const input = await marketplaceInputOf(ctx.db, {
        affiliateId: args[0],
        channel: args[1],
        prefix: options.prefix,
        paymentType: options.paymentType,
        condition: options.condition,
      });
      const { row, created, previous } = await saveMarketplaceMapping(ctx.db, ctx.changeLog, vitrine, input);
      if (options.json) return ctx.out.json({ vitrine: vitrine.code, ...row, created, previous: previous ?? null });
      const payment = row.paymentType ? `, payment ${row.paymentType} "${row.condition}"` : '';
      const prefix = row.orderCodePrefix ? `, codes ${row.orderCodePrefix}-...` : '';
      ctx.out.line(
        `vitrine ${vitrine.code}: marketplace ${row.affiliateId} -> "${row.channel}"${prefix}${payment}${created ? ' (new row)' : ''}`,
      );
      const count = await countBlockedOrders(ctx.db, vitrine.id);
      if (count > 0)
        ctx.out.line(
          `${count} blocked order(s) of ${vitrine.code}; retry them with: vitrine blocked retry --all --vitrine ${vitrine.code}`,
        );
    },
    { changes: true, admin: true },
  );
}
