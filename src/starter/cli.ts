/**
 * `vitrine`: the admin and developer command line. Settings from env: DATABASE_URL,
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE (see README). bin/vitrine runs main.ts; tests
 * call runCli in process.
 */
import { Command, CommanderError } from 'commander';
import { AdminInputError } from '../admin/errors';
import { FieldDefaultError } from '../importing/rules/fieldDefaults';
import { InvalidSettingError } from '../admin/vitrineSettings';
import { ConfigError } from '../shared/config';
import { registerBlockedCommands } from './commands/blocked';
import { registerDeParaCommands } from './commands/depara';
import { registerMarketplaceCommands } from './commands/marketplaces';
import { registerFeedCommands } from './commands/feed';
import { registerHookCommands } from './commands/hooks';
import { registerNotificationCommands } from './commands/notifications';
import { registerOrderCommands } from './commands/orders';
import { registerAuditCommands } from './commands/audit';
import { registerSecretCommands } from './commands/secrets';
import { registerUserCommands } from './commands/users';
import { registerSettingsCommands } from './commands/settings';
import { registerVitrineCommands, type Register } from './commands/vitrines';
import { CliContext } from './context';
import { UsageError, type TextSink } from './output';

/** Where one invocation reads its settings and writes its output. */
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
  /** Where `--password-stdin` and the password prompt read; none: neither can be used. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

function buildProgram(ctx: CliContext, io: CliIO): Command {
  const program = new Command('vitrine')
    .description('Imports e-commerce orders from the vitrines into the ERP, on Temporal')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line: commander puts its "(Did you mean ...?)" suggestion on a line of its own.
      outputError: (text, write) =>
        write(
          text
            .trim()
            .split(/\s*\n\s*/)
            .join(' ') + '\n',
        ),
    });

  program.option('--as <email>', 'who makes the change, for the audit trail (a backoffice user; default: the OS user)');

  /**
   * Adds --json and turns every failure into one line on stderr and a non-zero exit. A command
   * that changes something runs in one transaction with its audit entries (src/admin/audit.ts).
   */
  const register: Register = (command, action, options = {}) =>
    command
      .option('--json', 'print JSON')
      .exitOverride()
      .action(async (...args: unknown[]) => {
        ctx.actorEmail = program.opts().as as string | undefined;
        if (options.admin) await ctx.requireAdmin();
        const run = () => action(ctx, ...args.slice(0, -1));
        await (options.changes ? ctx.inChange(run) : run());
      });

  registerVitrineCommands(program, register);
  registerOrderCommands(program, register);
  registerSettingsCommands(program, register);
  registerDeParaCommands(program, register);
  registerMarketplaceCommands(program, register);
  registerBlockedCommands(program, register);
  registerFeedCommands(program, register);
  registerHookCommands(program, register);
  registerNotificationCommands(program, register);
  registerSecretCommands(program, register);
  registerUserCommands(program, register);
  registerAuditCommands(program, register);
  // Subcommands write where the program writes (commander copies the settings it has when each is added).
  const route = (command: Command) => {
    command.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
    command.commands.forEach(route);
  };
  program.commands.forEach(route);
  return program;
}

/** Input the user can fix: one line, exit code 2. */
function isUsageProblem(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof InvalidSettingError ||
    error instanceof FieldDefaultError ||
    error instanceof AdminInputError ||
    error instanceof ConfigError
  );
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

/** Runs one `vitrine` command line (without the program name); resolves to its exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const ctx = new CliContext(io.stdout, io.env, io.stdin);
  let code: number;
  try {
    await buildProgram(ctx, io).parseAsync(argv, { from: 'user' });
    code = ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      code = error.exitCode === 0 ? 0 : 2;
    } else {
      io.stderr.write(`vitrine: ${describeError(error).split('\n')[0]}\n`);
      code = isUsageProblem(error) ? 2 : 1;
    }
  }
  try {
    await ctx.close();
  } catch (error) {
    // The command's work is done; a connection that does not close cleanly is still said.
    io.stderr.write(`vitrine: closing connections: ${(error as Error).message.split('\n')[0]}\n`);
    if (code === 0) code = 1;
  }
  return code;
}
