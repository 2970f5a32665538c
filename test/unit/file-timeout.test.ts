/**
 * A test file that hangs (a handle left open, a promise never settled) is ended by
 * test/support/fileTimeout.ts once its time is up, and the runner goes on to the next file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../support/services';

test('a hung test file is ended after its timeout, and the next file still runs', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'file-timeout-'));
  const hung = path.join(dir, 'a-hung.test.mjs');
  const next = path.join(dir, 'b-next.test.mjs');
  writeFileSync(
    hung,
    "import { test } from 'node:test';\ntest('hangs', async () => { setInterval(() => {}, 1000); await new Promise(() => {}); });\n",
  );
  writeFileSync(next, "import { test } from 'node:test';\ntest('runs', () => {});\n");
  const child = spawn(
    process.execPath,
    ['--import', path.join(REPO, 'test/support/fileTimeout.ts'), '--test', '--test-concurrency=1', '--test-reporter=tap', hung, next],
    // A runner of its own: not told it is a test file's process, as this one is.
    { env: { ...process.env, NODE_TEST_CONTEXT: undefined, TEST_FILE_TIMEOUT_MS: '1500' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk));
  const started = Date.now();
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.notEqual(code, 0, out);
  assert.ok(Date.now() - started < 30_000, `ended after ${Date.now() - started} ms`);
  assert.match(out, /a-hung\.test\.mjs still running after 1500 ms: its process is ended/);
  assert.match(out, /# pass 1\b/, out);
});
