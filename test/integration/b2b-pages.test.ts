/**
 * A worker survives any page: B2B orders in VTEX's full document shape (about 4.7 KB a line, a
 * page of 500 orders of 16 lines is 40 MB of JSON) and a 1,000-line order import through a worker
 * started as production starts it (bin/worker: a 128 MB old generation), its RSS sampled; a
 * document over the 5 MB limit is blocked with its size; a worker SIGKILLed mid-page is followed
 * by the restarted one within a minute, nothing lost or twice; an order the worker dies reading
 * is blocked once it has killed one reading it alone, while another vitrine on the same worker
 * goes on importing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliJson, runCli } from '../support/cli';
import { freePort } from '../support/ports';
import { startHarness, type Harness } from '../support/importHarness';
import { REPO } from '../support/services';
import { until } from '../support/until';

/** Every worker process a test started: each is killed at the end, or the test process would wait for it. */
const started: ChildProcess[] = [];

/** A worker as production starts it: bin/worker, its heap settings, its own process. */
function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(path.join(REPO, 'bin/worker'), [], {
    cwd: REPO,
    env: { ...process.env, ...env, WORKER_METRICS_ADDRESS: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.push(child);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** The peak VmRSS of a process, sampled every 100 ms until stopped. */
function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const read = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // The process is gone.
    }
  };
  const timer = setInterval(read, 100);
  return {
    stop() {
      clearInterval(timer);
      read();
      return peak;
    },
  };
}

const MB = 1024 * 1024;

