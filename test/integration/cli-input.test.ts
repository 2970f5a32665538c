/**
 * The `vitrine` CLI against bad input: every command, driven as a user would. Each case must fail
 * with a non-zero exit code and exactly one clear line on stderr, no stack trace, no secret in the
 * output, and no change to the ERP database. Plus the positive side: tokens are masked and a new
 * vitrine's schedule is paused.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { after, before, describe, test } from 'node:test';
import { createDatabase } from '../../src/erp/db';
import { scheduleIdFor } from '../../src/shared/ids';
import { cliJson, runCli } from '../support/cli';
import { createTemporalEnv, createTestDatabase, uniqueSuffix, type TestDatabase } from '../support/services';

const suffix = uniqueSuffix();
/** The vitrine that exists: target of the duplicate, enable, interval, status... cases. */
const SEED = `seed-${suffix}`;
const SEED_TOKEN = `seed-app-token-${suffix}-S3CR3T-tail`;
/** A code no vitrine has, for the add cases (which must never create it). */
const NEW = `nova-${suffix}`;
const TOKEN = `new-app-token-${suffix}-S3CR3T-9f8e`;
const MISSING = `nope-${suffix}`;
const SQL = "x'; drop table vitrines;--";
const LONG = (char: string) => char.repeat(10_000);
const DEAD_TEMPORAL = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
const DB_PASSWORD = `db-pass-${suffix}`;
const DEAD_DATABASE = { DATABASE_URL: `postgres://postgres:${DB_PASSWORD}@127.0.0.1:1/vitrine` };

const ADD_DEFAULTS: Record<string, string> = {
  '--code': NEW,
  '--name': 'Loja Nova',
  '--platform': 'vtex',
  '--base-url': 'https://loja-nova.example.com',
  '--app-key': 'vtexappkey-loja-nova',
  '--app-token': TOKEN,
};

/** `vitrine add` with valid options, some changed (null drops the option). */
function add(changes: Record<string, string | null> = {}): string[] {
  const args = ['add'];
  for (const [flag, value] of Object.entries({ ...ADD_DEFAULTS, ...changes })) if (value !== null) args.push(flag, value);
  return args;
}

interface BadInput {
  name: string;
  args: string[];
  /** Overrides of the CLI's environment; DATABASE_URL: 'unmigrated' stands for an empty database. */
  env?: Record<string, string>;
  error: RegExp;
}

const INVALID_CODE = /^vitrine: invalid vitrine code: must be 1-40 lowercase letters, digits or dashes/;
const INVALID_ADD_CODE = /^vitrine: invalid --code: must be 1-40 lowercase letters, digits or dashes/;
const NO_SUCH_VITRINE = new RegExp(`^vitrine: vitrine "${MISSING}" does not exist \\(see: vitrine list\\)$`);
const NO_TEMPORAL = /^vitrine: cannot reach Temporal at 127\.0\.0\.1:1: /;
const NO_DATABASE = /^vitrine: cannot reach the ERP database \(DATABASE_URL\): connect ECONNREFUSED 127\.0\.0\.1:1$/;

