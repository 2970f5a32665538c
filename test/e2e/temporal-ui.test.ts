/**
 * The Temporal UI as the operators' monitor: real imports of three vitrines through their
 * schedules and a real worker, their summaries in memo, result and search attributes, a live
 * `progress` query, and the UI pages an operator opens (schedule list, one run, a search by
 * VitrineCode) checked in headless Chromium. The pictures go to .data/screenshots; `npm run
 * screenshots` runs this file with SCREENSHOT_DIR=docs/screenshots for the ones of docs/MONITORING.md.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Browser, Locator, Page } from 'playwright-core';
import { deleteVitrineSchedule, triggerVitrineRun } from '../../src/scheduling/vitrineSchedules';
import { scheduleIdFor, SEARCH_ATTRIBUTES } from '../../src/shared/ids';
import type { ImportCounts, ImportRunSummary } from '../../src/shared/importTypes';
import { progressQuery, SMALL_PAGE_ITEMS } from '../../src/workflows/importVitrineOrders';
import { launchBrowser } from '../support/browser';
import { addVitrineArgs, cliJson } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { REPO, uniqueSuffix } from '../support/services';
import { addSimulatedMarketplaces } from '../support/marketplaces';

// Tests never write tracked files: docs/screenshots is written only by `npm run screenshots`.
const SCREENSHOTS = path.resolve(REPO, process.env.SCREENSHOT_DIR ?? '.data/screenshots');
/** Pictures for the docs wait for animations and fonts to settle; the test's own pictures do not. */
const FOR_DOCS = process.env.SCREENSHOT_DIR !== undefined;
const VIEWPORT = { width: 1400, height: 900 };
/** How long a UI page may take to show what it should (the UI polls the server, visibility lags). */
const PAGE_TIMEOUT_MS = 30_000;
/** Workflow list columns for the search screenshot: the project's counts beside the run. */
const WORKFLOW_COLUMNS = [
  { label: 'Status', pinned: true },
  { label: 'Workflow ID', pinned: true },
  { label: 'ImportedOrders', pinned: false },
  { label: 'UpdatedOrders', pinned: false },
  { label: 'BlockedOrders', pinned: false },
  { label: 'Start', pinned: false },
  { label: 'End', pinned: false },
];

/** Polls `check` until it returns a value other than undefined, or fails saying what was awaited. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${cause}`);
}

/** The workflow ids a visibility query finds, once it finds at least `expected` of them. */
async function listIds(client: Client, query: string, expected: string[]): Promise<string[]> {
  return waitFor(`visibility to list ${expected.join(', ')} for ${query}`, async () => {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
    return expected.every((id) => ids.includes(id)) ? ids : undefined;
  });
}

