/**
 * Pedidos bloqueados: orders that could not be imported, with their reason, and Retry (one, or
 * all of the list) once what blocked them was fixed, as `vitrine blocked list | show | retry` do.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { payloadExcerpt } from '../admin/blockedOrders';
import { blockedOrderIdSchema, listLimitSchema } from '../admin/inputs';
import { getBlockedOrder, listBlockedOrderSummaries } from '../erp/store/blockedOrders';
import { getVitrineById, listVitrines } from '../erp/store/vitrines';
import { parseSetting, vitrineCodeSchema } from '../admin/vitrineSettings';
import { retryBlockedOrders, type RetriedOrder } from '../importing/blockedRetry';
import { formatCents } from '../shared/format';
import { enc, html, query } from './html';
import {
  change,
  fieldsOf,
  NotFoundError,
  queryOf,
  redirectWith,
  sendPage,
  takeFlash,
  userMistake,
  vitrineIdOf,
  type BackofficeDeps,
} from './http';
import { options, page, when, type Flash } from './layout';

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

async function renderList(deps: BackofficeDeps, request: FastifyRequest, reply: FastifyReply) {
  const typed = queryOf(request);
  const vitrineText = typed.vitrine || undefined;
  let flash: Flash | undefined = takeFlash(request, reply);
  let rows: Awaited<ReturnType<typeof listBlockedOrderSummaries>> = [];
  let status = 200;
  try {
    const vitrineId = vitrineText === undefined ? undefined : await vitrineIdOf(deps, vitrineText);
    rows = await listBlockedOrderSummaries(deps.db, { vitrineId, limit: parseSetting(listLimitSchema, typed.limit || '100', 'limit') });
  } catch (error) {
    const message = userMistake(error);
    if (message === undefined) throw error;
    flash = { kind: 'error', message };
    status = 400;
  }
  const vitrines = (await listVitrines(deps.db)).map((v) => v.code);
  const back = html`<input type="hidden" name="vitrine" value="${vitrineText ?? ''}" />`;
  const body = html`<h1>Pedidos bloqueados</h1>
    <p class="muted">
      Orders that could not be imported (a payment or state with no DE-PARA row, a default field that fails, malformed data...). Fix the
      reason (DE-PARA, Campos Padrões), then Retry: the order is read from the platform again and imported.
    </p>
    <form method="get" action="/blocked" class="stack" aria-label="Filter blocked orders">
      <label
        >Vitrine<select name="vitrine">
          <option value="">all</option>
          ${options(vitrines, vitrineText)}
        </select></label
      >
      <button>Filter</button>
    </form>
    ${
      rows.length === 0
        ? html`<p class="muted" id="no-blocked">No blocked orders.</p>`
        : html`<table id="blocked">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Vitrine</th>
                  <th>Platform order</th>
                  <th>Reason</th>
                  <th>Attempts</th>
                  <th>First seen</th>
                  <th>Last seen</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (row) =>
                    html`<tr data-blocked="${row.externalOrderId}">
                      <td><a href="/blocked/${row.id}">${row.id}</a></td>
                      <td>${row.vitrineCode}</td>
                      <td>${row.externalOrderId}</td>
                      <td>${oneLine(row.reason)}</td>
                      <td class="num">${row.attempts}</td>
                      <td>${when(row.firstSeenAt)}</td>
                      <td>${when(row.lastSeenAt)}</td>
                      <td>
                        <form method="post" action="/blocked/${row.id}/retry" class="inline">
                          ${back}<button aria-label="Retry ${row.externalOrderId}">Retry</button>
                        </form>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <form method="post" action="/blocked/retry-all" class="inline">
              ${back}<button class="secondary">Retry all ${vitrineText ? `of ${vitrineText}` : ''}</button>
            </form>`
    }`;
  return sendPage(reply, page({ title: 'Pedidos bloqueados', section: 'blocked', flash }, body), status);
}

function outcomeText(r: RetriedOrder): Flash {
  const name = `blocked order ${r.id} (${r.vitrineCode} ${r.externalOrderId})`;
  switch (r.outcome) {
    case 'imported':
      return { kind: 'ok', message: `${name} imported as ${r.orderCode}` };
    case 'existing':
      return { kind: 'ok', message: `${name} was already in the ERP as ${r.orderCode}; its platform state was applied` };
    case 'blocked':
      return { kind: 'error', message: `${name} is still blocked: ${oneLine(r.reason ?? '')}` };
    case 'failed':
      return { kind: 'error', message: `${name} not retried, the platform could not be reached: ${oneLine(r.reason ?? '')}` };
  }
}

function summaryText(results: RetriedOrder[]): Flash {
  if (results.length === 0) return { kind: 'ok', message: 'no blocked orders' };
  const count = (outcome: RetriedOrder['outcome']) => results.filter((r) => r.outcome === outcome).length;
  const message = `retried ${results.length}: imported ${count('imported')}, still blocked ${count('blocked')}, already in ERP ${count('existing')}, not retried ${count('failed')}`;
  return { kind: count('blocked') + count('failed') > 0 ? 'error' : 'ok', message };
}

/** Where a retry returns: the list, with the vitrine filter it was posted from. */
function listLocation(vitrine: string | undefined): string {
  return `/blocked${query({ vitrine: vitrine && vitrineCodeSchema.safeParse(vitrine).success ? vitrine : undefined })}`;
}

