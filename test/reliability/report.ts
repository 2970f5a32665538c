/** docs/RELIABILITY.md, written from one full run's report: every figure in it comes from that run. */
import type { SuiteReport } from './suite';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)} %` : '-');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderReliabilityDoc(r: SuiteReport): string {
  const o = r.options;
  const f = r.faults.stats;
  const c = r.crash.stats;
  const passed = r.checks.filter((x) => x.ok).length;
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);

  add(
    '# Reliability',
    '',
    'The product promises that an import can crash anywhere and resume with no lost and no duplicated',
    'order. The reliability suite checks that promise against the real worker process, a real Temporal',
    'server, a real Postgres and the VTEX simulator (`src/simulator`), with faults injected on purpose.',
    '',
    'The figures under [Last full run](#last-full-run) were written by `npm run test:reliability` from that',
    'run (the raw report, with every kill and run, is in `.data/reliability/report-*.json`).',
    '',
    '## How to run',
    '',
    '| command | what | time |',
    '| --- | --- | --- |',
    '| `npm test` | the whole test suite, with the quick part `test/e2e/reliability-quick.test.ts`: 2,000 orders and 3 worker kills; 300 orders behind the platform faults with the 404, repeated and out-of-order events; the secret, history and expression checks | that file: a few minutes; its import phase is cut after 5 minutes |',
    '| `npm test -- test/e2e/reliability-quick.test.ts` | the quick part alone | |',
    `| \`npm run test:reliability\` | the full suite below; writes this file | ${Math.ceil(r.durations.totalMs / 60_000)} minutes in the last run |`,
    '',
    'On a Temporal cluster (`npm run stack:up -- --cluster --no-worker`, then `npm run test:reliability`)',
    'the whole cluster is restarted instead of the dev server (`scripts/temporal-cluster.sh stop`, `start`),',
    'and one of its two history hosts is lost: `history-a` is killed with SIGKILL mid-import; all 16',
    "shards must move to `history-b` (read from the `shards` table of the cluster's database) while the",
    'import goes on, and shards must move back once it is started again. That run writes',
    '`docs/RELIABILITY-CLUSTER.md`; the quick test does the same history-host loss when the stack is a cluster.',
    '',
    "`npm run test:reliability` (`scripts/reliability.sh`) starts the project's stack",
    '(`scripts/stack.sh up --no-worker`) unless it is up, and stops it at the end if it started it. It',
    "restarts the stack's Temporal dev server and its project-local Postgres cluster, so it refuses a",
    'stack on an external `DATABASE_URL`. Options after `--`: `--seed N` (kill moments, restart moments',
    'and the orders are drawn from it; the fault draws depend on the order of requests too),',
    '`--orders N` (6000: more pages of 500 than kills), `--kills N` (10), `--fault-orders N` (1000), `--no-restarts`, `--no-doc` (leave',
    "this file alone), `--doc PATH`. The worker's output is kept in `.data/reliability/worker-*.log`.",
    '',
    '## What the suite does',
    '',
    'It creates a database of its own, an in-process simulator, and two vitrines with the CLI',
    '(`vitrine add`), both imported at once by one worker process (`node dist/worker/main.js`)',
    'on a task queue of its own; runs are started with `vitrine run <code>`, as an admin would.',
    '',
    '- **Crashes** (vitrine `crash`): the simulator holds N generated orders (one feed event each) and',
    '  answers every request after a fixed latency, so that the import lasts long enough to be hit.',
    '  The worker is killed with SIGKILL at random moments (a delay drawn from a seeded PRNG, counted',
    '  from when the import moves again after the previous kill), and started again at once, as a',
    '  process manager would. After some kills the',
    '  Temporal dev server (`scripts/temporal.sh stop`, `start` on the same port, state kept in',
    '  `.data/temporal.db`) and Postgres (`scripts/postgres.sh stop`, `start`) are restarted mid-import. A',
    '  worker that dies by itself (e.g. while Postgres is away) is started again too, and counted.',
    '- **Platform faults** (vitrine `faults`): every platform request of that vitrine may get HTTP',
    '  500/503 (10 %), no answer (5 %, the connector gives up after `PLATFORM_TIMEOUT_MS`), HTTP 429',
    '  with `Retry-After: 1` (2 %); 1 % of the orders answer a malformed document (`clientProfileData`',
    '  null or `items` not an array, decided by the order id, so the suite knows which). Besides, some',
    "  orders get two repeated events (half right after, half at the end of the queue), one order's",
    '  `payment-approved` event comes first and its `payment-pending` ("created") event last, and one',
    '  event names an order the platform answers 404 for (`POST /_sim/{account}/events`).',
    "- Items that a killed worker had read but not acknowledged come back after the simulator's",
    '  visibility timeout; once the first runs finish, the suite runs the import again until both',
    '  queues are empty, as the next scheduled runs would.',
    "- A run in which neither the ERP nor the platform's commits move for a while is reported as stuck,",
    '  with the activity it keeps retrying and its last failure.',
    '',
    '- **Atualização de Status**: once the import is checked, orders of the crash vitrine are invoiced,',
    '  given a tracking number and delivered in the ERP (the functions `vitrine orders invoice | tracking |',
    '  deliver` run), while the platform answers 500/503 and 429 and sometimes not at all, the worker is',
    '  killed at random moments and the Temporal dev server and Postgres are restarted; then every',
    '  notification must be sent, none blocked, and the simulator must count each start-handling, invoice,',
    '  tracking number and delivery applied once (its effective changes, apart from the requests).',
    '',
    'Then it checks:',
    '',
    '- every order of the simulator is in `sales_orders` exactly once (the sets of ids are compared;',
    '  order codes are distinct), each with as many items and payments as its document, and one',
    '  `import` entry in its status history; malformed orders and the 404 one are not there;',
    '- `blocked_orders` holds exactly the malformed orders (reason `invalid platform order: ...`) and',
    '  the 404 one (reason `... HTTP 404`); the out-of-order order is "Pagamento confirmado" and never',
    '  went back; repeated events made no second order;',
    "- both queues are empty (`feedPending` = `feedInFlight` = 0) and the simulator's commit count",
    '  equals the number of events (each event acknowledged, none lost);',
    '- every workflow run and every `import_runs` row completed, and no queue page is left in',
    '  `queue_pages` (pages fetched by attempts a kill cut short go with their run);',
    "- the app tokens are in none of: the worker's stdout and stderr, any CLI output (`vitrine list`",
    '  shows them as encrypted), `integration_log`, `import_runs`, blocked reasons, and the Temporal history of',
    '  every run (workflow inputs, results, activity inputs, results and failures; payloads decoded);',
    "- no customer value (name, e-mail, CPF/CNPJ, phone, street, state registration: from the ERP's",
    "  customers and from the simulator's documents) is in the Temporal history of any run;",
    "- expressions (`src/erp/expressions.ts`, the vitrine's default-field rules) cannot reach the process,",
    '  the environment, files or the network: `$eval`, `$string(process)`, `require`, the Function',
    '  constructor through `constructor` and `__proto__`, a recursion bomb and loops each either fail',
    '  with an ExpressionError or yield nothing (no environment value, no file content), within 2 s.',
    '',
    '## Last full run',
    '',
    `**${passed} of ${r.checks.length} checks passed.**`,
    '',
    '| | |',
    '| --- | --- |',
    `| date | ${r.startedAt} to ${r.finishedAt} |`,
    `| machine | ${r.machine.cpus} CPUs (${cell(r.machine.cpuModel)}), ${r.machine.memoryGiB} GiB memory, Linux ${r.machine.kernel}, Node ${r.machine.node} |`,
    `| Temporal | ${o.engine ?? 'the dev server (scripts/temporal.sh)'} |`,
    `| seed | ${r.seed} |`,
    `| orders | ${r.crash.orders} (crash vitrine) + ${r.faults.generated} (fault vitrine, ${r.faults.malformed.length} of them malformed) + 1 order the platform does not have |`,
    `| feed events | ${r.crash.events} + ${r.faults.events} (${r.faults.duplicates.length} orders with 2 repeated events, 1 late event, 1 for the 404 order) |`,
    `| worker kills (SIGKILL) | ${r.crash.kills.length} |`,
    `| restarts | ${r.restarts.map((x) => `${x.service} after kill ${x.afterKill}`).join(', ') || 'none'} |`,
    `| worker exits on its own | ${r.unexpectedWorkerExits} (each started again after 1 s) |`,
    `| settings | crash latency ${o.crashLatencyMs} ms per request, kill delay ${s(o.killUptimeMs[0])} to ${s(o.killUptimeMs[1])} after the import moved again, visibility timeout ${s(o.visibilityTimeoutMs)}, connector timeout ${s(o.platformTimeoutMs)} |`,
    `| durations | setup ${s(r.durations.setupMs)}, import (first runs and drain runs) ${s(r.durations.importMs)}, checks ${s(r.durations.checksMs)}, total ${s(r.durations.totalMs)} |`,
    '',
    '### Kills',
    '',
    "Time since the import started; the drawn delay (from the moment the restarted worker's import",
    "moved again, so that every kill interrupts work) and the worker's whole uptime; the crash",
    "vitrine's orders in the ERP at that moment; the activities the run had in flight.",
    '',
    '| # | at | delay | uptime | imported | in flight |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.crash.kills.map(
      (k) =>
        `| ${k.n} | ${s(k.atMs)} | ${s(k.delayMs)} | ${s(k.uptimeMs)} | ${k.imported} of ${r.crash.orders} | ${k.pendingActivities.join(', ') || '-'} |`,
    ),
    '',
  );
  if (r.restarts.length) {
    add(
      '### Restarts',
      '',
      '| service | after kill | at | imported before | down and back took | seen |',
      '| --- | --- | --- | --- | --- | --- |',
      ...r.restarts.map(
        (x) =>
          `| ${x.service} | ${x.afterKill} | ${s(x.atMs)} | ${x.importedBefore} of ${r.crash.orders} | ${s(x.tookMs)} | ${x.outcome?.detail ?? 'stopped, 3 s down, started'} |`,
      ),
      '',
    );
  }
  add(
    '### Platform faults injected (simulator counters)',
    '',
    '| | fault vitrine | crash vitrine |',
    '| --- | --- | --- |',
    `| platform requests | ${f.platformRequests} | ${c.platformRequests} |`,
    `| HTTP 500/503 | ${f.faultErrors} (${pct(f.faultErrors, f.platformRequests)}) | ${c.faultErrors} |`,
    `| timeouts (no answer) | ${f.faultTimeouts} (${pct(f.faultTimeouts, f.platformRequests)}) | ${c.faultTimeouts} |`,
    `| HTTP 429 with Retry-After | ${f.faultRateLimited} (${pct(f.faultRateLimited, f.platformRequests)}) | ${c.faultRateLimited} |`,
    `| malformed order documents served | ${f.faultMalformed} (${r.faults.malformed.length} distinct orders) | ${c.faultMalformed} |`,
    `| Get order calls answered | ${f.getOrderCalls} | ${c.getOrderCalls} |`,
    `| feed reads, items delivered | ${f.feedRetrievals}, ${f.feedItemsDelivered} | ${c.feedRetrievals}, ${c.feedItemsDelivered} |`,
    `| commit calls, events committed | ${f.commitCalls}, ${f.committed} of ${f.eventsEmitted} | ${c.commitCalls}, ${c.committed} of ${c.eventsEmitted} |`,
    '',
    '### Runs',
    '',
    '| vitrine | workflow | why | status | fetched | imported | updated | unchanged | blocked | committed | continued as new |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.runs.map((run) => {
      const x = (run.summary ?? {}) as Record<string, unknown>;
      const v = (k: string) => (x[k] === undefined ? '-' : String(x[k]));
      return `| ${run.vitrine.startsWith('rel-crash') ? 'crash' : 'faults'} | \`${run.workflowId}\` | ${run.why} | ${run.status} | ${v('fetched')} | ${v('imported')} | ${v('updated')} | ${v('unchanged')} | ${v('blocked')} | ${v('committed')} | ${v('continuations')} |`;
    }),
    '',
    `Drain runs after the first ones: crash ${r.drainRounds[r.crash.code] ?? 0}, faults ${r.drainRounds[r.faults.code] ?? 0}.`,
    '',
    '### Activity retries (from Temporal history)',
    '',
    'For each activity, the retries are the attempts before the last one (`attempt` of its',
    '`ActivityTaskStarted` event, or of the marker a local activity records, minus one); timeouts are',
    'activities whose last attempt timed out.',
    '',
    '| vitrine | executions | history events | retries by activity | timeouts |',
    '| --- | --- | --- | --- | --- |',
    ...r.histories.map((h) => {
      const retries =
        Object.entries(h.retries)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none';
      const timeouts =
        Object.entries(h.timeouts)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none';
      return `| ${h.vitrine.startsWith('rel-crash') ? 'crash' : 'faults'} | ${h.executions} | ${h.events} | ${retries} | ${timeouts} |`;
    }),
    '',
  );
  if (r.statusUpdates) {
    const s = r.statusUpdates;
    add(
      '### Atualização de Status',
      '',
      `${s.orders} orders invoiced, tracked and delivered; ${s.kills.length} kills (at ${s.kills.map((k) => `${(k.atMs / 1000).toFixed(1)} s`).join(', ')})` +
        `${s.restarts.length ? `, restarts: ${s.restarts.map((x) => `${x.service} at ${(x.atMs / 1000).toFixed(1)} s (back in ${(x.tookMs / 1000).toFixed(1)} s)`).join(', ')}` : ''}; ` +
        `every notification sent in ${(s.tookMs / 1000).toFixed(1)} s.`,
      '',
      '| on the platform | applied | requests |',
      '| --- | --- | --- |',
      `| start-handling | ${s.stats.startHandlingApplied} | ${s.stats.startHandlingRequests} |`,
      `| invoices | ${s.stats.invoicesApplied} | ${s.stats.invoiceCalls} |`,
      `| tracking number and delivery | ${s.stats.trackingApplied} | ${s.stats.trackingCalls} |`,
      `| faults injected | 5xx ${s.stats.faultErrors}, 429 ${s.stats.faultRateLimited}, timeouts ${s.stats.faultTimeouts} | |`,
      '',
    );
  }
  if (r.push) {
    const p = r.push;
    add(
      '### Push mode (orders hook)',
      '',
      `${p.orders} orders approved at ${p.ratePerSecond} a second with the hook on; worker killed at ${p.kills.map((k) => `${(k.atMs / 1000).toFixed(1)} s`).join(', ')}` +
        `, the hook receiver killed at ${p.receiverRestartAtMs === null ? 'never' : `${(p.receiverRestartAtMs / 1000).toFixed(1)} s`} and started again; ` +
        `every order in the ERP ${(p.tookMs / 1000).toFixed(1)} s after the first approval, in ${p.runs} runs (${p.hookRuns} served notifications); ${p.drainRounds} runs more drained the feed's copies of their events.`,
      '',
      '| notifications | delivered | tries | failed tries | dropped |',
      '| --- | --- | --- | --- | --- |',
      `| ${p.stats.hookNotifications} | ${p.stats.hookDelivered} | ${p.stats.hookAttempts} | ${p.stats.hookFailures} | ${p.stats.hookDropped} |`,
      '',
    );
  }
  if (r.b2b) {
    const b = r.b2b;
    add(
      '### B2B page',
      '',
      `${b.orders - 1} orders of ${b.lines} lines and one of ${b.largeLines} in VTEX's full document shape (${b.documentMb} MB of documents), ` +
        `imported by a worker started by \`bin/worker\` (its production heap settings). The worker was SIGKILLed ${(b.killAtMs / 1000).toFixed(1)} s in, ` +
        `${b.readAtKill} of ${b.orders} documents read; the restarted worker read on ${(b.resumedInMs / 1000).toFixed(1)} s after its start and ` +
        `the run ended ${(b.finishedAfterRestartMs / 1000).toFixed(1)} s after it (${(b.tookMs / 1000).toFixed(1)} s in all). ` +
        `Worker peak RSS, both processes: ${b.peakRssMb} MB. Get order calls: ${b.stats.getOrderCalls} for ${b.orders} orders.`,
      '',
    );
  }
  if (r.stuck.length) {
    add('### Runs that did not finish', '', ...r.stuck.map((x) => `- ${cell(x)}`), '');
  }
  add(
    '### Checks',
    '',
    '| result | check | figures |',
    '| --- | --- | --- |',
    ...r.checks.map(
      (x) =>
        `| ${x.ok ? 'pass' : '**FAIL**'} | ${cell(x.name)} | ${cell(x.detail.length > 400 ? `${x.detail.slice(0, 400)}...` : x.detail)} |`,
    ),
    '',
  );
  return `${lines.join('\n')}\n`;
}
