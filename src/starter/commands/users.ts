/**
 * `vitrine users add | list | disable | enable | set-role | reset-password`: who may log in to the
 * backoffice, and as what. A password comes from a prompt (no echo) or, with --password-stdin,
 * from standard input: never from an argument, which other users of the machine can read.
 */
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { addUser, listUsers, publicUser, resetUserPassword, setUserDisabled, setUserRole } from '../../admin/users';
import type { CliContext } from '../context';
import { UsageError } from '../output';
import type { Register } from './vitrines';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.length > 4096) throw new UsageError('--password-stdin: the input is longer than any password may be');
  }
  return text;
}

/** The new password: from standard input (--password-stdin, one line) or typed twice at a prompt. */
async function newPassword(ctx: CliContext, fromStdin: boolean): Promise<string> {
  const stdin = ctx.stdin;
  if (fromStdin) {
    if (!stdin) throw new UsageError('--password-stdin: there is no standard input');
    return (await readAll(stdin)).replace(/\r?\n$/, '');
  }
  if (!stdin?.isTTY) throw new UsageError('type the password at a terminal, or give it on standard input with --password-stdin');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const ask = async (prompt: string) => {
    process.stderr.write(prompt);
    const rl = createInterface({ input: stdin, output: muted, terminal: true });
    try {
      return await rl.question('');
    } finally {
      rl.close();
      process.stderr.write('\n');
    }
  };
  const first = await ask('Password: ');
  if ((await ask('Again: ')) !== first) throw new UsageError('the two passwords differ');
  return first;
}

export function registerUserCommands(program: Command, register: Register): void {
  const users = program.command('users').description('Who may log in to the backoffice: admin (changes settings and users) or operator');
  register(
    users
      .command('add <email>')
      .description('Add a user; the password is asked for (or read with --password-stdin)')
      .requiredOption('--role <role>', 'admin or operator')
      .option('--password-stdin', 'read the password from standard input'),
    async (ctx, email: string, options) => {
      const password = await newPassword(ctx, options.passwordStdin === true);
      const user = await addUser(ctx.db, ctx.changeLog, { email, role: options.role, password });
      if (options.json) return ctx.out.json(publicUser(user));
      ctx.out.line(`user ${user.email} added as ${user.role}`);
    },
    { changes: true, admin: true },
  );
  register(users.command('list').description('List the users'), async (ctx, options) => {
    const rows = (await listUsers(ctx.db)).map(publicUser);
    if (options.json) return ctx.out.json(rows);
    ctx.out.table(rows, 'no users yet (see: vitrine users add <email> --role admin)');
  });
  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    register(
      users
        .command(`${name} <email>`)
        .description(disabled ? 'Stop a user from logging in (ends its sessions)' : 'Let a disabled user log in again'),
      async (ctx, email: string, options) => {
        const user = await setUserDisabled(ctx.db, ctx.changeLog, email, disabled);
        if (options.json) return ctx.out.json(publicUser(user));
        ctx.out.line(`user ${user.email} ${disabled ? 'disabled' : 'enabled'}`);
      },
      { changes: true, admin: true },
    );
  }
  register(
    users.command('set-role <email> <role>').description('Make a user admin or operator'),
    async (ctx, email: string, role: string, options) => {
      const user = await setUserRole(ctx.db, ctx.changeLog, email, role);
      if (options.json) return ctx.out.json(publicUser(user));
      ctx.out.line(`user ${user.email} is now ${user.role}`);
    },
    { changes: true, admin: true },
  );
  register(
    users
      .command('reset-password <email>')
      .description("Set a user's password (asked for, or read with --password-stdin); ends its sessions")
      .option('--password-stdin', 'read the password from standard input'),
    async (ctx, email: string, options) => {
      const password = await newPassword(ctx, options.passwordStdin === true);
      const user = await resetUserPassword(ctx.db, ctx.changeLog, email, password);
      if (options.json) return ctx.out.json(publicUser(user));
      ctx.out.line(`user ${user.email}: password changed, sessions ended`);
    },
    { changes: true, admin: true },
  );
}
