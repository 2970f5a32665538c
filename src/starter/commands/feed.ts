/** `vitrine feed <code> show | configure`: the platform's feed configuration of a vitrine. */
import type { Command } from 'commander';
import { z } from 'zod';
import { configureFeed, MAX_RETENTION_SECONDS, missingFeedStates } from '../../admin/feedConfig';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { statusMappingsOf } from '../../erp/store/deparaTables';
import { connectorFor } from '../../platform/connectors';
import { PlatformError } from '../../platform/types';
import type { CliContext } from '../context';
import { UsageError } from '../output';
import type { Register } from './vitrines';

const secondsSchema = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** A platform that cannot be asked is one line, not a stack trace. */
export async function askPlatform<T>(code: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof PlatformError)
      throw new UsageError(`the platform of vitrine ${code} did not answer as expected: ${error.message}`);
    throw error;
  }
}

export function registerFeedCommands(program: Command, register: Register): void {
  register(
    program
      .command('feed <code> <action>')
      .description("The platform's feed configuration of the vitrine: show, or configure it for the states its status DE-PARA maps")
      .option('--visibility-timeout <seconds>', 'how long a read item stays hidden (configure; default 240)')
      .option('--retention <seconds>', 'how long the platform keeps an event (configure; default 345600, 4 days)'),
    async (ctx: CliContext, code: string, action: string, options) => {
      const vitrine = await ctx.vitrine(parseSetting(vitrineCodeSchema, code, 'vitrine code'));
      if (action !== 'show' && action !== 'configure')
        throw new UsageError(`unknown feed action ${JSON.stringify(action.slice(0, 40))}: show or configure`);
      const connector = connectorFor(vitrine);
      const mappings = await statusMappingsOf(ctx.db, vitrine.id);
      if (action === 'configure') {
        const queue = {
          visibilityTimeoutSeconds:
            options.visibilityTimeout === undefined
              ? undefined
              : parseSetting(secondsSchema(0, 43_200), options.visibilityTimeout, '--visibility-timeout'),
          retentionSeconds:
            options.retention === undefined
              ? undefined
              : parseSetting(secondsSchema(60, MAX_RETENTION_SECONDS), options.retention, '--retention'),
        };
        const config = await askPlatform(vitrine.code, () => configureFeed(connector, mappings, queue));
        // The platform took it: in the trail now (nothing of the ERP's database changed).
        ctx.recordChange({ vitrine, action: 'feed.configure', after: config });
        await ctx.writeChangesNow();
        if (options.json) return ctx.out.json({ vitrineCode: vitrine.code, configured: true, ...config });
        ctx.out.line(
          `vitrine ${vitrine.code}: feed configured for ${config.states.length} states, visibility ${config.visibilityTimeoutSeconds} s, retention ${config.retentionSeconds} s`,
        );
        return;
      }
      const config = await askPlatform(vitrine.code, () => connector.getFeedConfig());
      const missing = missingFeedStates(config, mappings);
      if (options.json)
        return ctx.out.json({ vitrineCode: vitrine.code, configured: config !== null, ...(config ?? {}), missingStates: missing });
      if (!config) {
        ctx.out.line(
          `vitrine ${vitrine.code}: the platform has no feed configuration; no order reaches the queue (vitrine feed ${vitrine.code} configure)`,
        );
        ctx.exitCode = 3;
        return;
      }
      ctx.out.fields({
        vitrine: vitrine.code,
        states: config.states.length ? config.states.join(', ') : 'every change (no state filter)',
        'visibility timeout': `${config.visibilityTimeoutSeconds} s`,
        retention: `${config.retentionSeconds} s`,
        missing: missing.length ? `${missing.join(', ')} (vitrine feed ${vitrine.code} configure)` : 'none',
      });
    },
    { admin: true },
  );
}
