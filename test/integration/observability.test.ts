/**
 * Metrics, logs and Temporal connection settings of the worker process: a real worker
 * (`src/worker/main.ts`) imports orders through the real stack, then its Prometheus endpoint and
 * its stdout are read back. Also the redaction of secrets and the parsing of the settings.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger, redact, redactText, REDACTED, TemporalPinoLogger } from '../../src/observability/logger';
import { HEALTH_METRICS } from '../../src/observability/healthMetrics';
import { METRICS } from '../../src/observability/metrics';
import { ConfigError, DEFAULT_METRICS_ADDRESS, readConfig, readWorkerConfig } from '../../src/shared/config';
import { vitrineCodeFromWorkflowId } from '../../src/shared/ids';
import { temporalConnectionOptions } from '../../src/shared/temporal';
import { startHarness, type Harness } from '../support/importHarness';
import { REPO } from '../support/services';
import { freePort } from '../support/ports';

interface WorkerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The worker process; a variable given as undefined is removed from its environment. */
function startWorker(env: Record<string, string | undefined>): WorkerProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
  const child = spawn(process.execPath, [path.join(REPO, 'dist/worker/main.js')], {
    cwd: REPO,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Holds host:port (if nobody does yet) so that a worker cannot bind it; close() frees it. */
async function occupy(port: number): Promise<{ close(): Promise<void> }> {
  const server = createServer();
  const held = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  return { close: async () => void (held && (await new Promise((resolve) => server.close(resolve)))) };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, samples only. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const sum = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);

function specExample(): any {
  const spec = JSON.parse(readFileSync(path.join(REPO, 'contracts/vtex/orders-api.openapi.json'), 'utf8'));
  return spec.paths['/api/oms/pvt/orders/{orderId}'].get.responses['200'].content['application/json'].example;
}

describe('secret redaction in logs', () => {
  test('secret keys are redacted at any depth, in arrays, maps and errors; the rest is kept', () => {
    const error = Object.assign(new Error('GET /api/oms failed with X-VTEX-API-AppToken: tok-in-text'), { appToken: 'tok-on-error' });
    (error as Error & { cause?: unknown }).cause = { headers: { authorization: 'Bearer tok-in-cause' } };
    const value = {
      vitrineCode: 'demo',
      appToken: 'tok-1',
      app_token: 'tok-2',
      nested: { deeper: [{ token: 'tok-3', password: 'pw', count: 3 }], 'X-VTEX-API-AppToken': 'tok-4' },
      headers: new Map([
        ['X-VTEX-API-AppToken', 'tok-5'],
        ['X-VTEX-API-AppKey', 'key-visible'],
      ]),
      taskToken: 'tok-6',
      apiKey: 'tok-7',
      error,
      when: new Date('2026-11-28T10:00:00Z'),
      absent: undefined,
    };
    const safe = redact(value) as any;
    const text = JSON.stringify(safe);
    assert.doesNotMatch(text, /tok-|"pw"/);
    assert.equal(safe.appToken, REDACTED);
    assert.equal(safe.app_token, REDACTED);
    assert.equal(safe.nested.deeper[0].token, REDACTED);
    assert.equal(safe.nested.deeper[0].password, REDACTED);
    assert.equal(safe.nested.deeper[0].count, 3);
    assert.equal(safe.nested['X-VTEX-API-AppToken'], REDACTED);
    assert.deepEqual(safe.headers, { 'X-VTEX-API-AppToken': REDACTED, 'X-VTEX-API-AppKey': 'key-visible' });
    assert.equal(safe.vitrineCode, 'demo');
    assert.equal(safe.when, '2026-11-28T10:00:00.000Z');
    assert.equal(safe.error.type, 'Error');
    assert.match(safe.error.message, /X-VTEX-API-AppToken: \[redacted\]/);
    assert.equal(safe.error.cause.headers.authorization, REDACTED);
    assert.equal(value.appToken, 'tok-1', 'the logged object itself is left alone');
  });

  test('secrets inside text are redacted; circular objects do not hang', () => {
    assert.equal(redactText('curl -H "X-VTEX-API-AppToken: abc123" https://x'), 'curl -H "X-VTEX-API-AppToken: [redacted]" https://x');
    assert.equal(redactText('{"appToken":"abc123","appKey":"k"}'), '{"appToken":"[redacted]","appKey":"k"}');
    assert.equal(redactText('Authorization: Bearer eyJ.abc.def'), 'Authorization: [redacted]');
    assert.equal(redactText('postgres://erp:s3cret@db:5432/erp'), 'postgres://erp:[redacted]@db:5432/erp');
    const loop: any = { name: 'a' };
    loop.self = loop;
    assert.deepEqual(redact(loop), { name: 'a', self: '[circular]' });
  });

  test('the Temporal logger adapter writes JSON lines with vitrineCode and runId, tokens redacted', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = new TemporalPinoLogger(createLogger({ level: 'info', destination }));
    logger.info('Activity completed', {
      workflowId: 'vitrine-orders-agro-sul-2026-11-28T10:15:00Z',
      workflowRunId: 'run-1',
      taskToken: 'secret-task-token',
    });
    logger.debug('not written at info');
    logger.warn('call failed with appToken=abc123', { appToken: 'abc123' });
    assert.equal(lines.length, 2);
    const [first, second] = lines.map((line) => JSON.parse(line));
    assert.equal(first.level, 'info');
    assert.equal(first.msg, 'Activity completed');
    assert.equal(first.vitrineCode, 'agro-sul');
    assert.equal(first.runId, 'run-1');
    assert.equal(first.taskToken, REDACTED);
    assert.ok(!Number.isNaN(Date.parse(first.time)));
    assert.equal(second.level, 'warn');
    assert.doesNotMatch(lines[1], /abc123/);
  });

  test('the vitrine code is read from schedule and plain workflow ids only', () => {
    assert.equal(vitrineCodeFromWorkflowId('vitrine-orders-demo-2026-11-28T10:15:00Z'), 'demo');
    assert.equal(vitrineCodeFromWorkflowId('vitrine-orders-agro-sul-2-2026-11-28T10:15:00.123Z'), 'agro-sul-2');
    assert.equal(vitrineCodeFromWorkflowId('vitrine-orders-v-1a2b'), 'v-1a2b');
    assert.equal(vitrineCodeFromWorkflowId('bench-order-123'), undefined);
  });
});

describe('Temporal connection and worker settings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vitrine-tls-'));
  const pem = (name: string, kind: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`);
    return file;
  };
  const cert = pem('client.pem', 'CERTIFICATE');
  const key = pem('client.key', 'PRIVATE KEY');
  const ca = pem('ca.pem', 'CERTIFICATE');
  const configError = (env: NodeJS.ProcessEnv, message: RegExp) =>
    assert.throws(
      () => readWorkerConfig(env),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
    );

  test('defaults: local dev server, plaintext, metrics on 127.0.0.1:9464, log level info', () => {
    const config = readWorkerConfig({});
    assert.equal(config.temporalAddress, '127.0.0.1:7233');
    assert.equal(config.temporalNamespace, 'default');
    assert.equal(config.temporalTls, undefined);
    assert.equal(config.temporalApiKey, undefined);
    assert.equal(config.metricsAddress, DEFAULT_METRICS_ADDRESS);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(temporalConnectionOptions(config), { address: '127.0.0.1:7233', tls: undefined });
    assert.equal(readWorkerConfig({ WORKER_METRICS_ADDRESS: 'off' }).metricsAddress, undefined);
    assert.equal(readWorkerConfig({ WORKER_METRICS_ADDRESS: '' }).metricsAddress, undefined);
    assert.equal(readWorkerConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464', LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
  });

  test('Temporal Cloud with an API key: TLS on, key passed as apiKey; TEMPORAL_TLS=false turns TLS off', () => {
    const env = { TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'my-ns.a1b2c', TEMPORAL_API_KEY: 'eyJhbGciOi.key' };
    assert.deepEqual(temporalConnectionOptions(readConfig(env)), {
      address: 'my-ns.a1b2c.tmprl.cloud:7233',
      tls: {},
      apiKey: 'eyJhbGciOi.key',
    });
    assert.equal(readConfig(env).temporalNamespace, 'my-ns.a1b2c');
    assert.deepEqual(temporalConnectionOptions(readConfig({ ...env, TEMPORAL_TLS: 'false' })), {
      address: env.TEMPORAL_ADDRESS,
      tls: false,
      apiKey: 'eyJhbGciOi.key',
    });
  });

  test('mTLS: the files are read, server name and CA applied; empty variables count as unset', () => {
    const config = readConfig({
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_API_KEY: '',
    });
    assert.equal(config.temporalTls?.serverNameOverride, 'temporal.internal');
    assert.match(Buffer.from(config.temporalTls!.clientCertPair!.crt).toString(), /BEGIN CERTIFICATE/);
    assert.match(Buffer.from(config.temporalTls!.clientCertPair!.key).toString(), /BEGIN PRIVATE KEY/);
    assert.match(Buffer.from(config.temporalTls!.serverRootCACertificate!).toString(), /BEGIN CERTIFICATE/);
    assert.equal(config.temporalApiKey, undefined);
    assert.deepEqual(readConfig({ TEMPORAL_TLS: 'true' }).temporalTls, {});
    // Temporal's own variable names (the `temporal` CLI's) work too.
    const aliased = readConfig({
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
    });
    assert.ok(aliased.temporalTls?.clientCertPair && aliased.temporalTls.serverRootCACertificate);
  });

  test('bad values are one clear ConfigError naming the variable, never echoing a key', () => {
    configError({ TEMPORAL_TLS: 'maybe' }, /^TEMPORAL_TLS must be true or false, got "maybe"$/);
    configError({ TEMPORAL_TLS_CERT: cert }, /both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY; only TEMPORAL_TLS_CERT/);
    configError({ TEMPORAL_TLS_KEY: key }, /only TEMPORAL_TLS_KEY is set/);
    configError({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert }, /only TEMPORAL_TLS_CLIENT_CERT_PATH is set/);
    configError(
      { TEMPORAL_TLS_CERT: path.join(dir, 'missing.pem'), TEMPORAL_TLS_KEY: key },
      /^TEMPORAL_TLS_CERT: cannot read .*missing\.pem: no such file$/,
    );
    configError({ TEMPORAL_TLS_CERT: key, TEMPORAL_TLS_KEY: key }, /TEMPORAL_TLS_CERT: .* is not a PEM certificate/);
    configError({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: cert }, /TEMPORAL_TLS_KEY: .* is not a PEM private key/);
    configError({ TEMPORAL_TLS_CA: dir }, /TEMPORAL_TLS_CA: cannot read .*: it is a directory/);
    configError({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: ca }, /TEMPORAL_TLS is false but TEMPORAL_TLS_CA is set/);
    configError({ TEMPORAL_API_KEY: 'Bearer abc.def' }, /without "Bearer "/);
    configError({ TEMPORAL_API_KEY: 'abc def' }, /contains spaces/);
    configError({ TEMPORAL_ADDRESS: 'https://my-ns.tmprl.cloud:7233' }, /^TEMPORAL_ADDRESS must be host:port/);
    configError({ TEMPORAL_NAMESPACE: 'my ns' }, /^TEMPORAL_NAMESPACE must be one word/);
    configError({ WORKER_METRICS_ADDRESS: '9464' }, /^WORKER_METRICS_ADDRESS must be host:port/);
    configError({ WORKER_METRICS_ADDRESS: '0.0.0.0:70000' }, /^WORKER_METRICS_ADDRESS/);
    configError({ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of trace, debug, info, warn, error/);
    assert.throws(
      () => readConfig({ TEMPORAL_API_KEY: 'abc secret-part' }),
      (e: Error) => !e.message.includes('secret-part'),
    );
  });

  test('the worker and the CLI report a bad setting as one line with a non-zero exit, no stack trace', async () => {
    const worker = startWorker({ TEMPORAL_TLS: 'maybe', WORKER_METRICS_ADDRESS: 'off' });
    assert.equal(await worker.exited, 1);
    assert.equal(worker.stderr(), 'worker: TEMPORAL_TLS must be true or false, got "maybe"\n');
    assert.equal(worker.stdout(), '');

    const cli = spawn(path.join(REPO, 'bin/vitrine'), ['list'], {
      cwd: REPO,
      env: { ...process.env, TEMPORAL_TLS_CERT: cert },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    cli.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => cli.on('close', resolve));
    assert.equal(code, 2);
    assert.equal(stderr, 'vitrine: mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY; only TEMPORAL_TLS_CERT is set\n');
  });
});

describe('metrics port', () => {
  test('the default port taken (another local worker): a warning, and the worker runs without metrics', async () => {
    const holder = await occupy(Number(DEFAULT_METRICS_ADDRESS.split(':')[1]));
    try {
      const worker = startWorker({ WORKER_METRICS_ADDRESS: undefined, TASK_QUEUE: `obs-default-port-${process.pid}` });
      try {
        await waitFor('the worker to poll', () => worker.stdout().includes('worker polling task queue'), 60_000);
      } finally {
        worker.child.kill('SIGTERM');
        // A worker that does not stop by itself must not keep the test file alive.
        setTimeout(() => worker.child.kill('SIGKILL'), 15_000).unref();
      }
      assert.equal(await worker.exited, 0, worker.stderr());
      const records = worker
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      assert.ok(
        records.some((r) => r.level === 'warn' && r.msg.startsWith('no metrics endpoint') && r.metricsAddress === DEFAULT_METRICS_ADDRESS),
      );
      assert.equal(records.find((r) => r.msg === 'worker polling task queue')?.metrics, 'off');
    } finally {
      await holder.close();
    }
  });

  test('an address set explicitly and taken stops the worker with one line', async () => {
    const port = await freePort();
    const holder = await occupy(port);
    try {
      const worker = startWorker({ WORKER_METRICS_ADDRESS: `127.0.0.1:${port}` });
      assert.equal(await worker.exited, 1);
      assert.match(worker.stderr(), /^worker: .*prometheus.*in use.*\n$/i);
      assert.equal(worker.stderr().split('\n').length, 2);
    } finally {
      await holder.close();
    }
  });
});

describe('worker metrics and logs', () => {
  let h: Harness;
  let worker: WorkerProcess | undefined;
  before(async () => {
    h = await startHarness({ withWorker: false });
  });
  after(async () => {
    worker?.child.kill('SIGKILL');
    await h?.close();
  });

  test('a real worker serves the SDK and per-vitrine metrics and logs JSON lines without the app token', async () => {
    const code = await h.addVitrine();
    const appToken = `token-${code}-secret`;
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, {
      generate: 4,
      seed: 11,
      state: 'payment-pending',
    });
    await h.sim('POST', `/_sim/${code}/orders`, {
      ...specExample(),
      orderId: '5550001112223-01',
      status: 'ready-for-handling',
      items: 'not a list',
    });

    const port = await freePort();
    // Debug level: the SDK's own activity and workflow logs (with their task tokens) are written too.
    worker = startWorker({ ...h.cliEnv, WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`, LOG_LEVEL: 'debug' });
    const first = await h.runImport(code);
    assert.deepEqual([first.imported, first.blocked], [4, 1]);

    for (const orderId of orderIds.slice(0, 2)) await h.sim('POST', `/_sim/${code}/orders/${orderId}/state`, { state: 'payment-approved' });
    const second = await h.runImport(code);
    assert.deepEqual([second.imported, second.updated, second.blocked], [0, 2, 0]);

    const samples = parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'temporal_request',
      'temporal_worker_task_slots_available',
      'temporal_workflow_completed',
      // These runs' pages are small: their order steps run as local activities.
      'temporal_local_activity_execution_latency_count',
    ]) {
      assert.ok(names.has(name), `${name} is served (got ${[...names].filter((n) => n.startsWith('temporal_')).join(', ')})`);
    }
    const vitrine = { vitrine: code };
    assert.equal(sum(samples, METRICS.ordersImported.name, vitrine), 4);
    assert.equal(sum(samples, METRICS.ordersUpdated.name, vitrine), 2);
    assert.equal(sum(samples, METRICS.ordersBlocked.name, vitrine), 1);
    assert.equal(sum(samples, `${METRICS.runDuration.name}_count`, { ...vitrine, status: 'completed' }), 2);
    assert.ok(sum(samples, `${METRICS.runDuration.name}_sum`, vitrine) > 0);
    // The vitrine's health, read when the worker started (and every minute): nothing to see.
    for (const metric of Object.values(HEALTH_METRICS).filter((m) => m !== HEALTH_METRICS.attention)) {
      assert.ok(
        samples.some((s) => s.name === metric.name && s.labels.vitrine === code),
        `${metric.name} is served`,
      );
      assert.equal(sum(samples, metric.name, vitrine), 0);
    }
    assert.equal(sum(samples, HEALTH_METRICS.attention.name, { ...vitrine, kind: 'runs-failing' }), 0);

    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
    const stdout = worker.stdout();
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const records = lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
    for (const record of records)
      assert.ok(record.level && record.time && typeof record.msg === 'string', JSON.stringify(record).slice(0, 200));

    const ofVitrine = records.filter((r) => r.vitrineCode === code);
    const completed = ofVitrine.filter((r) => r.msg === 'import run completed');
    assert.equal(completed.length, 2);
    assert.ok(completed.every((r) => typeof r.runId === 'string' && typeof r.workflowId === 'string' && Number.isInteger(r.importRunId)));
    assert.deepEqual([completed[0].imported, completed[0].blocked, completed[1].updated], [4, 1, 2]);
    assert.ok(ofVitrine.some((r) => r.msg === 'orders blocked' && r.blocked === 1));
    assert.ok(
      ofVitrine.some((r) => r.sdkComponent === 'activity' || r.sdkComponent === 'workflow'),
      'the SDK logs carry the vitrine code too',
    );
    const withTaskToken = records.filter((r) => r.taskToken !== undefined);
    assert.ok(withTaskToken.length > 0 && withTaskToken.every((r) => r.taskToken === REDACTED));

    assert.ok(!stdout.includes(appToken), 'the app token is not in stdout');
    assert.ok(!worker.stderr().includes(appToken), 'the app token is not in stderr');
  });
});
