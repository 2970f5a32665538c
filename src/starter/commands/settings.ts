import type { Command } from 'commander';
import { z } from 'zod';
import { previewFieldDefaults, removeFieldDefault, saveFieldDefault } from '../../admin/fieldDefaults';
import { platformOrderIdSchema } from '../../admin/inputs';
import type { DefaultTarget } from '../../importing/rules/fieldDefaults';
import { addCarrier, listCarriers, listFieldDefaultRules } from '../../erp/store/fieldDefaultRules';
import { readLog } from '../../erp/store/integrationLog';
import { updateVitrineSettings } from '../../erp/store/vitrines';
import type { FieldDefaultRow, VitrineRow } from '../../erp/tables';
import {
  currencySchema,
  getOrderLimitSchema,
  logLevelSchema,
  onOffSchema,
  orderCodePrefixSchema,
  parseSetting,
  vitrineCodeSchema,
} from '../../admin/vitrineSettings';
import type { CliContext } from '../context';
import { UsageError } from '../output';
import type { Register } from './vitrines';

/** How each kind of default is named on the command line and in messages. */
const TARGETS: Record<DefaultTarget, { command: string; label: string; title: string }> = {
  customer: { command: 'customer-defaults', label: 'customer default', title: 'Campos Padrões de Cliente (columns of customers)' },
  order: {
    command: 'order-defaults',
    label: 'order default',
    title: 'Campos Padrões de Pedido (columns of sales_orders; carrier_code names a carrier)',
  },
};

const carrierCodeSchema = z
  .string()
  .max(40, 'must be at most 40 characters')
  .regex(/^[A-Z0-9]+(-[A-Z0-9]+)*$/, 'must be uppercase letters and digits, words joined by dashes (e.g. TRANSP01)');

const carrierNameSchema = z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters');

const logLimitSchema = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1000, 'must be at most 1000');

const logFilterSchema = z.enum(['error', 'warning', 'info'], { error: 'must be error, warning or info' });

const rulesOf = (rows: FieldDefaultRow[]) => rows.map((row) => ({ field: row.field, expression: row.expression }));

async function vitrineOf(ctx: CliContext, code: string): Promise<VitrineRow> {
  return ctx.vitrine(parseSetting(vitrineCodeSchema, code, 'vitrine code'));
}

/** What `vitrine settings` shows: the order settings, never the credentials. */
async function orderSettings(ctx: CliContext, vitrine: VitrineRow) {
  const [customerRules, orderRules] = await Promise.all([
    listFieldDefaultRules(ctx.db, vitrine.id, 'customer'),
    listFieldDefaultRules(ctx.db, vitrine.id, 'order'),
  ]);
  return {
    code: vitrine.code,
    name: vitrine.name,
    orderCodePrefix: vitrine.order_code_prefix,
    keepCustomerIdentity: vitrine.keep_customer_identity,
    logLevel: vitrine.log_level,
    currency: vitrine.currency,
    getOrderLimitPerMinute: vitrine.get_order_limit_per_minute,
    requireDocument: vitrine.require_document,
    customerDefaults: rulesOf(customerRules),
    orderDefaults: rulesOf(orderRules),
  };
}

/**
 * `vitrine <customer|order>-defaults <code> list | set <field> <expression> | remove <field> |
 * preview --order <id>`: one implementation for both targets.
 */
