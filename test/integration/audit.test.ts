/**
 * The audit trail from the CLI, and `vitrine users`: every kind of change (settings, DE-PARA,
 * defaults, hooks and feed, runs, retries, status commands, secrets, users) writes one row with
 * who, which vitrine, what, before and after, secrets masked; a refused change writes none and
 * changes nothing; `vitrine audit` filters by vitrine, date and count. Passwords come from
 * standard input, never an argument, and bad input is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../../src/shared/passwords';
import { cliJson, runCli } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { validKey } from '../support/nfe';

const ADMIN = 'chefe@loja.example';
const PASSWORD = 'a long enough password';

describe('audit trail and users from the CLI', () => {
  let h: Harness;
  let code: string;
  const db = () => h.database.db;
  const cli = (args: string[], stdin?: string) => runCli(args, h.cliEnv, stdin);
  const lastAudit = async () => (await db()('audit_log').orderBy('id', 'desc').first())!;
  const auditCount = async () => Number((await db()('audit_log').count({ n: '*' }))[0].n);

  before(async () => {
    h = await startHarness({ withHooks: true });
    code = await h.addVitrine({ prefix: 'AU' });
  });
  after(async () => {
    await h?.close();
  });

  test('users: passwords from standard input only, hashed with scrypt; bad input is one line and changes nothing', async () => {
    const added = await cli(['users', 'add', ADMIN, '--role', 'admin', '--password-stdin', '--json'], `${PASSWORD}\n`);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(JSON.parse(added.stdout).role, 'admin');
    const row = await db()('users').where({ email: ADMIN }).first();
    assert.match(row.password_hash, /^scrypt\$15\$8\$1\$/);
    assert.ok(!row.password_hash.includes(PASSWORD));
    assert.ok(await verifyPassword(PASSWORD, row.password_hash));
    assert.ok(!(await verifyPassword(`${PASSWORD}!`, row.password_hash)));

    const users = await auditCount();
    const refusals: Array<[string[], string | undefined, RegExp]> = [
      [['users', 'add', 'short@loja.example', '--role', 'operator', '--password-stdin'], 'short\n', /at least 12 characters/],
      [
        ['users', 'add', 'not-an-email', '--role', 'operator', '--password-stdin'],
        `${PASSWORD}\n`,
        /invalid e-mail: must be an e-mail address/,
      ],
      [
        ['users', 'add', 'x@loja.example', '--role', 'root', '--password-stdin'],
        `${PASSWORD}\n`,
        /invalid role: must be admin or operator/,
      ],
      [['users', 'add', ADMIN.toUpperCase(), '--role', 'operator', '--password-stdin'], `${PASSWORD}\n`, /already exists/],
      [
        ['users', 'add', 'y@loja.example', '--role', 'operator'],
        undefined,
        /type the password at a terminal, or give it on standard input with --password-stdin/,
      ],
      [['users', 'add', 'z@loja.example', '--role', 'operator', '--password', PASSWORD], undefined, /unknown option '--password'/],
      [['users', 'set-role', 'ghost@loja.example', 'admin'], undefined, /there is no user "ghost@loja\.example"/],
      [['users', 'disable', 'not an email'], undefined, /invalid e-mail/],
    ];
    for (const [args, stdin, message] of refusals) {
      const refused = await cli(args, stdin);
      assert.equal(refused.code, 2, `${args.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, message);
      assert.equal(refused.stderr.split('\n').length, 2, 'one line');
      assert.ok(!refused.stderr.includes('    at '), 'no stack trace');
    }
    assert.equal(Number((await db()('users').count({ n: '*' }))[0].n), 1);
    assert.equal(await auditCount(), users, 'refused: no audit row');

    assert.equal((await cli(['users', 'add', 'op@loja.example', '--role', 'operator', '--password-stdin'], `${PASSWORD}\n`)).code, 0);
    assert.equal((await cli(['users', 'set-role', 'op@loja.example', 'admin'])).code, 0);
    assert.equal((await cli(['users', 'disable', 'op@loja.example'])).code, 0);
    assert.equal((await cli(['users', 'reset-password', 'op@loja.example', '--password-stdin'], 'another password 123\n')).code, 0);
    const listed = await cliJson(['users', 'list'], h.cliEnv);
    assert.deepEqual(
      listed.map((u: any) => [u.email, u.role, u.disabled]),
      [
        [ADMIN, 'admin', false],
        ['op@loja.example', 'admin', true],
      ],
    );
    assert.ok(!JSON.stringify(listed).includes('scrypt'));
    const trail = await db()('audit_log').where('action', 'like', 'user.%').orderBy('id');
    assert.deepEqual(
      trail.map((r: any) => r.action),
      ['user.add', 'user.add', 'user.set-role', 'user.disable', 'user.reset-password'],
    );
    assert.deepEqual([trail[2].before.role, trail[2].after.role], ['operator', 'admin']);
    assert.ok(!JSON.stringify(trail).includes(PASSWORD) && !JSON.stringify(trail).includes('another password'));
  });

  test('every kind of change writes one audit row with who, vitrine, what, before and after; refused ones write none', async () => {
    const os = userInfo().username;
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 2, seed: 91 });
    const changes: Array<{ args: string[]; action: string; check?: (row: any) => void }> = [
      {
        args: ['interval', code, '10'],
        action: 'vitrine.interval',
        check: (r) => assert.deepEqual([r.before.intervalMinutes, r.after.intervalMinutes], [15, 10]),
      },
      { args: ['enable', code], action: 'vitrine.enable' },
      { args: ['disable', code], action: 'vitrine.disable' },
      {
        args: ['settings', code, '--log-level', 'all'],
        action: 'vitrine.settings',
        check: (r) => assert.deepEqual([r.before.log_level, r.after.log_level], ['errors', 'all']),
      },
      {
        args: ['customer-defaults', code, 'set', 'tipo_pessoa', '"F"'],
        action: 'customer-defaults.set',
        check: (r) => assert.equal(r.before, null),
      },
      {
        args: ['customer-defaults', code, 'set', 'tipo_pessoa', '"J"'],
        action: 'customer-defaults.set',
        check: (r) => assert.deepEqual([r.before.expression, r.after.expression], ['"F"', '"J"']),
      },
      { args: ['customer-defaults', code, 'remove', 'tipo_pessoa'], action: 'customer-defaults.remove' },
      { args: ['carriers', 'add', 'AUDIT01', 'Transportadora Auditada'], action: 'carrier.add' },
      { args: ['payments', code, 'set', 'Crediário Loja', 'OUTROS', 'Crediário {n}x'], action: 'depara.payments.set' },
      { args: ['payments', code, 'remove', 'Crediário Loja'], action: 'depara.payments.remove' },
      {
        args: ['statuses', code, 'set', 'Problemas', 'ready-for-handling'],
        action: 'depara.statuses.set',
        check: (r) => assert.deepEqual([r.before.erpStatus, r.after.erpStatus], ['Pagamento confirmado', 'Problemas']),
      },
      { args: ['statuses', code, 'set', 'Pagamento confirmado', 'ready-for-handling'], action: 'depara.statuses.set' },
      { args: ['marketplaces', code, 'set', 'AUD', 'Canal Auditado'], action: 'marketplaces.set' },
      { args: ['marketplaces', code, 'remove', 'AUD'], action: 'marketplaces.remove' },
      { args: ['feed', code, 'configure'], action: 'feed.configure' },
      {
        args: ['hook', code, 'enable', '--url', h.hooks!.url],
        action: 'hook.enable',
        check: (r) => assert.ok(r.after.url.startsWith(h.hooks!.url) && !JSON.stringify(r).includes('secret":"')),
      },
      { args: ['hook', code, 'disable'], action: 'hook.disable' },
      { args: ['run', code, '--wait'], action: 'run.trigger', check: (r) => assert.match(r.after.workflowId, new RegExp(code)) },
      { args: ['blocked', 'retry', '--all', '--vitrine', code], action: 'blocked.retry' },
      { args: ['notifications', 'retry', '--all', '--vitrine', code], action: 'notifications.retry' },
      { args: ['--as', ADMIN, 'secrets', 'rotate'], action: 'secrets.rotate', check: (r) => assert.equal(r.actor, ADMIN) },
    ];
    for (const change of changes) {
      const count = await auditCount();
      const done = await cli(change.args);
      assert.equal(done.code, 0, `${change.args.join(' ')}: ${done.stderr}`);
      assert.equal(await auditCount(), count + 1, `${change.args.join(' ')} wrote one row`);
      const row = await lastAudit();
      assert.equal(row.action, change.action);
      assert.equal(row.source, 'cli');
      if (!change.args.includes('--as')) assert.equal(row.actor, os);
      if (!['carrier.add', 'secrets.rotate'].includes(change.action)) assert.equal(row.vitrine_code, code, change.action);
      change.check?.(row);
    }

    // The vitrine's creation is in the trail, its token masked.
    const added = await db()('audit_log').where({ action: 'vitrine.add', vitrine_code: code }).first();
    assert.equal(added.after.code, code);
    assert.equal(added.after.appToken, '[redacted]');
    assert.ok(!JSON.stringify(added).includes(`token-${code}-secret`));

    // Status commands on an imported order.
    const order = await db()('sales_orders')
      .where({ vitrine_id: (await db()('vitrines').where({ code }).first()).id })
      .first();
    for (const [args, action] of [
      [['orders', 'set-status', order.order_code, 'Em preparação'], 'order.set-status'],
      [['orders', 'invoice', order.order_code, '--number', '9001', '--key', validKey(9001)], 'order.invoice'],
      [['orders', 'tracking', order.order_code, '--number', 'BR123'], 'order.tracking'],
      [['orders', 'deliver', order.order_code], 'order.deliver'],
    ] as Array<[string[], string]>) {
      const done = await cli(args);
      assert.equal(done.code, 0, `${args.join(' ')}: ${done.stderr}`);
      const row = await lastAudit();
      assert.deepEqual([row.action, row.vitrine_code, row.after.orderCode], [action, code, order.order_code]);
    }

    // Refused: nothing written, nothing changed.
    const count = await auditCount();
    const vitrine = await db()('vitrines').where({ code }).first();
    for (const args of [
      ['interval', code, '0'],
      ['settings', code, '--prefix', 'bad prefix!'],
      ['customer-defaults', code, 'set', 'tipo_pessoa', '$pad("x", 100000000)'],
      ['customer-defaults', code, 'remove', 'nothing_here'],
      ['payments', code, 'set', 'X', 'NO-SUCH-TYPE', 'x'],
      ['statuses', code, 'set', 'Nope', 'ready-for-handling'],
      ['marketplaces', code, 'remove', 'NONE'],
      ['orders', 'invoice', order.order_code, '--number', '9002', '--key', '123'],
      ['orders', 'cancel', order.order_code, '--reason', 'invoiced orders cannot be cancelled'],
      ['carriers', 'add', 'AUDIT01', 'again'],
      ['hook', code, 'enable', '--url', 'ftp://x'],
    ]) {
      const refused = await cli(args);
      assert.notEqual(refused.code, 0, `${args.join(' ')} was refused`);
      assert.equal(refused.stderr.split('\n').length, 2, `${args.join(' ')}: one line`);
    }
    assert.equal(await auditCount(), count, 'a refused change writes no row');
    const unchanged = await db()('vitrines').where({ code }).first();
    assert.deepEqual({ ...unchanged, updated_at: null }, { ...vitrine, updated_at: null });
  });

  test('vitrine audit filters by vitrine, date and count, and refuses bad filters in one line', async () => {
    const other = await h.addVitrine({ prefix: 'AV' });
    await cliJson(['interval', other, '5'], h.cliEnv);
    const mine = await cliJson(['audit', '--vitrine', code, '--limit', '1000'], h.cliEnv);
    assert.ok(mine.length >= 20 && mine.every((r: any) => r.vitrine_code === code));
    const two = await cliJson(['audit', '--limit', '2'], h.cliEnv);
    assert.equal(two.length, 2);
    assert.deepEqual([two[0].vitrine_code, two[0].action], [other, 'vitrine.interval'], 'newest first');
    assert.deepEqual(await cliJson(['audit', '--since', '2999-01-01'], h.cliEnv), []);
    assert.ok((await cliJson(['audit', '--since', new Date(Date.now() - 3_600_000).toISOString()], h.cliEnv)).length > 0);
    // --as an operator: the operator's commands, not an admin's.
    await cli(['users', 'add', 'operador@loja.example', '--role', 'operator', '--password-stdin'], `${PASSWORD}\n`);
    const count = await auditCount();
    const refused = await cli(['--as', 'operador@loja.example', 'interval', other, '30']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'vitrine: only an admin may do this; operador@loja.example is operator\n');
    assert.equal(await auditCount(), count);
    assert.equal((await db()('vitrines').where({ code: other }).first()).import_interval_minutes, 5);
    const allowed = await cli(['--as', 'operador@loja.example', 'notifications', 'retry', '--all', '--vitrine', other]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual([(await lastAudit()).actor, (await lastAudit()).action], ['operador@loja.example', 'notifications.retry']);

    const table = await cli(['audit', '--vitrine', other]);
    assert.match(table.stdout, /vitrine\.interval/);
    for (const [args, message] of [
      [['audit', '--limit', '0'], /invalid --limit: must be at least 1/],
      [['audit', '--limit', 'abc'], /invalid --limit/],
      [['audit', '--since', 'yesterday'], /invalid --since: must be a date or time in ISO 8601/],
      [['audit', '--since', '2026-13-45'], /invalid --since: is not a real date/],
      [['audit', '--vitrine', 'Bad Code'], /invalid --vitrine/],
    ] as Array<[string[], RegExp]>) {
      const refused = await cli(args);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, message);
    }
  });
});
