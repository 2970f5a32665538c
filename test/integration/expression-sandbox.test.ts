/**
 * Default-field expressions in the sandbox, through the product: each hostile expression is
 * refused on save (one line, exit 2), fails its preview on the order it targets (CLI and
 * backoffice), and at import blocks only that order, with the reason, in under a second; the
 * worker and the run go on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildBackoffice } from '../../src/backoffice/server';
import { existingTemporal } from '../../src/shared/temporalAccess';
import { addUser, BackofficeClient } from '../support/backofficeSession';
import { runCli } from '../support/cli';
import { HOSTILE_EXPRESSIONS } from '../support/hostileExpressions';
import { startHarness, type Harness } from '../support/importHarness';

/** The expression aimed at one order: the sample order of save (and any other order) gets "F". */
/** Why an expression failed: the sandbox's limits, or JSONata's own refusal. */
const REASON =
  /customer default tipo_pessoa: (expression (ran longer|used more|nests deeper|result is larger|failed|made a text)|The |Invalid string length|Syntax error)/;

const aimedAt = (orderId: string, hostile: string) => `order.externalOrderId = "${orderId}" ? (${hostile}) : "F"`;

describe('hostile default-field expressions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  test(`${HOSTILE_EXPRESSIONS.length} hostile expressions fail on save, preview and import, each for its own order`, async () => {
    assert.ok(HOSTILE_EXPRESSIONS.length >= 30);
    const code = await h.addVitrine({ prefix: 'HX' });
    const backoffice = await buildBackoffice({
      db: h.database.db,
      taskQueue: h.taskQueue,
      temporal: existingTemporal(h.temporal.client, h.temporal.address),
    });
    await backoffice.listen({ port: 0, host: '127.0.0.1' });
    const admin = new BackofficeClient(`http://localhost:${(backoffice.server.address() as { port: number }).port}`);
    await addUser(h.cliEnv, 'admin@loja.example', 'admin');
    await admin.login('admin@loja.example');
    try {
      let seed = 100;
      for (const [hostile, what] of HOSTILE_EXPRESSIONS) {
        // Save: the sample order runs into it, so it is refused with one line.
        let started = Date.now();
        const refused = await runCli(['customer-defaults', code, 'set', 'tipo_pessoa', '--', hostile], h.cliEnv);
        assert.equal(refused.code, 2, `${what}: save refused`);
        assert.match(refused.stderr, /^vitrine: customer default tipo_pessoa: .+\n$/, `${what}: one line`);
        assert.ok(Date.now() - started < 1500, `${what}: save answered in ${Date.now() - started} ms`);

        // Aimed at one order, it passes save (the sample order gets "F") and fails that order only.
        const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 2, seed: seed++ });
        const [target, innocent] = orderIds;
        const saved = await runCli(['customer-defaults', code, 'set', 'tipo_pessoa', '--', aimedAt(target, hostile)], h.cliEnv);
        assert.equal(saved.code, 0, `${what}: aimed save: ${saved.stderr}`);

        started = Date.now();
        const preview = await runCli(['customer-defaults', code, 'preview', '--order', target], h.cliEnv);
        assert.equal(preview.code, 2, `${what}: preview fails`);
        assert.match(preview.stderr, /^vitrine: customer default tipo_pessoa: .+\n$/);
        assert.match(preview.stderr, REASON);
        assert.ok(Date.now() - started < 1500, `${what}: preview answered in ${Date.now() - started} ms`);
        const page = await admin.get(`/vitrines/${code}/defaults?preview=customer&order=${target}`);
        assert.equal(page.status, 400, `${what}: backoffice preview refused`);
        assert.match(page.body, REASON);
        const fine = await runCli(['customer-defaults', code, 'preview', '--order', innocent, '--json'], h.cliEnv);
        assert.deepEqual(JSON.parse(fine.stdout), { tipo_pessoa: 'F' }, `${what}: the other order previews`);

        const summary = await h.runImport(code);
        assert.deepEqual([summary.imported, summary.blocked], [1, 1], `${what}: only its order is blocked`);
        const blocked = await h.database.db('blocked_orders').where({ external_order_id: target }).first();
        assert.match(blocked.reason, REASON, `${what}: ${blocked.reason}`);
        const imported = await h.database.db('sales_orders').where({ external_order_id: innocent }).first();
        assert.ok(imported, `${what}: the other order is imported`);
      }
    } finally {
      await backoffice.close();
    }
  });
});