function registerDefaultsCommand(program: Command, register: Register, target: DefaultTarget): void {
  const { command, label, title } = TARGETS[target];
  const usage = `use: vitrine ${command} <code> list | set <field> <expression> | remove <field> | preview --order <platform order id>`;
  register(
    program
      .command(`${command} <code> <action> [args...]`)
      .description(`${title} of a vitrine: list | set <field> <expression> | remove <field> | preview --order <id>`)
      .option('--order <id>', 'preview: the platform order to compute the values for')
      .addHelpText(
        'after',
        `\nThe expression is JSONata over { order, customer, vitrine }, checked on a sample order before it is saved.\n` +
          `Examples:\n  vitrine ${command} loja-agro ${target === 'customer' ? `set produtor_rural true\n  vitrine ${command} loja-agro set tipo_pessoa 'customer.isCorporate ? "J" : "F"'` : `set carrier_code '"TRANSP01"'`}\n` +
          `An expression that starts with "-" goes after "--": vitrine ${command} <code> set <field> -- <expression>`,
      ),
    async (ctx, code: string, action: string, args: string[], options) => {
      const arity = (count: number, form: string) => {
        if (args.length !== count) throw new UsageError(`${action} takes ${form}${count === 2 ? ' (quote the expression)' : ''}; ${usage}`);
      };
      if (options.order !== undefined && action !== 'preview') throw new UsageError(`--order is for preview only; ${usage}`);
      switch (action) {
        case 'list': {
          arity(0, 'no arguments');
          const vitrine = await vitrineOf(ctx, code);
          const rules = rulesOf(await listFieldDefaultRules(ctx.db, vitrine.id, target));
          if (options.json) return ctx.out.json(rules);
          return ctx.out.table(
            rules,
            `vitrine ${vitrine.code} has no ${label}s (see: vitrine ${command} ${vitrine.code} set <field> <expression>)`,
          );
        }
        case 'set': {
          arity(2, '<field> <expression>');
          const [field, expression] = args;
          const vitrine = await vitrineOf(ctx, code);
          // Refuses (FieldDefaultError, one line) a field that is not a writable column, bad
          // syntax, and a value that does not fit the column on the sample order.
          const saved = await saveFieldDefault(ctx.db, ctx.changeLog, vitrine, { target, field, expression });
          if (options.json) return ctx.out.json({ field: saved.field, expression: saved.expression });
          return ctx.out.line(`vitrine ${vitrine.code}: ${label} ${saved.field} = ${saved.expression}`);
        }
        case 'remove': {
          arity(1, '<field>');
          const [field] = args;
          const vitrine = await vitrineOf(ctx, code);
          if (!(await removeFieldDefault(ctx.db, ctx.changeLog, vitrine, { target, field }))) {
            throw new UsageError(
              `vitrine ${vitrine.code} has no ${label} for ${JSON.stringify(field.slice(0, 80))} (see: vitrine ${command} ${vitrine.code} list)`,
            );
          }
          if (options.json) return ctx.out.json({ removed: field });
          return ctx.out.line(`vitrine ${vitrine.code}: ${label} ${field} removed`);
        }
        case 'preview': {
          arity(0, 'no arguments but --order <platform order id>');
          if (options.order === undefined) throw new UsageError(`preview needs --order <platform order id>; ${usage}`);
          const orderId = parseSetting(platformOrderIdSchema, options.order, '--order');
          const vitrine = await vitrineOf(ctx, code);
          const evaluated = await previewFieldDefaults({ db: ctx.db }, vitrine, target, orderId);
          const values = Object.fromEntries(evaluated.map((rule) => [rule.field, rule.value]));
          if (options.json) return ctx.out.json(values);
          if (evaluated.length === 0) return ctx.out.line(`order ${orderId}: vitrine ${vitrine.code}'s ${label}s write nothing`);
          return ctx.out.fields(values);
        }
        default:
          throw new UsageError(`unknown action ${JSON.stringify(action.slice(0, 40))}; ${usage}`);
      }
    },
    { changes: true, admin: true },
  );
}

