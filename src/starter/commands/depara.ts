import type { Command } from 'commander';
import {
  erpStatusSchema,
  listPaymentMappings,
  listPaymentTypes,
  listStatusMappings,
  paymentConditionSchema,
  platformPaymentSchema,
  platformStateSchema,
} from '../../erp/store/deparaTables';
import { countBlockedOrders } from '../../erp/store/blockedOrders';
import { DEFAULT_PAYMENT_KEY } from '../../importing/rules/payments';
import { ERP_STATUSES, platformActionFor } from '../../importing/rules/statuses';
import { deletePaymentMapping, savePaymentMapping, saveStatusMapping } from '../../admin/dePara';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { UsageError } from '../output';
import type { Register } from './vitrines';

const PAYMENTS_USAGE = {
  list: 'payments <code> list',
  set: 'payments <code> set <platform payment> <erp type> <condition>',
  remove: 'payments <code> remove <platform payment>',
} as const;

const STATUSES_USAGE = {
  list: 'statuses <code> list',
  set: 'statuses <code> set <erp status> <platform state>',
} as const;

/** The action's arguments, exactly as many as its usage names; otherwise a one-line usage error. */
export function actionArgs<U extends Record<string, string>>(command: string, usage: U, action: string, args: string[]): keyof U {
  if (!Object.hasOwn(usage, action)) {
    const actions = Object.keys(usage);
    throw new UsageError(
      `unknown ${command} action ${JSON.stringify(action.slice(0, 40))} (expected ${actions.slice(0, -1).join(', ')} or ${actions.at(-1)})`,
    );
  }
  const expected = (usage[action].match(/<[^>]+>/g) ?? []).length - 1;
  if (args.length !== expected) {
    const hint = args.length > expected && expected > 0 ? ' (quote values that have spaces)' : '';
    throw new UsageError(`usage: vitrine ${usage[action]}${hint}`);
  }
  return action;
}

