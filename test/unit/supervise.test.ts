/**
 * scripts/supervise.sh, which npm run stack:up runs the worker under: a command that exits is
 * started again, and TERM stops the supervisor and its command (the command hears TERM).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../support/services';
import { until } from '../support/until';

test('supervise.sh starts a command again when it exits, and TERM stops both', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervise-'));
  const log = path.join(dir, 'starts');
  try {
    // The first start exits at once (a crash); the second stays up until it is told to stop.
    const command = `echo start >> "${log}"; [ "$(wc -l < "${log}")" -ge 2 ] || exit 7; trap 'echo term >> "${log}"; exit 0' TERM; while :; do sleep 0.1; done`;
    const supervisor = spawn('bash', [path.join(REPO, 'scripts/supervise.sh'), 'test-command', 'sh', '-c', command], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    supervisor.stdout.on('data', (chunk: Buffer) => (out += chunk));
    supervisor.stderr.on('data', (chunk: Buffer) => (out += chunk));
    const lines = () => {
      try {
        return readFileSync(log, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    await until(async () => lines().length >= 2, 'the command started again', 20_000);
    assert.match(out, /supervise: test-command exited \(code 7\); starting it again in 1 s/);
    supervisor.kill('SIGTERM');
    const [code] = (await once(supervisor, 'exit')) as [number | null];
    assert.equal(code, 0, out);
    await until(async () => lines().includes('term'), 'the command told to stop', 5_000);
    assert.deepEqual(lines(), ['start', 'start', 'term']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
