/**
 * The compiled `vitrine` command as a user runs it (bin/vitrine, its own process): exit codes,
 * what goes to stdout and what to stderr, no stack trace. Every other CLI test runs the same
 * command line in process (runCli), which is faster and sees the same code.
 */
import { sealSecret } from '../../src/shared/secrets';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCliProcess, type CliResult } from '../support/cli';
import { createTestDatabase, uniqueSuffix, type TestDatabase } from '../support/services';

function assertOneErrorLine(result: CliResult, code: number, error: RegExp): void {
  const shown = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  assert.equal(result.code, code, shown);
  assert.equal(result.stdout, '', shown);
  assert.match(result.stderr, /^vitrine: [^\n]+\n$/, `one line on stderr\n${shown}`);
  assert.match(result.stderr, error, shown);
  assert.doesNotMatch(result.stderr, /\n\s+at /, shown);
}

describe('vitrine as a process', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const code = `proc-${uniqueSuffix()}`;

  before(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' };
  });
  after(async () => {
    await database?.drop();
  });

  test('--help: usage on stdout, exit 0', async () => {
    const result = await runCliProcess(['--help'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: vitrine /);
    assert.match(result.stdout, /\n {2}add /);
    assert.equal(result.stderr, '');
  });

  test('an unknown command: one line with a suggestion, exit 2', async () => {
    const result = await runCliProcess(['lsit'], env);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, "error: unknown command 'lsit' (Did you mean list?)\n");
  });

  test('bad input: one line, exit 2; the database unreachable: one line, exit 1', async () => {
    assertOneErrorLine(await runCliProcess(['interval', 'NOT A CODE', '5'], env), 2, /invalid vitrine code/);
    assertOneErrorLine(
      await runCliProcess(['list'], { ...env, DATABASE_URL: 'postgres://postgres:secret-pass@127.0.0.1:1/vitrine' }),
      1,
      /^vitrine: cannot reach the ERP database \(DATABASE_URL\): connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
    );
  });

  test('tables on stdout and JSON with --json, exit 0', async () => {
    const empty = await runCliProcess(['list'], env);
    assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, 'no vitrines yet (see: vitrine add)\n', '']);
    // A vitrine added straight into the database: `add` would need Temporal for its schedule.
    await database.db('vitrines').insert({
      code,
      name: 'Loja Processo',
      platform: 'vtex',
      base_url: 'https://loja.example.com',
      app_key: 'key',
      app_token_encrypted: sealSecret('token-never-printed-1234'),
    });
    const table = await runCliProcess(['list'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^code +name .*\\n${code} +Loja Processo `));
    const json = await runCliProcess(['list', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const [listed] = JSON.parse(json.stdout);
    assert.equal(listed.code, code);
    assert.match(listed.appToken, /^encrypted \(key [0-9a-f]{12}\)$/);
    assert.ok(!json.stdout.includes('token-never-printed'));
  });
});