export function registerBlockedRoutes(app: FastifyInstance, deps: BackofficeDeps): void {
  app.get('/blocked', (request, reply) => renderList(deps, request, reply));

  app.get<{ Params: { id: string } }>('/blocked/:id', async (request, reply) => {
    const parsed = blockedOrderIdSchema.safeParse(request.params.id);
    const row = parsed.success ? await getBlockedOrder(deps.db, parsed.data) : undefined;
    if (!row)
      throw new NotFoundError(
        `blocked order ${JSON.stringify(request.params.id.slice(0, 20))} does not exist (it may have been imported meanwhile)`,
      );
    const excerpt = payloadExcerpt(row.payload);
    const body = html`<h1>Pedido bloqueado ${row.id}</h1>
      <p><a href="/blocked?vitrine=${enc(row.vitrineCode)}">← Pedidos bloqueados of ${row.vitrineCode}</a></p>
      <dl class="fields">
        <dt>Vitrine</dt>
        <dd>${row.vitrineCode}</dd>
        <dt>Platform order</dt>
        <dd>${row.externalOrderId}</dd>
        <dt>Reason</dt>
        <dd>${oneLine(row.reason)}</dd>
        <dt>Attempts</dt>
        <dd>${row.attempts}</dd>
        <dt>First seen</dt>
        <dd>${when(row.firstSeenAt)}</dd>
        <dt>Last seen</dt>
        <dd>${when(row.lastSeenAt)}</dd>
      </dl>
      <h2>As received from the platform</h2>
      ${
        excerpt
          ? html`<dl class="fields">
              ${Object.entries(excerpt).map(
                ([key, value]) =>
                  html`<dt>${key}</dt>
                    <dd>${key === 'value' && typeof value === 'number' ? formatCents(value) : value === null ? '-' : String(value)}</dd>`,
              )}
            </dl>`
          : html`<p class="muted">No order document: the platform sent none.</p>`
      }
      <form method="post" action="/blocked/${row.id}/retry" class="inline">
        <input type="hidden" name="vitrine" value="${row.vitrineCode}" /><button>Retry</button>
      </form>`;
    return sendPage(reply, page({ title: `Pedido bloqueado ${row.id}`, section: 'blocked', flash: takeFlash(request, reply) }, body));
  });

  app.post<{ Params: { id: string } }>('/blocked/:id/retry', async (request, reply) => {
    const location = listLocation(fieldsOf(request).vitrine);
    const parsed = blockedOrderIdSchema.safeParse(request.params.id);
    const blocked = parsed.success ? await getBlockedOrder(deps.db, parsed.data) : undefined;
    if (!parsed.success || !blocked) {
      const message = `blocked order ${JSON.stringify(request.params.id.slice(0, 20))} does not exist (it may have been imported meanwhile)`;
      return redirectWith(reply, location, { kind: 'error', message });
    }
    const [result] = await retryBlockedOrders({ db: deps.db, connectorFor: deps.connectorFor }, { id: parsed.data });
    // Each order's retry commits on its own: the trail says what was asked and what came of it.
    await change(deps, request, async (db, log) =>
      log.record({
        vitrine: await getVitrineById(db, blocked.vitrineId),
        action: 'blocked.retry',
        before: { blockedOrderId: parsed.data },
        after: { retried: result ? 1 : 0, outcome: result?.outcome ?? 'gone' },
      }),
    );
    return redirectWith(reply, location, result ? outcomeText(result) : { kind: 'error', message: `blocked order ${parsed.data} is gone` });
  });

  app.post('/blocked/retry-all', async (request, reply) => {
    const vitrine = fieldsOf(request).vitrine || undefined;
    let vitrineId: number | undefined;
    try {
      vitrineId = vitrine === undefined ? undefined : await vitrineIdOf(deps, vitrine);
    } catch (error) {
      const message = userMistake(error);
      if (message === undefined) throw error;
      return redirectWith(reply, '/blocked', { kind: 'error', message });
    }
    const results = await retryBlockedOrders({ db: deps.db, connectorFor: deps.connectorFor }, { all: true, vitrineId });
    const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
    await change(deps, request, async (db, log) =>
      log.record({
        vitrine: vitrineId === undefined ? null : await getVitrineById(db, vitrineId),
        action: 'blocked.retry',
        before: { all: true },
        after: {
          retried: results.length,
          imported: count('imported'),
          blocked: count('blocked'),
          existing: count('existing'),
          failed: count('failed'),
        },
      }),
    );
    return redirectWith(reply, listLocation(vitrine), summaryText(results));
  });
}
