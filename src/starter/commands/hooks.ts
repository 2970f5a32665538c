/** `vitrine hook <code> enable --url <base> | disable | show`: the platform's orders hook of a vitrine (push mode). */
import type { Command } from 'commander';
import { disableHook, enableHook, hookAccountSchema, hookBaseUrlSchema, hookStatus, withoutSecrets } from '../../admin/vitrineHooks';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { statusMappingsOf } from '../../erp/store/deparaTables';
import { connectorFor } from '../../platform/connectors';
import type { CliContext } from '../context';
import { UsageError } from '../output';
import { askPlatform } from './feed';
import type { Register } from './vitrines';

/** A hook for the audit trail: where the platform calls and for what (its secret is never kept). */
const hookSummary = (hook: { url: string; account: string; states: string[] } | null) =>
  hook ? { url: hook.url, account: hook.account, states: hook.states } : null;

export function registerHookCommands(program: Command, register: Register): void {
  register(
    program
      .command('hook <code> <action>')
      .description(
        "The platform's orders hook of the vitrine (push mode): enable it (the platform calls the hook receiver on every state change the status DE-PARA maps), disable it, or show it",
      )
      .option('--url <base url>', "the hook receiver's public base URL, as the platform reaches it (enable), e.g. https://erp.example.com")
      .option('--account <name>', "the platform account the notifications come from (enable; default: read from the vitrine's API root)"),
    async (ctx: CliContext, code: string, action: string, options) => {
      const vitrine = await ctx.vitrine(parseSetting(vitrineCodeSchema, code, 'vitrine code'));
      const connector = connectorFor(vitrine);
      if (action === 'enable') {
        if (options.url === undefined) throw new UsageError('enable needs --url <the hook receiver public base URL>');
        const baseUrl = parseSetting(hookBaseUrlSchema, options.url, '--url');
        const account = options.account === undefined ? undefined : parseSetting(hookAccountSchema, options.account, '--account');
        const mappings = await statusMappingsOf(ctx.db, vitrine.id);
        const before = await hookStatus(ctx.db, vitrine.id);
        const hook = await askPlatform(vitrine.code, () => enableHook(ctx.db, connector, vitrine, mappings, { baseUrl, account }));
        // Not in one transaction with the change: the platform pings the receiver, which reads the
        // hook row, before the command ends. The trail gets it once the platform took it.
        ctx.recordChange({ vitrine, action: 'hook.enable', before: hookSummary(before.erp), after: hookSummary(hook) });
        await ctx.writeChangesNow();
        if (options.json) return ctx.out.json({ vitrineCode: vitrine.code, enabled: true, ...hook });
        ctx.out.line(
          `vitrine ${vitrine.code}: hook enabled, the platform calls ${hook.url} for ${hook.states.length} states (account ${hook.account})`,
        );
        return;
      }
      if (action === 'disable') {
        const before = await hookStatus(ctx.db, vitrine.id);
        const { removed } = await askPlatform(vitrine.code, () => disableHook(ctx.db, connector, vitrine));
        if (removed) ctx.recordChange({ vitrine, action: 'hook.disable', before: hookSummary(before.erp), after: null });
        await ctx.writeChangesNow();
        if (options.json) return ctx.out.json({ vitrineCode: vitrine.code, enabled: false, removed });
        ctx.out.line(`vitrine ${vitrine.code}: hook disabled${removed ? '' : ' (it was not enabled)'}; the scheduled runs go on`);
        return;
      }
      if (action !== 'show') throw new UsageError(`unknown hook action ${JSON.stringify(action.slice(0, 40))}: enable, disable or show`);
      const status = await hookStatus(ctx.db, vitrine.id);
      const platform = withoutSecrets(await askPlatform(vitrine.code, () => connector.getHookConfig()));
      // The platform calling another URL than the ERP set (changed by hand) is worth an exit code.
      const mismatch = status.erp !== null && (platform === null || platform.url !== status.erp.url);
      if (mismatch) ctx.exitCode = 3;
      if (options.json) return ctx.out.json({ vitrineCode: vitrine.code, ...status, platform, mismatch });
      ctx.out.fields({
        vitrine: vitrine.code,
        hook: status.erp ? 'enabled' : 'not enabled',
        url: status.erp?.url ?? null,
        account: status.erp?.account ?? null,
        states: status.erp ? status.erp.states.join(', ') : null,
        'enabled at': status.erp?.enabledAt.toISOString() ?? null,
        'last notification': status.erp?.lastNotificationAt?.toISOString() ?? 'none yet',
        notifications: status.erp?.notifications ?? 0,
        waiting: status.waiting,
        platform: platform ? `calls ${platform.url} for ${platform.states.length} states` : 'no hook configuration',
        ...(mismatch
          ? { attention: 'the platform does not call the URL the ERP enabled: vitrine hook ' + vitrine.code + ' enable --url ...' }
          : {}),
      });
    },
    { admin: true },
  );
}
