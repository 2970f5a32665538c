/**
 * App tokens at rest: encrypted in the database (a dump holds none in clear), read by the worker
 * and the CLI under the key, re-encrypted by `vitrine secrets rotate`; a missing or wrong key is
 * one line and a typed, non-retried failure of the run, never a crash or an empty token.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSecretKey, keyIdOf, parseKeyring } from '../../src/shared/secrets';
import { cliJson, runCli, runCliProcess } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';

// This file's own copy of the stack's key, so that rotating it touches no other database (the
// worker, the CLI and the connectors read the key file named in the environment when they use it).
const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-secrets-'));
const keyFile = path.join(dir, 'secret.key');
copyFileSync(process.env.VITRINE_SECRET_KEY_FILE ?? assert.fail('the tests run with the stack key file'), keyFile);
process.env.VITRINE_SECRET_KEY_FILE = keyFile;

/** pg_dump of the cluster's own major version or newer. */
function pgDump(): string {
  const found = ['/usr/lib/postgresql']
    .filter(existsSync)
    .flatMap((root) => readdirSync(root).map((version) => path.join(root, version, 'bin', 'pg_dump')))
    .filter(existsSync)
    .sort((a, b) => Number(b.split('/')[3]) - Number(a.split('/')[3]));
  return found[0] ?? 'pg_dump';
}

