import type { Command } from 'commander';
import type { ImportSwitchPatch } from '../../admin/vitrineImport';
import { addVitrine, findVitrineByCode, listVitrines } from '../../erp/store/vitrines';
import type { VitrineRow } from '../../erp/tables';
import { intervalMinutesSchema, newVitrineSchema, parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { readSecretKeys, sealSecret } from '../../shared/secrets';
import type { CliContext } from '../context';
import { describeSealedSecret, UsageError } from '../output';

// The Temporal client takes a good part of a second to load: only commands that use it load it.
const schedules = () => import('../../scheduling/vitrineSchedules');
const vitrineImport = () => import('../../admin/vitrineImport');

// Commander hands an action its arguments and options untyped; each action names what it takes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Action = (ctx: CliContext, ...args: any[]) => Promise<void>;
/**
 * changes: the command runs in one transaction with its audit entries; admin: with `--as <email>`,
 * only an admin user may run it (the OS user, without --as, is trusted as the database is).
 */
export type Register = (command: Command, action: Action, options?: { changes?: boolean; admin?: boolean }) => Command;

/** What the CLI shows of a vitrine: never its token. */
export function publicVitrine(vitrine: VitrineRow) {
  return {
    code: vitrine.code,
    name: vitrine.name,
    platform: vitrine.platform,
    baseUrl: vitrine.base_url,
    appKey: vitrine.app_key,
    appToken: describeSealedSecret(vitrine.app_token_encrypted),
    importOrders: vitrine.import_orders,
    intervalMinutes: vitrine.import_interval_minutes,
    orderCodePrefix: vitrine.order_code_prefix,
  };
}

const ADD_FLAGS = {
  code: '--code',
  name: '--name',
  platform: '--platform',
  baseUrl: '--base-url',
  appKey: '--app-key',
  appToken: '--app-token',
  orderCodePrefix: '--prefix',
  importIntervalMinutes: '--interval',
};

/** Changes the vitrine and its schedule together (as the backoffice does): the database change commits only if Temporal took it. */
async function changeVitrine(ctx: CliContext, code: string, patch: ImportSwitchPatch): Promise<VitrineRow> {
  const vitrine = await ctx.vitrine(code);
  const client = await ctx.client();
  return (await vitrineImport()).changeVitrineImport(
    { db: ctx.db, client, taskQueue: ctx.config.taskQueue },
    ctx.changeLog,
    vitrine,
    patch,
  );
}

async function scheduleSettings(vitrine: VitrineRow) {
  return (await vitrineImport()).scheduleSettingsOf(vitrine);
}

export function registerVitrineCommands(program: Command, register: Register): void {
  register(
    program
      .command('add')
      .description('Add a vitrine (switched off; see: vitrine enable)')
      .requiredOption('--code <code>', 'short code, e.g. loja-agro')
      .requiredOption('--name <name>', 'display name')
      .requiredOption('--platform <platform>', 'e-commerce platform: vtex')
      .requiredOption('--base-url <url>', 'platform account API root')
      .requiredOption('--app-key <key>', 'platform app key')
      .requiredOption('--app-token <token>', 'platform app token (stored, never printed)')
      .option('--prefix <prefix>', 'order code prefix', 'VT')
      .option('--interval <minutes>', 'import interval in minutes', '15'),
    async (ctx, options) => {
      const input = parseSetting(
        newVitrineSchema,
        {
          code: options.code,
          name: options.name,
          platform: options.platform,
          baseUrl: options.baseUrl,
          appKey: options.appKey,
          appToken: options.appToken,
          orderCodePrefix: options.prefix,
          importIntervalMinutes: options.interval,
        },
        'vitrine',
        ADD_FLAGS,
      );
      if (await findVitrineByCode(ctx.db, input.code)) throw new UsageError(`vitrine ${input.code} already exists`);
      // Sealed before anything is written: no key, one line and nothing added.
      const { appToken, ...fields } = input;
      const sealed = { ...fields, appTokenEncrypted: sealSecret(appToken, readSecretKeys(ctx.env)) };
      const client = await ctx.client();
      const vitrine = await ctx.db.transaction(async (trx) => {
        const created = await addVitrine(trx, sealed);
        await (await schedules()).upsertVitrineSchedule(client, ctx.config.taskQueue, await scheduleSettings(created));
        return created;
      });
      ctx.recordChange({ vitrine, action: 'vitrine.add', after: publicVitrine(vitrine) });
      if (options.json) ctx.out.json(publicVitrine(vitrine));
      else ctx.out.line(`vitrine ${vitrine.code} added; Importar Pedidos is off (vitrine enable ${vitrine.code} to start)`);
    },
    { changes: true, admin: true },
  );

  register(program.command('list').description('List the vitrines'), async (ctx, options) => {
    const vitrines = (await listVitrines(ctx.db)).map(publicVitrine);
    if (options.json) ctx.out.json(vitrines);
    else
      ctx.out.table(
        vitrines.map(({ appKey: _k, appToken: _t, ...row }) => row),
        'no vitrines yet (see: vitrine add)',
      );
  });

  register(
    program
      .command('enable <code>')
      .description('Switch "Importar Pedidos" on (resumes the schedule); says when the platform has no feed configuration')
      .option('--configure-feed', "configure the platform's feed for the states the status DE-PARA maps"),
    async (ctx, code: string, options) => {
      const vitrine = await changeVitrine(ctx, parseSetting(vitrineCodeSchema, code, 'vitrine code'), { import_orders: true });
      const feed = await (await import('./feedCheck')).checkFeedOnEnable(ctx, vitrine, options.configureFeed === true);
      if (options.json) return ctx.out.json({ ...publicVitrine(vitrine), feed });
      ctx.out.line(`vitrine ${vitrine.code}: Importar Pedidos on, every ${vitrine.import_interval_minutes} min`);
      if (feed.message) ctx.out.line(feed.message);
    },
    { changes: true, admin: true },
  );

  register(
    program.command('disable <code>').description('Switch "Importar Pedidos" off (pauses the schedule; platform notifications wait)'),
    async (ctx, code: string, options) => {
      const vitrine = await changeVitrine(ctx, parseSetting(vitrineCodeSchema, code, 'vitrine code'), { import_orders: false });
      if (options.json) ctx.out.json(publicVitrine(vitrine));
      else ctx.out.line(`vitrine ${vitrine.code}: Importar Pedidos off, every ${vitrine.import_interval_minutes} min`);
    },
    { changes: true, admin: true },
  );

  register(
    program.command('interval <code> <minutes>').description('Change how often the vitrine imports (reschedules it)'),
    async (ctx, code: string, minutes: string, options) => {
      const interval = parseSetting(intervalMinutesSchema, minutes, 'interval');
      const vitrine = await changeVitrine(ctx, parseSetting(vitrineCodeSchema, code, 'vitrine code'), {
        import_interval_minutes: interval,
      });
      if (options.json) ctx.out.json(publicVitrine(vitrine));
      else ctx.out.line(`vitrine ${vitrine.code}: imports every ${interval} min`);
    },
    { changes: true, admin: true },
  );

  register(
    program
      .command('run <code>')
      .description('Start an import run of the vitrine now')
      .option('--wait', 'wait for the run to finish and print its summary'),
    async (ctx, code: string, options) =>
      (await import('./run')).runVitrine(ctx, parseSetting(vitrineCodeSchema, code, 'vitrine code'), options),
  );

  register(
    program
      .command('status [code]')
      .description('Switch, schedule, runs and what needs attention of a vitrine; --all: every vitrine that needs attention (exit 3)')
      .option('--all', 'every vitrine that needs attention, with the reason; exit code 3 when one does'),
    async (ctx, code: string | undefined, options) => {
      const status = await import('./status');
      if (options.all && code !== undefined) throw new UsageError('give a vitrine code or --all, not both');
      if (options.all) return status.showAttention(ctx, options);
      if (code === undefined) throw new UsageError('give a vitrine code, or --all for every vitrine that needs attention');
      return status.showVitrineStatus(ctx, code, options);
    },
  );

  register(
    program.command('sync-schedules').description('Re-create or fix every vitrine schedule from the database'),
    async (ctx, options) => {
      const client = await ctx.client();
      const vitrines = await listVitrines(ctx.db);
      for (const vitrine of vitrines)
        await (await schedules()).upsertVitrineSchedule(client, ctx.config.taskQueue, await scheduleSettings(vitrine));
      ctx.recordChange({ action: 'schedules.sync', after: { vitrines: vitrines.length } });
      if (options.json) ctx.out.json({ synced: vitrines.map((v) => v.code) });
      else ctx.out.line(`${vitrines.length} schedule(s) in line with the vitrines`);
    },
    { changes: true, admin: true },
  );
}
