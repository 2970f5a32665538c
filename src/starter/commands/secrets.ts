/** `vitrine secrets status | rotate`: the key the stored app tokens are encrypted under, and its rotation. */
import type { Command } from 'commander';
import { rotateSecrets, secretsStatus } from '../../admin/secretKeys';
import type { CliContext } from '../context';
import { UsageError } from '../output';
import type { Register } from './vitrines';

export function registerSecretCommands(program: Command, register: Register): void {
  register(
    program
      .command('secrets <action>')
      .description(
        'The key the app tokens are encrypted under: status (which keys, how many secrets each), rotate (a new key in VITRINE_SECRET_KEY_FILE, every secret re-encrypted)',
      ),
    async (ctx: CliContext, action: string, options) => {
      if (action === 'status') {
        const status = await secretsStatus(ctx.db, ctx.env);
        if (status.unreadable > 0) ctx.exitCode = 3;
        if (options.json) return ctx.out.json(status);
        ctx.out.fields({
          'key from': status.source,
          'encrypts with': status.keys[0],
          'also reads': status.keys.slice(1).join(', ') || 'no other key',
          ...Object.fromEntries(Object.entries(status.sealed).map(([id, count]) => [`secrets under ${id}`, count])),
          ...(status.unreadable > 0 ? { attention: `${status.unreadable} secrets are under a key this keyring lacks` } : {}),
        });
        return;
      }
      if (action !== 'rotate') throw new UsageError(`unknown secrets action ${JSON.stringify(action.slice(0, 40))}: status or rotate`);
      const rotated = await rotateSecrets(ctx.db, ctx.env);
      // The key file is already rewritten: the trail says so whatever comes next.
      ctx.recordChange({ action: 'secrets.rotate', after: { keyId: rotated.keyId, resealed: rotated.resealed } });
      await ctx.writeChangesNow();
      if (options.json) return ctx.out.json(rotated);
      ctx.out.line(
        `${rotated.resealed} secrets re-encrypted under key ${rotated.keyId}, written to ${rotated.path} (the old key is gone from it)`,
      );
    },
    { admin: true },
  );
}
