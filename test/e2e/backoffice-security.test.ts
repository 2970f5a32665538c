/**
 * The backoffice's doors, against the real stack: every page refuses an anonymous visitor; an
 * operator sees everything and may trigger runs and retries, but an admin's changes answer 403
 * and change nothing; forms without the session's CSRF token are refused; failed logins are
 * limited per account and per address with one message for an unknown user and a wrong
 * password; sessions end when idle, at their absolute age, at logout and when the user is
 * disabled; every change writes its audit row, a refused one none. The login, the refusals and
 * the audit page are also driven in Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildBackoffice } from '../../src/backoffice/server';
import { existingTemporal } from '../../src/shared/temporalAccess';
import { addUser, BackofficeClient, browserLogin, TEST_PASSWORD } from '../support/backofficeSession';
import { launchBrowser } from '../support/browser';
import { cliJson, runCli } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';

const ADMIN = 'admin@loja.example';
const OPERATOR = 'operador@loja.example';

describe('backoffice security', () => {
  let h: Harness;
  let app: FastifyInstance;
  let base: string;
  let code: string;
  let orderCode: string;
  const db = () => h.database.db;
  const auditCount = async () => Number((await db()('audit_log').count({ n: '*' }))[0].n);
  const vitrineRow = () => db()('vitrines').where({ code }).first();

  before(async () => {
    h = await startHarness();
    code = await h.addVitrine({ prefix: 'SG' });
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 2, seed: 81 });
    assert.equal((await h.runImport(code)).imported, 2);
    orderCode = (await db()('sales_orders').first('order_code')).order_code;
    await addUser(h.cliEnv, ADMIN, 'admin');
    await addUser(h.cliEnv, OPERATOR, 'operator');
    app = await buildBackoffice(
      { db: db(), taskQueue: h.taskQueue, temporal: existingTemporal(h.temporal.client, h.temporal.address) },
      { auth: { loginAttemptsPerAccount: 4, loginAttemptsPerAddress: 12, loginWindowMs: 60_000 }, trustProxy: '127.0.0.1' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://localhost:${(app.server.address() as { port: number }).port}`;
  });

  after(async () => {
    await app?.close();
    await h?.close();
  });

  const PAGES = () => [
    '/',
    '/vitrines',
    `/vitrines/${code}`,
    `/vitrines/${code}/defaults`,
    `/vitrines/${code}/depara`,
    '/orders',
    `/orders/${orderCode}`,
    '/blocked',
    '/blocked/1',
    '/notifications',
    '/audit',
    '/no-such-page',
  ];

  /** Every change the backoffice takes, with a body that would be accepted. */
  const ADMIN_CHANGES = (): Array<{ path: string; fields: Record<string, string> }> => [
    { path: `/vitrines/${code}/import`, fields: { importOrders: 'on' } },
    { path: `/vitrines/${code}/interval`, fields: { minutes: '7' } },
    { path: `/vitrines/${code}/defaults/customer`, fields: { field: 'tipo_pessoa', expression: '"F"' } },
    { path: `/vitrines/${code}/defaults/customer/remove`, fields: { field: 'tipo_pessoa' } },
    { path: `/vitrines/${code}/payments`, fields: { platformPayment: 'Crediário Loja', paymentType: 'OUTROS', condition: 'A combinar' } },
    { path: `/vitrines/${code}/payments/remove`, fields: { platformPayment: 'Crediário Loja' } },
    { path: `/vitrines/${code}/statuses`, fields: { erpStatus: 'Problemas', platformState: 'ready-for-handling' } },
    { path: `/vitrines/${code}/marketplaces`, fields: { affiliateId: 'XYZ', channel: 'Loja XYZ' } },
    { path: `/vitrines/${code}/marketplaces/remove`, fields: { affiliateId: 'XYZ' } },
  ];

  test('every page sends an anonymous visitor to the login, and every change is refused with 401', async () => {
    const anonymous = new BackofficeClient(base, { address: '198.51.100.1' });
    for (const path of PAGES()) {
      const page = await anonymous.get(path);
      assert.equal(page.status, 303, `${path} answered ${page.status}`);
      assert.equal(page.location, `/login?next=${encodeURIComponent(path)}`);
      assert.ok(!page.body.includes(code), `${path} shows nothing`);
    }
    const audit = await auditCount();
    const before = await vitrineRow();
    const posts = [
      ...ADMIN_CHANGES(),
      { path: `/vitrines/${code}/run`, fields: {} },
      { path: '/blocked/retry-all', fields: {} },
      { path: '/notifications/retry-all', fields: {} },
      { path: `/orders/${orderCode}/cancel`, fields: { reason: 'x' } },
    ];
    await anonymous.get('/login'); // a session with a CSRF token, as a visitor has, but no login
    for (const { path, fields } of posts) {
      const refused = await anonymous.post(path, fields);
      assert.equal(refused.status, 401, `${path} answered ${refused.status}`);
    }
    assert.deepEqual(await vitrineRow(), before, 'nothing changed');
    assert.equal(await auditCount(), audit, 'no audit row');
    // The login page itself is open, and the static parts of a refusal carry no data.
    assert.equal((await anonymous.get('/login')).status, 200);
  });

  test('an operator sees every page, triggers runs and retries; every admin change answers 403 and changes nothing', async () => {
    const operator = new BackofficeClient(base, { address: '198.51.100.2' });
    await operator.login(OPERATOR);
    for (const path of PAGES().filter((p) => p !== '/no-such-page' && p !== '/blocked/1' && p !== '/')) {
      const page = await operator.get(path);
      assert.equal(page.status, 200, `${path} answered ${page.status}`);
      assert.ok(page.body.includes(`data-user="${OPERATOR}"`), `${path} says who is logged in`);
    }
    const before = await vitrineRow();
    const audit = await auditCount();
    for (const { path, fields } of ADMIN_CHANGES()) {
      await operator.get(`/vitrines/${code}`);
      const refused = await operator.post(path, fields);
      assert.equal(refused.status, 403, `${path} answered ${refused.status}`);
      assert.match(refused.body, new RegExp(`only an admin may do this; ${OPERATOR} is operator`));
    }
    assert.deepEqual(await vitrineRow(), before, 'nothing changed');
    assert.equal(
      await db()('field_defaults')
        .count({ n: '*' })
        .first()
        .then((r: any) => Number(r.n)),
      0,
    );
    assert.equal(await auditCount(), audit, 'a refused change writes no audit row');

    // What an operator may do: a run, retries, a status command.
    await operator.get(`/vitrines/${code}`);
    const run = await operator.post(`/vitrines/${code}/run`, {});
    assert.equal(run.status, 303);
    assert.equal((await operator.post('/blocked/retry-all', {})).status, 303);
    assert.equal((await operator.post('/notifications/retry-all', {})).status, 303);
    await operator.get(`/orders/${orderCode}`);
    const cancelled = await operator.post(`/orders/${orderCode}/cancel`, { reason: 'cliente desistiu' });
    assert.equal(cancelled.status, 303, cancelled.body.slice(0, 300));
    const rows = await db()('audit_log').where('id', '>', 0).orderBy('id', 'desc').limit(4);
    assert.deepEqual(rows.map((r: any) => [r.action, r.actor, r.source]).reverse(), [
      ['run.trigger', OPERATOR, 'backoffice'],
      ['blocked.retry', OPERATOR, 'backoffice'],
      ['notifications.retry', OPERATOR, 'backoffice'],
      ['order.cancel', OPERATOR, 'backoffice'],
    ]);
    assert.equal(rows[0].vitrine_code, code);
    assert.equal(rows[0].before.status, 'Pagamento confirmado');
    assert.equal(rows[0].after.status, 'Cancelado');
  });

  test('each admin change writes an audit row in its transaction, with the value before and after; a refused one writes none', async () => {
    const admin = new BackofficeClient(base, { address: '198.51.100.3' });
    await admin.login(ADMIN);
    for (const { path, fields } of ADMIN_CHANGES()) {
      const audit = await auditCount();
      await admin.get(`/vitrines/${code}`);
      const done = await admin.post(path, fields);
      assert.equal(done.status, 303, `${path}: ${done.status} ${done.body.slice(0, 200)}`);
      assert.equal(await auditCount(), audit + 1, `${path} wrote one audit row`);
    }
    const trail = await db()('audit_log').where({ actor: ADMIN }).orderBy('id');
    assert.deepEqual(
      trail.map((r: any) => r.action),
      [
        'vitrine.enable',
        'vitrine.interval',
        'customer-defaults.set',
        'customer-defaults.remove',
        'depara.payments.set',
        'depara.payments.remove',
        'depara.statuses.set',
        'marketplaces.set',
        'marketplaces.remove',
      ],
    );
    const byAction = new Map(trail.map((r: any) => [r.action, r]));
    assert.deepEqual(
      [byAction.get('vitrine.enable').before.importOrders, byAction.get('vitrine.enable').after.importOrders],
      [false, true],
    );
    assert.deepEqual(
      [byAction.get('vitrine.interval').before.intervalMinutes, byAction.get('vitrine.interval').after.intervalMinutes],
      [15, 7],
    );
    assert.deepEqual(byAction.get('customer-defaults.set').after, { field: 'tipo_pessoa', expression: '"F"' });
    assert.equal(byAction.get('depara.statuses.set').before.erpStatus, 'Pagamento confirmado');
    assert.ok(trail.every((r: any) => r.vitrine_code === code && r.source === 'backoffice'));

    // Refused for its value: nothing changes, nothing is written.
    const audit = await auditCount();
    await admin.get(`/vitrines/${code}`);
    assert.equal((await admin.post(`/vitrines/${code}/interval`, { minutes: '-3' })).status, 400);
    assert.equal(
      (await admin.post(`/vitrines/${code}/defaults/customer`, { field: 'tipo_pessoa', expression: '$pad("x", 100000000)' })).status,
      400,
    );
    assert.equal(
      (await admin.post(`/vitrines/${code}/payments`, { platformPayment: 'X', paymentType: 'NOPE', condition: 'x' })).status,
      400,
    );
    assert.equal(await auditCount(), audit);
    assert.equal((await vitrineRow()).import_interval_minutes, 7);

    // The CLI's changes land in the same trail, as the OS user or --as <email>.
    await cliJson(['interval', code, '20'], h.cliEnv);
    await cliJson(['--as', ADMIN, 'statuses', code, 'set', 'Pagamento confirmado', 'ready-for-handling'], h.cliEnv);
    const refused = await runCli(['--as', 'nobody@loja.example', 'interval', code, '30'], h.cliEnv);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^vitrine: --as nobody@loja\.example: there is no enabled user with that e-mail/);
    const cli = await cliJson(['audit', '--vitrine', code, '--limit', '2'], h.cliEnv);
    assert.deepEqual(
      cli.map((r: any) => [r.action, r.actor, r.source]),
      [
        ['depara.statuses.set', ADMIN, 'cli'],
        ['vitrine.interval', (await import('node:os')).userInfo().username, 'cli'],
      ],
    );
    assert.equal((await vitrineRow()).import_interval_minutes, 20);
  });

  test('a form without the session CSRF token, or with another session one, is refused and changes nothing', async () => {
    const admin = new BackofficeClient(base, { address: '198.51.100.4' });
    await admin.login(ADMIN);
    const other = new BackofficeClient(base, { address: '198.51.100.5' });
    await other.login(OPERATOR);
    const page = await other.get(`/vitrines/${code}`);
    const foreign = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const before = await vitrineRow();
    const audit = await auditCount();
    for (const csrf of [null, 'forged-token', foreign]) {
      const refused = await admin.post(`/vitrines/${code}/interval`, { minutes: '9' }, { csrf });
      assert.equal(refused.status, 403, `token ${csrf}`);
      assert.match(refused.body, /the form has no valid CSRF token/);
    }
    assert.deepEqual(await vitrineRow(), before);
    assert.equal(await auditCount(), audit);
    // The login form needs it too.
    const anonymous = new BackofficeClient(base, { address: '198.51.100.6' });
    await anonymous.get('/login');
    assert.equal((await anonymous.post('/login', { email: ADMIN, password: TEST_PASSWORD }, { csrf: null })).status, 403);
  });

  test('failed logins: one message for an unknown user and a wrong password, then 429 per account and per address', async () => {
    const client = new BackofficeClient(base, { address: '198.51.100.7' });
    await client.get('/login');
    const unknown = await client.post('/login', { email: 'ninguem@loja.example', password: 'whatever-password' });
    const wrong = await client.post('/login', { email: 'limited@loja.example', password: 'wrong-password-123' });
    const message = (body: string) => /role="alert">([^<]+)</.exec(body)?.[1];
    assert.deepEqual([unknown.status, wrong.status], [401, 401]);
    assert.equal(message(unknown.body), 'e-mail or password is wrong');
    assert.equal(message(wrong.body), message(unknown.body));

    await addUser(h.cliEnv, 'limited@loja.example', 'operator');
    for (let i = 0; i < 3; i++) await client.post('/login', { email: 'limited@loja.example', password: 'wrong-password-123' });
    // Four tries for the account in the window: even the right password waits now.
    const limited = await client.post('/login', { email: 'limited@loja.example', password: TEST_PASSWORD });
    assert.equal(limited.status, 429);
    assert.match(limited.body, /too many login attempts: try again in/);
    // Another account from the same address still gets in, until the address's limit.
    const fresh = new BackofficeClient(base, { address: '198.51.100.7' });
    await fresh.login(ADMIN);
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) {
      await fresh.get('/login');
      status = (await fresh.post('/login', { email: `x${i}@loja.example`, password: 'nope-nope-nope' })).status;
    }
    assert.equal(status, 429, 'the address is limited too');
    // Per address: another address (through the trusted proxy) is not.
    const elsewhere = await fresh.post(
      '/login',
      { email: ADMIN, password: TEST_PASSWORD },
      { headers: { 'x-forwarded-for': '203.0.113.7' } },
    );
    assert.equal(elsewhere.status, 303);
  });

  test('sessions: cookie flags, idle and absolute expiry, logout, and a disabled user or a new password end them', async () => {
    const client = new BackofficeClient(base, { address: '198.51.100.9' });
    await client.get('/login');
    const https = await fetch(`${base}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const cookie = https.headers.getSetCookie().find((c) => c.startsWith('backoffice_session='))!;
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Secure/);

    const session = async () => (await db()('user_sessions').whereNotNull('user_id').orderBy('created_at', 'desc').first())!;
    const age = async (field: 'lastSeenAt' | 'loginAt', ms: number) => {
      const row = await session();
      await db()('user_sessions')
        .where({ id_hash: row.id_hash })
        .update({ data: JSON.stringify({ ...row.data, [field]: row.data[field] - ms }) });
    };
    await client.login(ADMIN);
    assert.equal((await client.get('/vitrines')).status, 200);
    const stored = await session();
    assert.ok(!JSON.stringify(stored).includes(client.sessionCookie!.split('.')[0]), 'the table keeps a hash of the session id');

    await age('lastSeenAt', 31 * 60_000);
    const idle = await client.get('/vitrines');
    assert.deepEqual([idle.status, idle.location], [303, '/login?next=%2Fvitrines&expired=1']);

    await client.login(ADMIN);
    await age('loginAt', 13 * 3_600_000);
    assert.equal((await client.get('/vitrines')).status, 303, 'past the absolute age');

    await client.login(ADMIN);
    await client.get('/vitrines');
    assert.equal((await client.post('/logout', {})).status, 303);
    assert.equal((await client.get('/vitrines')).status, 303, 'logged out');

    const operator = new BackofficeClient(base, { address: '198.51.100.10' });
    await operator.login(OPERATOR);
    await cliJson(['users', 'disable', OPERATOR], h.cliEnv);
    assert.equal((await operator.get('/vitrines')).status, 303, 'disabled');
    const back = await new BackofficeClient(base, { address: '198.51.100.11' }).post('/login', {
      email: OPERATOR,
      password: TEST_PASSWORD,
    });
    assert.notEqual(back.status, 303, 'a disabled user cannot log in');
    await cliJson(['users', 'enable', OPERATOR], h.cliEnv);
    await operator.login(OPERATOR);
    const reset = await runCli(['users', 'reset-password', OPERATOR, '--password-stdin'], h.cliEnv, 'another long password 42\n');
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await operator.get('/vitrines')).status, 303, 'a new password ends the sessions');
    await operator.login(OPERATOR, 'another long password 42');
  });

  test('in Chromium: the login, an operator refused, logout, and the audit page', async () => {
    const browser: Browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const anonymous = await page.goto(`${base}/vitrines/${code}`);
      assert.equal(new URL(page.url()).pathname, '/login', `went to ${page.url()} (${anonymous?.status()})`);
      await page.locator('input[name=email]').fill(OPERATOR);
      await page.locator('input[name=password]').fill('wrong password here');
      await page.locator('form[aria-label=login] button').click();
      await page.waitForSelector('p.flash.error');
      assert.equal(await page.locator('p.flash.error').innerText(), 'e-mail or password is wrong');

      await browserLogin(page, base, OPERATOR, 'another long password 42');
      assert.match(await page.locator('[data-user]').innerText(), /operador@loja\.example · operator/);
      const before = await vitrineRow();
      const [response] = await Promise.all([page.waitForNavigation(), page.locator(`tr[data-vitrine="${code}"] button.switch`).click()]);
      assert.equal(response?.status(), 403);
      assert.match(await page.locator('p.flash.error').innerText(), /only an admin may do this/);
      assert.deepEqual(await vitrineRow(), before);

      await page.goto(`${base}/audit?vitrine=${code}`);
      assert.ok((await page.locator('tr[data-audit="vitrine.interval"]').count()) >= 2);
      assert.match(await page.locator('tr[data-audit="order.cancel"]').first().innerText(), /operador@loja\.example \(backoffice\)/);

      await Promise.all([page.waitForNavigation(), page.locator('header form button').click()]);
      assert.equal(new URL(page.url()).pathname, '/login');
      await page.goto(`${base}/audit`);
      assert.equal(new URL(page.url()).pathname, '/login', 'logged out');
    } finally {
      await browser.close();
    }
  });
});