describe('secrets at rest', () => {
  let h: Harness;
  let code: string;
  const token = () => `token-${code}-secret`;
  before(async () => {
    h = await startHarness();
    code = await h.addVitrine({ prefix: 'SK' });
    // The platform takes this vitrine's token and no other: an import proves the worker decrypted it.
    await h.sim('POST', `/_sim/${code}/settings`, { appToken: token() });
  });
  after(async () => {
    await h?.close();
  });

  test('the token is encrypted in the database, no dump holds it, and the worker imports with it', async () => {
    const row = await h.database.db('vitrines').where({ code }).first();
    assert.equal(row.app_token, undefined, 'no clear column');
    assert.match(row.app_token_encrypted, /^v1\.[0-9a-f]{12}\.[A-Za-z0-9+/=]+$/);
    assert.ok(!row.app_token_encrypted.includes(token()));

    await h.sim('POST', `/_sim/${code}/orders`, { generate: 3, seed: 5 });
    const summary = await h.runImport(code);
    assert.equal(summary.imported, 3);
    assert.equal((await h.sim('GET', `/_sim/${code}/stats`)).refusedCredentials, 0);

    const dump = execFileSync(pgDump(), ['--data-only', '--dbname', h.database.url], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
    assert.ok(dump.includes(row.app_token_encrypted), 'the dump holds the sealed token');
    assert.ok(!dump.includes(token()), 'the dump holds no token in clear');
    assert.ok(!dump.includes(`${code}-secret`));

    const listed = (await cliJson(['list'], h.cliEnv)).find((v: { code: string }) => v.code === code);
    assert.match(listed.appToken, /^encrypted \(key [0-9a-f]{12}\)$/);
  });

  test('rotate re-encrypts every token under a new key, and the worker goes on reading them', async () => {
    const other = await h.addVitrine({ prefix: 'SL' });
    const before = await cliJson(['secrets', 'status'], h.cliEnv);
    const [oldKey] = parseKeyring(readFileSync(keyFile, 'utf8'), 'key file');
    assert.deepEqual(before.keys, [oldKey.id]);
    assert.equal(before.sealed[oldKey.id], 2);

    const rotated = await cliJson(['secrets', 'rotate'], h.cliEnv);
    assert.equal(rotated.resealed, 2);
    const keys = parseKeyring(readFileSync(keyFile, 'utf8'), 'key file');
    assert.deepEqual(
      keys.map((k) => k.id),
      [rotated.keyId],
      'the key file holds the new key only',
    );
    assert.notEqual(rotated.keyId, oldKey.id);
    const sealed = await h.database.db('vitrines').whereIn('code', [code, other]).pluck('app_token_encrypted');
    assert.ok(sealed.every((value: string) => value.startsWith(`v1.${rotated.keyId}.`)));
    const afterStatus = await cliJson(['secrets', 'status'], h.cliEnv);
    assert.deepEqual([afterStatus.sealed, afterStatus.unreadable], [{ [rotated.keyId]: 2 }, 0]);

    // The worker (this process) reads the rewritten key file without a restart.
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 2, seed: 6 });
    assert.equal((await h.runImport(code)).imported, 2);
    assert.equal((await h.sim('GET', `/_sim/${code}/stats`)).refusedCredentials, 0);
  });

  test('a wrong, missing or malformed key is one line and exit 2, and adds nothing', async () => {
    const wrongFile = path.join(dir, 'wrong.key');
    const wrongKey = generateSecretKey();
    writeFileSync(wrongFile, `${wrongKey}\n`);
    const wrongId = keyIdOf(Buffer.from(wrongKey, 'base64'));

    const wrong = await runCliProcess(['feed', code, 'show'], { ...h.cliEnv, VITRINE_SECRET_KEY_FILE: wrongFile });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(
      wrong.stderr,
      new RegExp(
        `^vitrine: the app token of vitrine ${code} is encrypted under key [0-9a-f]{12}, and the secret key set here is ${wrongId}: wrong VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE\\n$`,
      ),
    );

    const missing = await runCliProcess(['feed', code, 'show'], { ...h.cliEnv, VITRINE_SECRET_KEY_FILE: '', VITRINE_SECRET_KEY: '' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^vitrine: no secret key: set VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE .*\n$/);

    const badFile = path.join(dir, 'bad.key');
    writeFileSync(badFile, 'not-a-key\n');
    const count = async () => Number((await h.database.db('vitrines').count({ n: '*' }))[0].n);
    const vitrines = await count();
    const add = await runCli(
      [
        'add',
        '--code',
        'sem-chave',
        '--name',
        'Sem chave',
        '--platform',
        'vtex',
        '--base-url',
        `${h.simulatorUrl}/x`,
        '--app-key',
        'k',
        '--app-token',
        'token-sem-chave',
      ],
      { ...h.cliEnv, VITRINE_SECRET_KEY_FILE: badFile },
    );
    assert.equal(add.code, 2);
    assert.match(add.stderr, /^vitrine: VITRINE_SECRET_KEY_FILE .*bad\.key: key 1 is not 32 bytes in base64 \(or 64 hex digits\)\n$/);
    assert.equal(await count(), vitrines, 'nothing added');

    const absent = await runCliProcess(['feed', code, 'show'], { ...h.cliEnv, VITRINE_SECRET_KEY_FILE: path.join(dir, 'none.key') });
    assert.match(absent.stderr, /^vitrine: cannot read VITRINE_SECRET_KEY_FILE .*none\.key: ENOENT\n$/);
  });

  test('a worker with the wrong key fails the run at once with SecretKeyUnavailable, and the next run with the right key imports', async () => {
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 7 });
    const wrongFile = path.join(dir, 'worker-wrong.key');
    writeFileSync(wrongFile, `${generateSecretKey()}\n`);
    process.env.VITRINE_SECRET_KEY_FILE = wrongFile;
    let failed;
    try {
      failed = await runCli(['run', code, '--wait'], h.cliEnv);
    } finally {
      process.env.VITRINE_SECRET_KEY_FILE = keyFile;
    }
    assert.equal(failed.code, 2, failed.stdout);
    assert.match(
      failed.stderr,
      /^vitrine: run \S+ failed: .*the app token of vitrine \S+ is encrypted under key [0-9a-f]{12}, and the secret key set here is [0-9a-f]{12}.*\n$/,
    );
    const [run] = await h.database.db('import_runs').orderBy('id', 'desc').limit(1);
    assert.deepEqual([run.status, run.failure_type], ['failed', 'SecretKeyUnavailable']);
    assert.equal((await h.runImport(code)).imported, 1);
    assert.equal((await h.sim('GET', `/_sim/${code}/stats`)).refusedCredentials, 0);
  });
});