/** DE-PARA tables: payment types and statuses. */
export function registerDeParaCommands(program: Command, register: Register): void {
  const paymentTypes = program.command('payment-types').description("The ERP's payment types, targets of the payment DE-PARA");
  register(paymentTypes.command('list').description("List the ERP's payment types"), async (ctx, options) => {
    const types = (await listPaymentTypes(ctx.db)).map(({ code, name }) => ({ code, name }));
    if (options.json) return ctx.out.json(types);
    ctx.out.table(types, 'no payment types');
  });

  register(
    program
      .command('payments <code> <action> [args...]')
      .description(
        'DE-PARA de tipos de pagamento of a vitrine: list | set <platform payment> <erp type> <condition> | remove <platform payment>',
      )
      .addHelpText(
        'after',
        `
<platform payment> is the payment system id or name the platform sends (VTEX "2" or "Visa"),
matched without regard to case, or "*" for the vitrine's default row (used for any payment with
no row of its own). <erp type> is an ERP payment type code (see: vitrine payment-types list).
In <condition>, {n} stands for the installments, e.g. "Cartão {n}x".

  vitrine payments loja-agro list
  vitrine payments loja-agro set "Crediário Loja" OUTROS "Crediário {n}x"
  vitrine payments loja-agro set "*" OUTROS "A combinar"
  vitrine payments loja-agro remove "*"`,
      ),
    async (ctx, code: string, action: string, args: string[], options) => {
      const vitrineCode = parseSetting(vitrineCodeSchema, code, 'vitrine code');
      const which = actionArgs('payments', PAYMENTS_USAGE, action, args);

      if (which === 'list') {
        const vitrine = await ctx.vitrine(vitrineCode);
        const rows = await listPaymentMappings(ctx.db, vitrine.id);
        if (options.json) return ctx.out.json(rows);
        ctx.out.table(
          rows.map((row) => ({
            'platform payment': row.platformPayment === DEFAULT_PAYMENT_KEY ? '* (default)' : row.platformPayment,
            'erp type': row.paymentType,
            'type name': row.paymentTypeName,
            condition: row.condition,
          })),
          `vitrine ${vitrine.code} has no payment DE-PARA rows: every order will be blocked (see: vitrine payments ${vitrine.code} set)`,
        );
        return;
      }

      const platformPayment = parseSetting(platformPaymentSchema, args[0], 'platform payment');
      if (which === 'remove') {
        const vitrine = await ctx.vitrine(vitrineCode);
        const removed = await deletePaymentMapping(ctx.db, ctx.changeLog, vitrine, platformPayment);
        if (removed === undefined) {
          throw new UsageError(
            `vitrine ${vitrine.code} has no payment DE-PARA row for ${JSON.stringify(platformPayment)} (see: vitrine payments ${vitrine.code} list)`,
          );
        }
        if (options.json) return ctx.out.json({ vitrine: vitrine.code, removed });
        ctx.out.line(
          removed === DEFAULT_PAYMENT_KEY
            ? `vitrine ${vitrine.code}: default payment row removed; orders with an unmapped payment will be blocked`
            : `vitrine ${vitrine.code}: payment ${JSON.stringify(removed)} removed from the DE-PARA`,
        );
        return;
      }

      const typeCode = args[1];
      const condition = parseSetting(paymentConditionSchema, args[2], 'condition');
      const vitrine = await ctx.vitrine(vitrineCode);
      const { mapping, created, previous } = await savePaymentMapping(
        ctx.db,
        ctx.changeLog,
        vitrine,
        { platformPayment, paymentType: typeCode, condition },
        '; see: vitrine payment-types list',
      );
      if (options.json) return ctx.out.json({ vitrine: vitrine.code, ...mapping, created, previous: previous ?? null });
      const was = previous ? ` (was ${previous.paymentType} "${previous.condition}")` : '';
      ctx.out.line(`vitrine ${vitrine.code}: payment ${JSON.stringify(platformPayment)} -> ${mapping.paymentType} "${condition}"${was}`);
      const count = await countBlockedOrders(ctx.db, vitrine.id);
      if (count > 0)
        ctx.out.line(
          `${count} blocked order(s) of ${vitrine.code}; retry them with: vitrine blocked retry --all --vitrine ${vitrine.code}`,
        );
    },
    { changes: true, admin: true },
  );

  register(
    program
      .command('statuses <code> <action> [args...]')
      .description('DE-PARA de status of a vitrine: list | set <erp status> <platform state>')
      .addHelpText(
        'after',
        `
<erp status> is one of: ${ERP_STATUSES.join(', ')} (case and accents optional).
<platform state> is a platform order state, e.g. ready-for-handling. An order in that state is
imported, or updated, with that ERP status. The ERP status of platform state "handling" is the one
that, set in the ERP (vitrine orders set-status), tells the platform (VTEX start-handling).

  vitrine statuses loja-agro list
  vitrine statuses loja-agro set Problemas ready-for-handling`,
      ),
    async (ctx, code: string, action: string, args: string[], options) => {
      const vitrineCode = parseSetting(vitrineCodeSchema, code, 'vitrine code');
      const which = actionArgs('statuses', STATUSES_USAGE, action, args);

      if (which === 'list') {
        const vitrine = await ctx.vitrine(vitrineCode);
        const rows = await listStatusMappings(ctx.db, vitrine.id);
        if (options.json) return ctx.out.json(rows);
        ctx.out.table(
          rows.map((row) => ({ 'platform state': row.platformState, 'erp status': row.erpStatus })),
          `vitrine ${vitrine.code} has no status DE-PARA rows: every order will be blocked`,
        );
        const mappings = new Map(rows.map((row) => [row.platformState, row.erpStatus]));
        const announced = ERP_STATUSES.find((status) => platformActionFor(mappings, status));
        ctx.out.line(
          announced
            ? `\nERP to platform: an order set to "${announced}" in the ERP is announced to the platform (start-handling), once`
            : '\nERP to platform: nothing is announced (no ERP status is mapped from platform state handling)',
        );
        return;
      }

      const status = parseSetting(erpStatusSchema, args[0], 'ERP status');
      const platformState = parseSetting(platformStateSchema, args[1], 'platform state');
      const vitrine = await ctx.vitrine(vitrineCode);
      const { previous } = await saveStatusMapping(ctx.db, ctx.changeLog, vitrine, platformState, status);
      if (options.json) return ctx.out.json({ vitrine: vitrine.code, platformState, erpStatus: status, previous: previous ?? null });
      const was = previous === undefined ? ' (new row)' : previous === status ? ' (unchanged)' : ` (was ${previous})`;
      ctx.out.line(`vitrine ${vitrine.code}: platform state ${platformState} -> ${status}${was}`);
    },
    { changes: true, admin: true },
  );
}