describe('B2B pages and workers that die', () => {
  let h: Harness;
  const db = () => h.database.db;
  const countOf = async (code: string, table = 'sales_orders') =>
    Number((await db()(`${table} as o`).join('vitrines as v', 'v.id', 'o.vitrine_id').where('v.code', code).count({ n: '*' }))[0].n);

  before(async () => {
    h = await startHarness({ withWorker: false });
  });
  after(async () => {
    for (const child of started.splice(0)) await kill(child);
    await h?.close();
  });

  test('a page of 500 orders of 16 lines in the full shape and an order of 1,000 lines import whole, the worker under 256 MB', async () => {
    const code = await h.addVitrine();
    const page = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 500, seed: 16, lines: 16 });
    const large = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 1, seed: 1000, lines: 1000 });
    const sample = await h.platformOrder(code, page.orderIds[0]);
    const big = await h.platformOrder(code, large.orderIds[0]);
    const pageBytes = Buffer.byteLength(JSON.stringify(sample)) * 500;
    assert.ok(pageBytes > 30 * MB, `the page is tens of MB of JSON (${(pageBytes / MB).toFixed(1)} MB)`);
    assert.ok(
      sample.items[0].priceTags.length > 0 && sample.items[0].itemAttachment.name && sample.shippingData.logisticsInfo[0].slas.length > 1,
    );
    const bigBytes = Buffer.byteLength(JSON.stringify(big));
    assert.ok(bigBytes > 4 * MB && bigBytes < 5 * MB, `the 1,000-line order is ${(bigBytes / MB).toFixed(2)} MB`);

    const worker = startWorker(h.cliEnv);
    const rss = sampleRss(worker.pid!);
    const summary = await h.runImport(code);
    const peak = rss.stop();
    await kill(worker);
    assert.deepEqual([summary.imported, summary.blocked, summary.committed], [501, 0, 501], JSON.stringify(summary));
    assert.equal(await countOf(code), 501);
    const lines = Number(
      (
        await db()('sales_order_items as i')
          .join('sales_orders as o', 'o.id', 'i.sales_order_id')
          .join('vitrines as v', 'v.id', 'o.vitrine_id')
          .where('v.code', code)
          .count({ n: '*' })
      )[0].n,
    );
    assert.equal(lines, 500 * 16 + 1000);
    const bigOrder = await db()('sales_orders').where({ external_order_id: large.orderIds[0] }).first('total_cents', 'items_total_cents');
    assert.equal(bigOrder.total_cents, big.value);
    console.log(`worker peak RSS ${(peak / MB).toFixed(1)} MB over ${((pageBytes + bigBytes) / MB).toFixed(1)} MB of documents`);
    assert.ok(peak > 0 && peak < 256 * MB, `worker peak RSS ${(peak / MB).toFixed(1)} MB`);
  });

  test('documents over 5 MB are blocked with their size, the rest of their page imports, and a healthy vitrine on the same worker imports beside them', async () => {
    const code = await h.addVitrine();
    const healthy = await h.addVitrine();
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 3, seed: 7, lines: 2 });
    const base = await h.platformOrder(code, orderIds[0]);
    // Three orders of 3,000 lines of the full shape: about 7 MB each.
    const [line] = base.items;
    const huge = [1, 2, 3].map((n) => ({
      ...structuredClone(base),
      orderId: `${String(base.orderId).replace(/-\d+$/, '')}${n}-01`,
      items: Array.from({ length: 3000 }, (_, i) => ({ ...line, uniqueId: `u${n}-${i}`, id: String(5000 + i) })),
    }));
    await h.sim('POST', `/_sim/${code}/orders`, huge);
    const hugeBytes = Buffer.byteLength(JSON.stringify(huge[0]));
    assert.ok(hugeBytes > 5 * MB, `${hugeBytes} bytes`);
    await h.sim('POST', `/_sim/${healthy}/orders`, { generate: 200, seed: 8 });

    const worker = startWorker(h.cliEnv);
    const [summary, healthyRun] = await Promise.all([h.runImport(code), h.runImport(healthy)]);
    await kill(worker);
    assert.deepEqual([summary.imported, summary.blocked], [3, 3], JSON.stringify(summary));
    assert.deepEqual([healthyRun.imported, healthyRun.blocked], [200, 0], JSON.stringify(healthyRun));
    assert.equal(await countOf(healthy), 200);
    for (const order of huge) {
      const blocked = await db()('blocked_orders').where({ external_order_id: order.orderId }).first('reason');
      assert.match(blocked.reason, /^order document of \d+(\.\d)? MB is over the 5 MB limit \(VTEX getOrder /);
      const mb = Number(/of ([\d.]+) MB/.exec(blocked.reason)![1]);
      assert.ok(Math.abs(mb - hugeBytes / MB) < 0.15, `${blocked.reason} for ${(hugeBytes / MB).toFixed(2)} MB`);
    }
  });

  test('SIGKILL mid-page: the restarted worker resumes the run within a minute, every order once', async () => {
    const code = await h.addVitrine();
    const total = 500;
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: total, seed: 5, lines: 16 });
    // The platform answers the page's feed reads and 250 of its Get order calls, then holds the worker's next request.
    await h.sim('POST', `/_sim/${code}/hold`, { hold: true, after: 50 + 250 });
    let worker = startWorker(h.cliEnv);
    const { workflowId } = await cliJson(['run', code], h.cliEnv);
    await h.sim('GET', `/_sim/${code}/held?atLeast=1&timeoutMs=120000`);
    await kill(worker);
    const read = (await h.sim('GET', `/_sim/${code}/stats`)).getOrderCalls;
    assert.ok(read > 0 && read < total, `the worker died in the middle of the page (${read} of ${total} orders read)`);
    await h.sim('POST', `/_sim/${code}/hold`, { hold: false });

    const restartedAt = Date.now();
    worker = startWorker(h.cliEnv);
    const summary = await h.temporal.client.workflow.getHandle(workflowId).result();
    const resumedIn = Date.now() - restartedAt;
    await kill(worker);
    assert.ok(resumedIn < 60_000, `the run finished ${resumedIn} ms after the restart`);
    assert.equal(summary.imported, total, JSON.stringify(summary));
    const rows = await db()('sales_orders as o')
      .join('vitrines as v', 'v.id', 'o.vitrine_id')
      .where('v.code', code)
      .pluck('o.external_order_id');
    assert.equal(rows.length, total);
    assert.deepEqual(new Set(rows), new Set(orderIds));
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.equal(stats.committed, total);
  });

  /**
   * The killer order's Get order never answers, and the test kills the worker each time it is
   * being read, as a document that kills its worker would. A large page's steps are activities:
   * the restarted worker takes the step over after its heartbeat timeout. A small page's steps run
   * in the workflow task: a worker that dies there loses the page it read, and the orders come back
   * on another page once the platform's visibility timeout makes them visible again.
   */
  async function killerOrder(orders: number, pageKind: string, seed: number): Promise<void> {
    const sick = await h.addVitrine();
    const healthy = await h.addVitrine();
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${sick}/orders`, { generate: orders, seed, lines: 4 });
    const killer = orderIds[7];
    await h.sim('POST', `/_sim/${sick}/faults`, { hangOrderIds: [killer] });
    await h.sim('POST', `/_sim/${sick}/settings`, { visibilityTimeoutMs: 3000 });
    await h.sim('POST', `/_sim/${healthy}/orders`, { generate: 30, seed: seed + 1, lines: 4 });
    const inFlight = async () =>
      ((await db()('order_fetches_in_flight as f').join('vitrines as v', 'v.id', 'f.vitrine_id').where('v.code', sick).first('f.order_ids'))
        ?.order_ids ?? []) as string[];
    const killerReads = async () => (await h.sim('GET', `/_sim/${sick}/stats`)).faultTimeouts as number;
    const env = { ...h.cliEnv, PLATFORM_TIMEOUT_MS: '120000' };

    let worker = startWorker(env);
    const { workflowId } = await cliJson(['run', sick], h.cliEnv);
    // First death: the page's orders were being read together, the killer among them.
    await until(
      async () => (await inFlight()).includes(killer) && (await killerReads()) >= 1,
      `${pageKind}: the killer read with its page`,
      60_000,
    );
    assert.ok((await inFlight()).length > 8);
    await kill(worker);
    worker = startWorker(env);
    // Second death: the restarted worker reads the suspects in groups of 8, and dies on the killer's.
    await until(
      async () => {
        const group = await inFlight();
        return group.includes(killer) && group.length > 1 && group.length <= 8 && (await killerReads()) >= 2;
      },
      `${pageKind}: the killer read in a group of 8`,
      90_000,
    );
    await kill(worker);
    worker = startWorker(env);
    // Third death: that group read one order at a time, the killer alone.
    await until(
      async () => JSON.stringify(await inFlight()) === JSON.stringify([killer]) && (await killerReads()) >= 3,
      `${pageKind}: the killer read alone`,
      90_000,
    );
    await kill(worker);
    worker = startWorker(env);
    const healthyRun = await h.runImport(healthy);
    assert.equal(healthyRun.imported, 30, `${pageKind}: ${JSON.stringify(healthyRun)}`);
    const summary = await h.temporal.client.workflow.getHandle(workflowId).result();
    await kill(worker);
    assert.deepEqual([summary.imported, summary.blocked], [orders - 1, 1], `${pageKind}: ${JSON.stringify(summary)}`);
    assert.equal(await killerReads(), 3, `${pageKind}: the killer was not read a fourth time`);
    const blocked = await db()('blocked_orders').where({ external_order_id: killer }).first('reason');
    assert.match(
      blocked.reason,
      /^the worker stopped while reading this order on its own \(3 worker stops in a row reading the vitrine's orders\)/,
    );
    assert.equal(await countOf(sick), orders - 1);
    assert.equal(await countOf(healthy), 30);
    assert.deepEqual(await inFlight(), [], `${pageKind}: nothing left in flight`);
    assert.equal((await h.sim('GET', `/_sim/${sick}/stats`)).committed, orders, `${pageKind}: every queue item acknowledged`);
  }

  test('an order a worker dies reading alone is blocked, on a large page; another vitrine on the same worker goes on importing', async () => {
    await killerOrder(60, 'large page', 90);
  });

  test('an order a worker dies reading alone is blocked, on a small page whose orders come back on another page', async () => {
    await killerOrder(20, 'small page', 92);
  });

  test('a worker that died and was started again shows in vitrine status, status --all and the metrics; a clean stop does not', async () => {
    // A task queue of its own: the worker's identity (host and task queue) has no starts yet.
    const taskQueue = `restarts-${Date.now().toString(36)}`;
    const identity = `${hostname()}/${taskQueue}`;
    const env = { ...h.cliEnv, TASK_QUEUE: taskQueue };
    const recorded = async (child: ChildProcess) =>
      until(
        async () => (await db()('worker_starts').where({ identity, pid: child.pid })).length === 1,
        'the worker start recorded',
        60_000,
      );
    // status --all exits 3 while a worker restarted within the hour: its JSON is read all the same.
    const restartsSeen = async () => {
      const result = await runCli(['status', '--all', '--json'], h.cliEnv);
      const workers = (JSON.parse(result.stdout) as { workers: Array<{ identity: string; restarts: number }> }).workers;
      return workers.find((w) => w.identity === identity)?.restarts ?? 0;
    };

    const first = startWorker(env);
    await recorded(first);
    await kill(first);
    const port = await freePort();
    const second = spawn(path.join(REPO, 'bin/worker'), [], {
      cwd: REPO,
      env: { ...process.env, ...env, WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    started.push(second);
    await recorded(second);
    assert.equal(await restartsSeen(), 1, 'status --all --json lists the worker with one restart');
    const all = await runCli(['status', '--all'], h.cliEnv);
    assert.equal(all.code, 3, all.stdout + all.stderr);
    // The workers of the file's other tests, killed on purpose, are listed too.
    const restarting = all.stdout.split('\n').find((line) => line.startsWith('workers restarting: ')) ?? '';
    assert.ok(restarting.includes(`${identity}: died and restarted 1 time in the last 1 h`), all.stdout);
    let metrics = '';
    await until(
      async () => {
        metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        return metrics.includes('vitrine_worker_restarts');
      },
      'the restarts gauge served',
      60_000,
    );
    assert.match(metrics, new RegExp(`^vitrine_worker_restarts\\{[^}]*worker="${identity}"[^}]*\\} 1$`, 'm'));

    // A worker that shuts down by itself (SIGTERM) is no death: the next start adds no restart.
    second.kill('SIGTERM');
    await once(second, 'exit');
    const third = startWorker(env);
    await recorded(third);
    assert.equal(await restartsSeen(), 1);
    await kill(third);
  });
});