/** Vitrine order settings: default fields, order code prefix, customer identity, integration log. */
export function registerSettingsCommands(program: Command, register: Register): void {
  registerDefaultsCommand(program, register, 'customer');
  registerDefaultsCommand(program, register, 'order');

  const carriers = program.command('carriers').description('Transportadoras, named by order defaults (carrier_code)');
  register(carriers.command('list').description('List the carriers'), async (ctx, options) => {
    const rows = (await listCarriers(ctx.db)).map((row) => ({ code: row.code, name: row.name }));
    if (options.json) return ctx.out.json(rows);
    ctx.out.table(rows, 'no carriers yet (see: vitrine carriers add <code> <name>)');
  });
  register(
    carriers.command('add <code> <name>').description('Add a carrier, e.g. vitrine carriers add TRANSP01 "Transportadora Um"'),
    async (ctx, code: string, name: string, options) => {
      const carrier = {
        code: parseSetting(carrierCodeSchema, code, 'carrier code'),
        name: parseSetting(carrierNameSchema, name, 'carrier name'),
      };
      const added = await addCarrier(ctx.db, carrier);
      if (!added) throw new UsageError(`carrier ${carrier.code} already exists (see: vitrine carriers list)`);
      ctx.recordChange({ action: 'carrier.add', after: { code: added.code, name: added.name } });
      if (options.json) return ctx.out.json({ code: added.code, name: added.name });
      ctx.out.line(`carrier ${added.code} added`);
    },
    { changes: true, admin: true },
  );

  register(
    program
      .command('settings <code>')
      .description('Show the order settings of a vitrine, or change them with the options')
      .option('--prefix <prefix>', 'order code prefix: order codes are <prefix>-<platform order number>')
      .option(
        '--keep-customer-identity <on|off>',
        'Não atualiza dados do cliente: imports keep the name, RG and state registration of existing customers',
      )
      .option('--log-level <level>', 'integration log level: errors (the default) or all')
      .option('--currency <code>', 'currency of orders whose document does not say (ISO 4217; default BRL)')
      .option('--get-order-limit <per minute>', "the platform's Get order limit for the account (VTEX: 6000); imports use 95% of it")
      .option(
        '--require-document [on|off]',
        'block orders whose customer has no valid CPF/CNPJ (off, the default: they import without one, with a warning)',
      )
      .option('--no-require-document', 'the same as --require-document off'),
    async (ctx, code: string, options) => {
      const patch: Parameters<typeof updateVitrineSettings>[2] = {};
      // Every option is checked before anything is saved.
      if (options.prefix !== undefined) patch.order_code_prefix = parseSetting(orderCodePrefixSchema, options.prefix, '--prefix');
      if (options.keepCustomerIdentity !== undefined) {
        patch.keep_customer_identity = parseSetting(onOffSchema, options.keepCustomerIdentity, '--keep-customer-identity');
      }
      if (options.logLevel !== undefined) patch.log_level = parseSetting(logLevelSchema, options.logLevel, '--log-level');
      if (options.currency !== undefined) patch.currency = parseSetting(currencySchema, options.currency, '--currency');
      if (options.getOrderLimit !== undefined) {
        patch.get_order_limit_per_minute = parseSetting(getOrderLimitSchema, options.getOrderLimit, '--get-order-limit');
      }
      if (options.requireDocument !== undefined) {
        patch.require_document =
          typeof options.requireDocument === 'boolean'
            ? options.requireDocument
            : parseSetting(onOffSchema, options.requireDocument, '--require-document');
      }
      let vitrine = await vitrineOf(ctx, code);
      const changed = Object.keys(patch).length > 0;
      if (changed) {
        const before = vitrine;
        vitrine = await updateVitrineSettings(ctx.db, vitrine.id, patch);
        ctx.recordChange({
          vitrine,
          action: 'vitrine.settings',
          before: Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as keyof VitrineRow]])),
          after: patch,
        });
      }
      const settings = await orderSettings(ctx, vitrine);
      if (options.json) return ctx.out.json(settings);
      if (changed) ctx.out.line(`vitrine ${vitrine.code}: settings saved\n`);
      ctx.out.fields({
        code: settings.code,
        name: settings.name,
        'order code prefix': settings.orderCodePrefix,
        'keep customer identity': settings.keepCustomerIdentity ? 'on' : 'off',
        'log level': settings.logLevel,
        currency: settings.currency,
        'get order limit': `${settings.getOrderLimitPerMinute} a minute (imports use 95%)`,
        'require document': settings.requireDocument ? 'on (orders without a valid CPF/CNPJ are blocked)' : 'off',
      });
      ctx.out.line('\ncustomer defaults');
      ctx.out.table(settings.customerDefaults);
      ctx.out.line('\norder defaults');
      ctx.out.table(settings.orderDefaults);
    },
    { changes: true, admin: true },
  );

  register(
    program
      .command('log <code>')
      .description("The vitrine's integration log, newest first")
      .option('--level <level>', 'only error, warning or info entries')
      .option('--limit <n>', 'at most this many entries', '50'),
    async (ctx, code: string, options) => {
      const level = options.level === undefined ? undefined : parseSetting(logFilterSchema, options.level, '--level');
      const limit = parseSetting(logLimitSchema, options.limit, '--limit');
      const vitrine = await vitrineOf(ctx, code);
      const entries = await readLog(ctx.db, vitrine.id, { level, limit });
      if (options.json) return ctx.out.json(entries);
      ctx.out.table(
        entries.map((entry: { at: Date; level: string; orderId: string | null; message: string }) => ({
          at: entry.at,
          level: entry.level,
          order: entry.orderId,
          message: entry.message,
        })),
        `nothing logged for vitrine ${vitrine.code} yet (log level: ${vitrine.log_level})`,
      );
    },
  );
}