const CASES: BadInput[] = [
  // add: required options
  { name: 'add without any option', args: ['add'], error: /^error: required option '--code <code>' not specified$/ },
  { name: 'add without --code', args: add({ '--code': null }), error: /^error: required option '--code <code>' not specified$/ },
  { name: 'add without --name', args: add({ '--name': null }), error: /^error: required option '--name <name>' not specified$/ },
  {
    name: 'add without --platform',
    args: add({ '--platform': null }),
    error: /^error: required option '--platform <platform>' not specified$/,
  },
  { name: 'add without --base-url', args: add({ '--base-url': null }), error: /^error: required option '--base-url <url>' not specified$/ },
  { name: 'add without --app-key', args: add({ '--app-key': null }), error: /^error: required option '--app-key <key>' not specified$/ },
  {
    name: 'add without --app-token',
    args: add({ '--app-token': null }),
    error: /^error: required option '--app-token <token>' not specified$/,
  },
  {
    name: 'add with --interval missing its value',
    args: [...add(), '--interval'],
    error: /^error: option '--interval <minutes>' argument missing$/,
  },
  { name: 'add with an unknown option', args: [...add(), '--colour', 'red'], error: /^error: unknown option '--colour'$/ },
  // add: the code
  { name: 'add a code that exists', args: add({ '--code': SEED }), error: new RegExp(`^vitrine: vitrine ${SEED} already exists$`) },
  { name: 'add a code with uppercase', args: add({ '--code': 'Loja-Nova' }), error: INVALID_ADD_CODE },
  { name: 'add a code with spaces', args: add({ '--code': 'loja nova' }), error: INVALID_ADD_CODE },
  { name: 'add a code with SQL', args: add({ '--code': SQL }), error: INVALID_ADD_CODE },
  { name: 'add a code of 41 characters', args: add({ '--code': 'a'.repeat(41) }), error: INVALID_ADD_CODE },
  { name: 'add an empty code', args: add({ '--code': '' }), error: INVALID_ADD_CODE },
  // add: the interval
  { name: 'add --interval -5', args: add({ '--interval': '-5' }), error: /^vitrine: invalid --interval: must be at least 1 minute$/ },
  { name: 'add --interval 0', args: add({ '--interval': '0' }), error: /^vitrine: invalid --interval: must be at least 1 minute$/ },
  {
    name: 'add --interval 1.5',
    args: add({ '--interval': '1.5' }),
    error: /^vitrine: invalid --interval: must be a whole number of minutes$/,
  },
  {
    name: 'add --interval 99999',
    args: add({ '--interval': '99999' }),
    error: /^vitrine: invalid --interval: must be at most 1440 minutes/,
  },
  {
    name: 'add --interval abc',
    args: add({ '--interval': 'abc' }),
    error: /^vitrine: invalid --interval: must be a whole number of minutes$/,
  },
  // add: the URL
  {
    name: 'add --base-url ftp://x',
    args: add({ '--base-url': 'ftp://x' }),
    error: /^vitrine: invalid --base-url: must be an http or https URL, not ftp$/,
  },
  { name: 'add --base-url "not a url"', args: add({ '--base-url': 'not a url' }), error: /^vitrine: invalid --base-url: is not a URL/ },
  {
    name: 'add --base-url with credentials',
    args: add({ '--base-url': 'http://user:pass@host' }),
    error: /^vitrine: invalid --base-url: must not contain credentials/,
  },
  {
    name: 'add --base-url of 10 000 characters',
    args: add({ '--base-url': `https://x.example.com/${LONG('p')}` }),
    error: /^vitrine: invalid --base-url: must be at most 500 characters$/,
  },
  // add: other settings
  {
    name: 'add a name of 10 000 characters',
    args: add({ '--name': LONG('n') }),
    error: /^vitrine: invalid --name: must be at most 120 characters$/,
  },
  { name: 'add a blank name', args: add({ '--name': '   ' }), error: /^vitrine: invalid --name: must not be empty$/ },
  {
    name: 'add an app token of 10 000 characters',
    args: add({ '--app-token': LONG('t') }),
    error: /^vitrine: invalid --app-token: must be at most 500 characters$/,
  },
  { name: 'add an empty app token', args: add({ '--app-token': '' }), error: /^vitrine: invalid --app-token: must not be empty$/ },
  {
    name: 'add an app key of 10 000 characters',
    args: add({ '--app-key': LONG('k') }),
    error: /^vitrine: invalid --app-key: must be at most 200 characters$/,
  },
  {
    name: 'add a lowercase prefix',
    args: add({ '--prefix': 'vt' }),
    error: /^vitrine: invalid --prefix: must be 1-10 uppercase letters or digits$/,
  },
  {
    name: 'add a prefix with a dash',
    args: add({ '--prefix': 'VT-1' }),
    error: /^vitrine: invalid --prefix: must be 1-10 uppercase letters or digits$/,
  },
  {
    name: 'add a prefix of 11 characters',
    args: add({ '--prefix': 'ABCDEFGHIJK' }),
    error: /^vitrine: invalid --prefix: must be 1-10 uppercase letters or digits$/,
  },
  { name: 'add an unknown platform', args: add({ '--platform': 'shopify' }), error: /^vitrine: invalid --platform: must be one of: vtex$/ },
  // add: services down (the vitrine must not be half created)
  { name: 'add with Temporal not answering', args: add(), env: DEAD_TEMPORAL, error: NO_TEMPORAL },
  { name: 'add with the database not answering', args: add(), env: DEAD_DATABASE, error: NO_DATABASE },

  // list
  { name: 'list with an unknown option', args: ['list', '--bogus'], error: /^error: unknown option '--bogus'$/ },
  { name: 'list with a misspelt option', args: ['list', '--jsn'], error: /^error: unknown option '--jsn' \(Did you mean --json\?\)$/ },
  {
    name: 'list with an argument',
    args: ['list', 'extra'],
    error: /^error: too many arguments for 'list'\. Expected 0 arguments but got 1\.$/,
  },
  { name: 'list with the database not answering', args: ['list'], env: DEAD_DATABASE, error: NO_DATABASE },
  {
    name: 'list with a database that does not exist',
    args: ['list'],
    env: { DATABASE_URL: 'missing-database' },
    error: /^vitrine: cannot reach the ERP database \(DATABASE_URL\): database "vitrine_missing_\w+" does not exist$/,
  },
  {
    name: 'list with a host that does not resolve',
    args: ['list'],
    env: { DATABASE_URL: 'postgres://postgres@no-such-host.invalid:5432/vitrine' },
    error: /^vitrine: cannot reach the ERP database \(DATABASE_URL\): getaddrinfo ENOTFOUND no-such-host\.invalid$/,
  },
  {
    name: 'list with a database not migrated',
    args: ['list'],
    env: { DATABASE_URL: 'unmigrated' },
    error: /^vitrine: the ERP database has no schema yet: run `npm run migrate`$/,
  },

  // enable / disable
  { name: 'enable without a code', args: ['enable'], error: /^error: missing required argument 'code'$/ },
  { name: 'enable an unknown vitrine', args: ['enable', MISSING], error: NO_SUCH_VITRINE },
  { name: 'enable a code with uppercase and spaces', args: ['enable', 'Loja Nova'], error: INVALID_CODE },
  { name: 'enable a code with SQL', args: ['enable', SQL], error: INVALID_CODE },
  { name: 'enable with Temporal not answering', args: ['enable', SEED], env: DEAD_TEMPORAL, error: NO_TEMPORAL },
  {
    name: 'enable with two codes',
    args: ['enable', SEED, 'other'],
    error: /^error: too many arguments for 'enable'\. Expected 1 argument but got 2\.$/,
  },
  { name: 'disable without a code', args: ['disable'], error: /^error: missing required argument 'code'$/ },
  { name: 'disable an unknown vitrine', args: ['disable', MISSING], error: NO_SUCH_VITRINE },

  // interval
  { name: 'interval -5', args: ['interval', SEED, '-5'], error: /^vitrine: invalid interval: must be at least 1 minute$/ },
  { name: 'interval 0', args: ['interval', SEED, '0'], error: /^vitrine: invalid interval: must be at least 1 minute$/ },
  { name: 'interval 1.5', args: ['interval', SEED, '1.5'], error: /^vitrine: invalid interval: must be a whole number of minutes$/ },
  { name: 'interval 99999', args: ['interval', SEED, '99999'], error: /^vitrine: invalid interval: must be at most 1440 minutes/ },
  { name: 'interval abc', args: ['interval', SEED, 'abc'], error: /^vitrine: invalid interval: must be a whole number of minutes$/ },
  { name: 'interval without minutes', args: ['interval', SEED], error: /^error: missing required argument 'minutes'$/ },
  { name: 'interval without arguments', args: ['interval'], error: /^error: missing required argument 'code'$/ },
  { name: 'interval of an unknown vitrine', args: ['interval', MISSING, '5'], error: NO_SUCH_VITRINE },
  { name: 'interval of a code with SQL', args: ['interval', SQL, '5'], error: INVALID_CODE },

  // run
  { name: 'run without a code', args: ['run'], error: /^error: missing required argument 'code'$/ },
  { name: 'run an unknown vitrine', args: ['run', MISSING], error: NO_SUCH_VITRINE },
  { name: 'run a code with uppercase', args: ['run', 'LOJA'], error: INVALID_CODE },
  { name: 'run with an unknown option', args: ['run', SEED, '--now'], error: /^error: unknown option '--now'$/ },

  // status
  {
    name: 'status without a code',
    args: ['status'],
    error: /^vitrine: give a vitrine code, or --all for every vitrine that needs attention$/,
  },
  { name: 'status with a code and --all', args: ['status', SEED, '--all'], error: /^vitrine: give a vitrine code or --all, not both$/ },
  { name: 'status of an unknown vitrine', args: ['status', MISSING], error: NO_SUCH_VITRINE },
  { name: 'status of a code of 10 000 characters', args: ['status', LONG('a')], error: INVALID_CODE },
  { name: 'status with Temporal not answering', args: ['status', SEED], env: DEAD_TEMPORAL, error: NO_TEMPORAL },

  // sync-schedules
  {
    name: 'sync-schedules with an argument',
    args: ['sync-schedules', SEED],
    error: /^error: too many arguments for 'sync-schedules'\. Expected 0 arguments but got 1\.$/,
  },
  { name: 'sync-schedules with Temporal not answering', args: ['sync-schedules'], env: DEAD_TEMPORAL, error: NO_TEMPORAL },

  // orders list
  { name: 'orders list --limit 0', args: ['orders', 'list', '--limit', '0'], error: /^vitrine: invalid --limit: must be at least 1$/ },
  { name: 'orders list --limit -1', args: ['orders', 'list', '--limit', '-1'], error: /^vitrine: invalid --limit: must be at least 1$/ },
  {
    name: 'orders list --limit 1.5',
    args: ['orders', 'list', '--limit', '1.5'],
    error: /^vitrine: invalid --limit: must be a whole number$/,
  },
  {
    name: 'orders list --limit abc',
    args: ['orders', 'list', '--limit', 'abc'],
    error: /^vitrine: invalid --limit: must be a whole number$/,
  },
  {
    name: 'orders list --limit 99999999',
    args: ['orders', 'list', '--limit', '99999999'],
    error: /^vitrine: invalid --limit: must be at most 10000$/,
  },
  {
    name: 'orders list --limit without a value',
    args: ['orders', 'list', '--limit'],
    error: /^error: option '--limit <n>' argument missing$/,
  },
  { name: 'orders list --vitrine unknown', args: ['orders', 'list', '--vitrine', MISSING], error: NO_SUCH_VITRINE },
  {
    name: 'orders list --vitrine with SQL',
    args: ['orders', 'list', '--vitrine', SQL],
    error: /^vitrine: invalid --vitrine: must be 1-40 lowercase letters/,
  },

  // orders show
  { name: 'orders show without an order code', args: ['orders', 'show'], error: /^error: missing required argument 'orderCode'$/ },
  {
    name: 'orders show an unknown order',
    args: ['orders', 'show', 'VT-999999'],
    error: /^vitrine: order "VT-999999" does not exist \(see: vitrine orders list\)$/,
  },
  { name: 'orders show with SQL', args: ['orders', 'show', "VT-1' or '1'='1"], error: /^vitrine: order "VT-1' or '1'='1" does not exist/ },

  // unknown commands and options
  { name: 'an unknown command', args: ['bogus'], error: /^error: unknown command 'bogus'$/ },
  { name: 'a misspelt command', args: ['ad'], error: /^error: unknown command 'ad' \(Did you mean add\?\)$/ },
  {
    name: 'an unknown orders command',
    args: ['orders', 'delete', 'VT-1'],
    error: /^error: unknown command 'delete' \(Did you mean deliver\?\)$/,
  },
  { name: 'an unknown global option', args: ['--version'], error: /^error: unknown option '--version'$/ },
];

