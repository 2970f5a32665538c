/**
 * `vitrine`: the admin and developer command line. Settings from env: DATABASE_URL,
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE (see README).
 */
import { Command, CommanderError } from 'commander';
import { AdminInputError } from '../admin/errors';
import { FieldDefaultError } from '../erp/fieldDefaults';
import { InvalidSettingError } from '../erp/vitrineSettings';
import { ConfigError } from '../shared/config';
import { registerBlockedCommands } from './commands/blocked';
import { registerDeParaCommands } from './commands/depara';
import { registerOrderCommands } from './commands/orders';
import { registerSettingsCommands } from './commands/settings';
import { registerVitrineCommands, type Register } from './commands/vitrines';
import { CliContext } from './context';
import { UsageError } from './output';

const program = new Command('vitrine')
  .description('Imports e-commerce orders from the vitrines into the ERP, on Temporal')
  .showSuggestionAfterError()
  .exitOverride()
  // One line: commander puts its "(Did you mean ...?)" suggestion on a line of its own.
  .configureOutput({ outputError: (text, write) => write(text.trim().split(/\s*\n\s*/).join(' ') + '\n') });

const ctx = new CliContext();

/** Adds --json and turns every failure into one line on stderr and a non-zero exit. */
const register: Register = (command, action) =>
  command
    .option('--json', 'print JSON')
    .exitOverride()
    .action(async (...args: unknown[]) => {
      await action(ctx, ...args.slice(0, -1));
    });

registerVitrineCommands(program, register);
registerOrderCommands(program, register);
registerSettingsCommands(program, register);
registerDeParaCommands(program, register);
registerBlockedCommands(program, register);

/** Input the user can fix: one line, exit code 2. */
function isUsageProblem(error: unknown): boolean {
  return error instanceof UsageError || error instanceof InvalidSettingError || error instanceof FieldDefaultError || error instanceof AdminInputError || error instanceof ConfigError;
}

function describeError(error: unknown): string {
  if (isUsageProblem(error)) return (error as Error).message;
  const err = error as { code?: string; message?: string };
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', '3D000', '28P01', '28000'].includes(err.code ?? '')) {
    return `cannot reach the ERP database (DATABASE_URL): ${err.message}`;
  }
  if (err.code === '42P01') return 'the ERP database has no schema yet: run `npm run migrate`';
  return `unexpected error: ${err.message ?? String(error)}`;
}

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`vitrine: ${describeError(error).split('\n')[0]}\n`);
    return isUsageProblem(error) ? 2 : 1;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

main().then((code) => process.exit(code));