/** Waits until the locator is visible, within the page timeout. */
async function visible(locator: Locator, what?: string): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS / 3 });
  } catch (error) {
    throw new Error(`the Temporal UI does not show ${what ?? String(locator)}: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
}

/**
 * Opens `url` and waits until `check` passes, reloading a few times: the UI reads visibility
 * once per load, and the server's visibility store lags a little behind the runs.
 */
async function openUntil(page: Page, url: string, check: () => Promise<void>, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: PAGE_TIMEOUT_MS });
    try {
      await check();
      // Fonts and icons settle before a picture for the docs (the UI keeps polling: no network idle).
      await page.evaluate('document.fonts.ready');
      if (FOR_DOCS) await page.waitForTimeout(500);
      return;
    } catch (error) {
      if (attempt >= attempts) throw new Error(`${url}: ${(error as Error).message}`, { cause: error });
    }
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, type: 'png' });
  const size = statSync(file).size;
  assert.ok(size > 10_000 && size < 400_000, `${name} is ${size} bytes: expected a real page under 400 KB`);
}

describe('Temporal UI as the ops monitor', () => {
  const uiUrl = process.env.TEMPORAL_UI_URL?.replace(/\/+$/, '');
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  // Readable codes for the screenshots, with a short suffix so that a concurrent run of the suite
  // on the same dev server never shares a schedule with this one.
  const suffix = uniqueSuffix().slice(0, 4);
  const agro = `loja-agro-${suffix}`;
  const moda = `loja-moda-${suffix}`;
  const casa = `loja-casa-${suffix}`;
  const codes = [agro, moda, casa];

  let h: Harness;
  let browser: Browser | undefined;
  let page: Page;
  const client = () => h.temporal.client;

  /** Runs of this file, filled by the import tests and shown by the UI tests. */
  let agroFirst: ImportRunSummary & { workflowId: string };
  let agroFirstRunId: string;
  let agroSecond: ImportRunSummary & { workflowId: string };
  let modaRun: { workflowId: string; summary: ImportRunSummary; progress: ImportCounts };

  before(async () => {
    assert.ok(
      uiUrl,
      'TEMPORAL_UI_URL is not set: run this test with npm test (scripts/stack.sh writes it to .data/stack.env), ' +
        'or export the URL of the Temporal Web UI of the dev server at TEMPORAL_ADDRESS',
    );
    const ui = await fetch(`${uiUrl}/api/v1/settings`).catch((error: Error) => error);
    assert.ok(
      !(ui instanceof Error) && ui.ok,
      `the Temporal UI does not answer at ${uiUrl}: ${ui instanceof Error ? ui.message : `HTTP ${ui.status}`}`,
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    h = await startHarness();
    // Added switched off, as `vitrine add` does: the runs below are started by hand through the
    // paused schedules, so no quarter-hour tick of the real clock adds a run of its own mid-test.
    const vitrines: Array<[string, string, string]> = [
      [agro, 'Loja Agro', 'AGRO'],
      [moda, 'Loja Moda', 'MODA'],
      [casa, 'Loja Casa', 'CASA'],
    ];
    for (const [code, name, prefix] of vitrines) {
      await cliJson(
        addVitrineArgs({
          code,
          name,
          baseUrl: `${h.simulatorUrl}/${code}`,
          appKey: `key-${code}`,
          appToken: `token-${code}-secret`,
          prefix,
        }),
        h.cliEnv,
      );
      // The simulator's marketplaces, as an admin maps them (a share of generated orders comes through them).
      await addSimulatedMarketplaces(h.database.db, (await h.database.db('vitrines').where({ code }).first('id')).id);
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: VIEWPORT });
  });

  after(async () => {
    await browser?.close();
    if (h) {
      // Other test files count schedules on the same dev server: leave none of ours behind.
      for (const code of codes) await deleteVitrineSchedule(client(), code).catch(() => undefined);
      await h.close();
    }
  });

  test('an import run of loja-agro: readable workflow id, summary in result, memo and search attributes', async () => {
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${agro}/orders`, {
      generate: 8,
      seed: 61,
      state: 'payment-pending',
    });
    // One more order, paid with a payment the vitrine has no DE-PARA row for: it is blocked.
    const unpaid = await h.sim<any>('GET', `/_sim/${agro}/orders/${orderIds[0]}`);
    Object.assign(unpaid, { orderId: '9990001000001-01', affiliateId: '' });
    for (const payment of unpaid.paymentData.transactions[0].payments) {
      Object.assign(payment, { paymentSystem: '901', paymentSystemName: 'Crediário Loja', group: 'custom' });
    }
    await h.sim('POST', `/_sim/${agro}/orders`, unpaid);

    agroFirst = await h.runImport(agro);
    assert.match(agroFirst.workflowId, new RegExp(`^vitrine-orders-${agro}-\\d{4}-\\d{2}-\\d{2}T`));
    assert.deepEqual([agroFirst.vitrineCode, agroFirst.imported, agroFirst.blocked], [agro, 8, 1]);

    const handle = client().workflow.getHandle(agroFirst.workflowId);
    const result = (await handle.result()) as ImportRunSummary;
    assert.deepEqual(result, Object.fromEntries(Object.entries(agroFirst).filter(([key]) => key !== 'workflowId')));
    const description = await handle.describe();
    agroFirstRunId = description.runId;
    const { vitrineCode: _code, importRunId: _run, ...counts } = result;
    assert.deepEqual(description.memo?.summary, counts);
    const attributes = description.typedSearchAttributes;
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.vitrineCode), agro);
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.importedOrders), 8);
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.updatedOrders), 0);
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.blockedOrders), 1);

    // Three of the pending orders are paid: the next run updates them (Processar Pedido Aprovado).
    for (const orderId of orderIds.slice(0, 3)) await h.sim('POST', `/_sim/${agro}/orders/${orderId}/state`, { state: 'payment-approved' });
    agroSecond = await h.runImport(agro);
    assert.notEqual(agroSecond.workflowId, agroFirst.workflowId);
    assert.deepEqual([agroSecond.imported, agroSecond.updated, agroSecond.blocked], [0, 3, 0]);
  });

  test('a running import answers the progress query; its final summary is at least as far', async () => {
    // More than a small page: its steps are activities of their own, and the run answers queries between them.
    await h.sim('POST', `/_sim/${moda}/orders`, { generate: SMALL_PAGE_ITEMS + 10, seed: 71 });
    // A slow platform keeps the run going long enough to be asked.
    await h.sim('POST', `/_sim/${moda}/faults`, { latencyMs: 250 });
    const { workflowId } = await triggerVitrineRun(client(), moda);
    const handle = client().workflow.getHandle(workflowId);
    const progress = await waitFor('a progress answer with fetched orders from the run while it is still going', async () => {
      const counts = await handle.query(progressQuery);
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') throw new Error(`the run is ${status.name} already: the platform was not slow enough`);
      return counts.fetched > 0 ? counts : undefined;
    });
    const summary = (await handle.result()) as ImportRunSummary;
    await h.sim('POST', `/_sim/${moda}/faults`, {});
    assert.deepEqual(Object.keys(progress).sort(), [
      'blocked',
      'committed',
      'fetched',
      'hooked',
      'imported',
      'malformed',
      'unchanged',
      'updated',
    ]);
    assert.ok(
      progress.imported <= summary.imported && progress.fetched <= summary.fetched,
      `progress ${JSON.stringify(progress)} ahead of the summary`,
    );
    assert.deepEqual([summary.fetched, summary.imported, summary.blocked], [SMALL_PAGE_ITEMS + 10, SMALL_PAGE_ITEMS + 10, 0]);
    modaRun = { workflowId, summary, progress };
  });

  test('visibility finds the runs by VitrineCode and by their counts', async () => {
    assert.ok(agroFirst && agroSecond && modaRun, 'the import tests above did not run');
    const byCode = await listIds(client(), `VitrineCode = "${agro}"`, [agroFirst.workflowId, agroSecond.workflowId]);
    assert.deepEqual(byCode.sort(), [agroFirst.workflowId, agroSecond.workflowId].sort());
    const blocked = await listIds(client(), `VitrineCode IN ("${agro}", "${moda}") AND BlockedOrders > 0`, [agroFirst.workflowId]);
    assert.deepEqual(blocked, [agroFirst.workflowId]);
    const updated = await listIds(client(), `VitrineCode IN ("${agro}", "${moda}") AND UpdatedOrders > 0`, [agroSecond.workflowId]);
    assert.deepEqual(updated, [agroSecond.workflowId]);
  });

  test("UI: one run shows its workflow id, its summary in memo and result, and the card's activities", async () => {
    const { workflowId } = agroFirst;
    const runPage = `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
    await openUntil(page, `${runPage}/${agroFirstRunId}/memo`, async () => {
      await visible(page.getByRole('heading', { name: workflowId }));
      await visible(page.getByText(/"summary":\s*\{\s*"fetched":\s*9,\s*"imported":\s*8,/).first());
    });
    await openUntil(page, `${runPage}/${agroFirstRunId}/history`, async () => {
      await visible(page.getByRole('heading', { name: workflowId }));
      await visible(page.getByText('Completed', { exact: true }).first());
      await visible(
        page
          .getByText(new RegExp(`"vitrineCode":\\s*"${agro}",\\s*"importRunId":\\s*\\d+,[^}]*"imported":\\s*8,[^}]*"blocked":\\s*1,`))
          .first(),
      );
      // The design card's activities: queue fetch, client-field defaulting, order import (and the
      // order fetch beside them) in the run's history.
      for (const activity of ['fetchQueuePage', 'fetchPageOrders', 'applyClientFieldDefaults', 'importOrders']) {
        await visible(page.getByText(activity, { exact: true }).first(), `the ${activity} activity in the run's history`);
      }
    });
    await screenshot(page, 'temporal-ui-run.png');
    // Approved-status processing, the card's fourth: the second run of loja-agro updated orders.
    const second = await client().workflow.getHandle(agroSecond.workflowId).describe();
    await openUntil(
      page,
      `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(second.workflowId)}/${second.runId}/history`,
      async () => {
        await visible(
          page.getByText('processApprovedOrders', { exact: true }).first(),
          "the processApprovedOrders activity in the second run's history",
        );
      },
    );
  });

  test('UI: a search by VitrineCode lists the vitrine runs with their counts', async () => {
    const query = `VitrineCode = "${agro}"`;
    // The workflow list with the project's counts as columns (the UI keeps its columns per
    // namespace in the browser's localStorage) and the saved-views panel folded.
    await page.addInitScript(([key, value]) => (globalThis as any).localStorage.setItem(key, value), [
      'namespace-workflow-table-columns',
      JSON.stringify({ [namespace]: WORKFLOW_COLUMNS }),
    ] as const);
    await openUntil(page, `${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`, async () => {
      for (const { workflowId } of [agroFirst, agroSecond]) await visible(page.getByRole('link', { name: workflowId }));
    });
    for (const label of ['ImportedOrders', 'UpdatedOrders', 'BlockedOrders']) {
      await visible(
        page.getByRole('columnheader', { name: label }),
        `the ${label} column (set through localStorage 'namespace-workflow-table-columns'; has this UI version moved it?)`,
      );
    }
    const cells = async (workflowId: string) =>
      (await page.getByRole('row').filter({ hasText: workflowId }).getByRole('cell').allInnerTexts()).map((text) => text.trim());
    const [first, second] = [await cells(agroFirst.workflowId), await cells(agroSecond.workflowId)];
    assert.deepEqual(
      first.slice(first.indexOf(agroFirst.workflowId) + 1, first.indexOf(agroFirst.workflowId) + 4),
      ['8', '0', '1'],
      `row of the first run: ${first.join(' | ')}`,
    );
    assert.deepEqual(
      second.slice(second.indexOf(agroSecond.workflowId) + 1, second.indexOf(agroSecond.workflowId) + 4),
      ['0', '3', '0'],
      `row of the second run: ${second.join(' | ')}`,
    );
    assert.equal(await page.getByText(modaRun.workflowId).count(), 0, 'a loja-moda run in a search for loja-agro');
    const fold = page.getByRole('button', { name: 'Collapse saved views' });
    if (await fold.isVisible()) {
      await fold.click();
      // The panel folds with an animation: the table has to stop moving before the picture.
      await page
        .getByRole('button', { name: /expand saved views/i })
        .waitFor({ timeout: 5_000 })
        .catch(() => undefined);
      if (FOR_DOCS) await page.waitForTimeout(1_000);
    }
    await screenshot(page, 'temporal-ui-search-vitrinecode.png');
  });

  test('UI: the schedule list shows one schedule per vitrine, switched on or paused', async () => {
    // Two vitrines switched on: their schedules run every 15 minutes; loja-casa stays paused.
    await Promise.all([agro, moda].map((code) => cliJson(['enable', code], h.cliEnv)));
    const query = 'ScheduleId STARTS_WITH "vitrine-orders-loja-"';
    const wanted = new Map(codes.map((code) => [scheduleIdFor(code), code === casa]));
    await waitFor(`the schedule list to hold ${[...wanted.keys()].join(', ')}, switched on or paused`, async () => {
      const paused = new Map<string, boolean>();
      for await (const schedule of client().schedule.list({ query })) paused.set(schedule.scheduleId, schedule.state.paused);
      return [...wanted].every(([id, isPaused]) => paused.get(id) === isPaused) || undefined;
    });
    await openUntil(page, `${uiUrl}/namespaces/${namespace}/schedules?query=${encodeURIComponent(query)}`, async () => {
      for (const id of wanted.keys()) await visible(page.getByRole('link', { name: id, exact: true }));
      await visible(
        page
          .getByRole('row')
          .filter({ hasText: scheduleIdFor(agro) })
          .getByText('Running'),
      );
      await visible(
        page
          .getByRole('row')
          .filter({ hasText: scheduleIdFor(casa) })
          .getByText('Paused'),
      );
    });
    await screenshot(page, 'temporal-ui-schedules.png');
  });
});