const SNAPSHOT_TABLES = ['vitrines', 'payment_type_mappings', 'sales_orders', 'customers'] as const;

describe('vitrine CLI input', () => {
  let temporal: TestWorkflowEnvironment;
  let database: TestDatabase;
  let unmigrated: { db: Knex; url: string; drop(): Promise<void> };
  let cliEnv: Record<string, string>;
  const createdCodes = new Set<string>([SEED, NEW]);

  async function snapshot(): Promise<Record<string, unknown[]>> {
    const rows: Record<string, unknown[]> = {};
    for (const table of SNAPSHOT_TABLES) rows[table] = await database.db(table).select('*').orderBy('id');
    return rows;
  }

  function envFor(overrides: Record<string, string> = {}): Record<string, string> {
    const env = { ...cliEnv, ...overrides };
    if (env.DATABASE_URL === 'unmigrated') env.DATABASE_URL = unmigrated.url;
    if (env.DATABASE_URL === 'missing-database') {
      const url = new URL(database.url);
      url.pathname = `/vitrine_missing_${suffix}`;
      env.DATABASE_URL = url.toString();
    }
    return env;
  }

  before(async () => {
    temporal = await createTemporalEnv();
    database = await createTestDatabase();
    cliEnv = {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace ?? 'default',
      TASK_QUEUE: `test-cli-input-${suffix}`,
    };
    // An empty database: the CLI must say the schema is missing.
    const admin = createDatabase(process.env.DATABASE_URL!, { max: 1 });
    const name = `vitrine_test_empty_${suffix}`;
    await admin.raw(`create database ${name}`);
    const url = new URL(database.url);
    url.pathname = `/${name}`;
    unmigrated = {
      db: admin,
      url: url.toString(),
      async drop() {
        await admin.raw(`drop database if exists ${name} with (force)`);
        await admin.destroy();
      },
    };

    // The vitrine that exists, with an imported order, so that the snapshots have rows to compare.
    const seeded = await cliJson(
      [
        'add',
        '--code',
        SEED,
        '--name',
        'Loja Semente',
        '--platform',
        'vtex',
        '--base-url',
        'https://seed.example.com',
        '--app-key',
        'vtexappkey-seed',
        '--app-token',
        SEED_TOKEN,
        '--prefix',
        'SD',
        '--interval',
        '30',
      ],
      cliEnv,
    );
    assert.equal(seeded.code, SEED);
    assert.match(seeded.appToken, /^encrypted \(key [0-9a-f]{12}\)$/);
    const [vitrine] = await database.db('vitrines').where({ code: SEED }).select('id');
    const [customer] = await database
      .db('customers')
      .insert({ document: '12345678909', document_type: 'cpf', name: 'Maria Semente', email: 'maria@example.com' })
      .returning('id');
    await database.db('sales_orders').insert({
      vitrine_id: vitrine.id,
      external_order_id: '1000001-01',
      order_code: 'SD-1000001',
      origin: 'Marketplace',
      customer_id: customer.id,
      payment_condition: 'A VISTA',
      status: 'Pagamento confirmado',
      platform_state: 'ready-for-handling',
      items_total_cents: 10_000,
      shipping_total_cents: 1_500,
      discount_total_cents: -500,
      total_cents: 11_000,
      placed_at: new Date('2026-01-02T03:04:05Z'),
    });
  });

  after(async () => {
    for (const code of createdCodes) {
      await temporal?.client.schedule
        .getHandle(scheduleIdFor(code))
        .delete()
        .catch(() => undefined);
    }
    await unmigrated?.drop();
    await database?.drop();
    await temporal?.teardown();
  });

  describe('what the CLI shows', () => {
    test('list --json masks every app token and never prints one', async () => {
      const shortToken = 'exactly12chr';
      const longToken = `thirteen-ch${suffix}`.slice(0, 13);
      assert.equal(shortToken.length, 12);
      assert.equal(longToken.length, 13);
      for (const [code, token] of [
        [`short-${suffix}`, shortToken],
        [`long-${suffix}`, longToken],
      ]) {
        createdCodes.add(code);
        const added = await cliJson(
          [
            'add',
            '--code',
            code,
            '--name',
            code,
            '--platform',
            'vtex',
            '--base-url',
            'https://x.example.com',
            '--app-key',
            'k',
            '--app-token',
            token,
          ],
          cliEnv,
        );
        assert.notEqual(added.appToken, token);
      }

      const result = await runCli(['list', '--json'], cliEnv);
      assert.equal(result.code, 0, result.stderr);
      for (const token of [SEED_TOKEN, shortToken, longToken])
        assert.ok(!result.stdout.includes(token), `list --json printed the token ${token}`);
      const byCode = new Map((JSON.parse(result.stdout) as any[]).map((vitrine) => [vitrine.code, vitrine]));
      for (const vitrine of [SEED, `long-${suffix}`, `short-${suffix}`]) {
        assert.match(byCode.get(vitrine).appToken, /^encrypted \(key [0-9a-f]{12}\)$/);
      }
      assert.equal(byCode.get(SEED).appKey, 'vtexappkey-seed');

      const table = await runCli(['list'], cliEnv);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, new RegExp(SEED));
      for (const token of [SEED_TOKEN, shortToken, longToken]) assert.ok(!table.stdout.includes(token));
    });

    test('status --json of a new vitrine: switched off, schedule paused', async () => {
      const status = await cliJson(['status', SEED], cliEnv);
      assert.equal(status.code, SEED);
      assert.equal(status.importOrders, false);
      assert.equal(status.intervalMinutes, 30);
      assert.equal(status.schedule, 'paused');
      assert.equal(status.nextRunAt, null);
      assert.deepEqual(status.running, []);
      assert.deepEqual(status.lastRuns, []);
    });
  });

  // Cases run side by side: each one changes nothing, and the four that wait for a Temporal that
  // does not answer (its connect timeout) would otherwise add up.
  describe('bad input', { concurrency: 8 }, () => {
    test('the corpus covers every command', () => {
      assert.ok(CASES.length >= 35, `${CASES.length} cases`);
      const names = new Set(CASES.map((c) => c.name));
      assert.equal(names.size, CASES.length, 'case names are unique');
      const commands = new Set(CASES.map((c) => (c.args[0] === 'orders' ? `orders ${c.args[1]}` : c.args[0])));
      for (const command of [
        'add',
        'list',
        'enable',
        'disable',
        'interval',
        'run',
        'status',
        'sync-schedules',
        'orders list',
        'orders show',
      ]) {
        assert.ok(commands.has(command), `no case for ${command}`);
      }
    });

    for (const badInput of CASES) {
      test(badInput.name, async () => {
        const before = await snapshot();
        const result = await runCli(badInput.args, envFor(badInput.env));
        const after = await snapshot();
        const shown = `exit ${result.code}\nstdout: ${result.stdout.slice(0, 500)}\nstderr: ${result.stderr.slice(0, 500)}`;

        assert.notEqual(result.code, 0, shown);
        const lines = result.stderr.replace(/\n$/, '').split('\n');
        assert.equal(lines.length, 1, `stderr must be one line\n${shown}`);
        assert.ok(lines[0].trim().length > 0, `stderr must not be empty\n${shown}`);
        assert.match(lines[0], badInput.error, shown);
        assert.equal(result.stdout, '', `nothing on stdout\n${shown}`);
        for (const output of [result.stdout, result.stderr]) {
          assert.doesNotMatch(output, /\n\s+at /, `stack trace\n${shown}`);
          assert.doesNotMatch(output, /Error:/, `error class in the output\n${shown}`);
        }

        const tokenIndex = badInput.args.indexOf('--app-token');
        const secrets = [SEED_TOKEN, DB_PASSWORD];
        if (tokenIndex >= 0 && badInput.args[tokenIndex + 1]) secrets.push(badInput.args[tokenIndex + 1]);
        for (const secret of secrets) {
          assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `a secret was printed\n${shown}`);
        }

        assert.deepEqual(after, before, 'the database is unchanged');
      });
    }
  });
});
