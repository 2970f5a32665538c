/**
 * Vitrines: the list with the "Importar Pedidos" switch and the interval (each change updates the
 * vitrine and starts, pauses or reschedules its Temporal Schedule, as `vitrine enable | disable |
 * interval` do), and one vitrine's summary.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { vitrineHealth, type VitrineHealth } from '../admin/vitrineHealth';
import { changeVitrineImport, type ImportSwitchPatch } from '../admin/vitrineImport';
import { countBlockedOrders } from '../erp/store/blockedOrders';
import { lastImportRuns } from '../erp/store/importRuns';
import { listVitrines } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import { intervalMinutesSchema, onOffSchema, parseSetting } from '../admin/vitrineSettings';
import { describeVitrineSchedule, triggerVitrineRun, type ScheduleState } from '../scheduling/vitrineSchedules';
import { describeSealedSecret } from '../shared/format';
import { enc, html, type Html } from './html';
import { change, fieldsOf, redirectWith, sendPage, takeFlash, userMistake, vitrineFromPath, type BackofficeDeps } from './http';
import { page, vitrineTabs, when, type Flash } from './layout';
import { TemporalUnavailableError, withTemporal } from '../shared/temporalAccess';

/** Schedule states by vitrine code, or why Temporal could not tell. */
async function scheduleStates(deps: BackofficeDeps, codes: string[]): Promise<{ states: Map<string, ScheduleState>; warning?: string }> {
  try {
    const states = await withTemporal(deps.temporal, (client) => Promise.all(codes.map((code) => describeVitrineSchedule(client, code))));
    return { states: new Map(codes.map((code, i) => [code, states[i]])) };
  } catch (error) {
    if (!(error instanceof TemporalUnavailableError)) throw error;
    return {
      states: new Map(),
      warning: `${error.message}. Schedules cannot be shown or changed until it answers; the other pages work.`,
    };
  }
}

function scheduleText(state: ScheduleState | undefined): Html {
  if (!state) return html`<span class="muted">unknown</span>`;
  if (!state.exists) return html`<span>missing</span> <span class="muted">(vitrine sync-schedules)</span>`;
  const running = state.runningWorkflowIds.length ? html` · running` : '';
  if (state.paused) return html`<span data-schedule="paused">paused</span>${running}`;
  return html`<span data-schedule="active">active</span>, every ${state.intervalMinutes ?? '?'} min · next
    ${when(state.nextRunAt)}${running}`;
}

/** What needs an operator (src/admin/vitrineHealth.ts), with since when. */
function attentionText(health: VitrineHealth | undefined): Html {
  if (!health || health.attention.length === 0) return html`<span class="muted" data-attention="none">none</span>`;
  return html`${health.attention.map(
    (a) => html`<div class="attention" data-attention="${a.kind}">${a.reason} <span class="muted">(since ${when(a.since)})</span></div>`,
  )}`;
}

interface ListState {
  flash?: Flash;
  /** Values typed in a refused form, by vitrine code. */
  minutes?: Record<string, string>;
}

async function renderList(deps: BackofficeDeps, reply: FastifyReply, state: ListState, status = 200) {
  const vitrines = await listVitrines(deps.db);
  const { states, warning } = await scheduleStates(
    deps,
    vitrines.map((v) => v.code),
  );
  const health = new Map((await vitrineHealth(deps.db, vitrines, states.size > 0 ? states : undefined)).map((h) => [h.code, h]));
  const rows = vitrines.map((v) => {
    const on = v.import_orders;
    const path = `/vitrines/${enc(v.code)}`;
    return html`<tr data-vitrine="${v.code}">
      <td><a href="${path}">${v.code}</a></td>
      <td>${v.name}</td>
      <td>${v.platform}</td>
      <td>${v.app_key}</td>
      <td>${describeSealedSecret(v.app_token_encrypted)}</td>
      <td>${v.order_code_prefix}</td>
      <td>
        <form method="post" action="${path}/import" class="inline">
          <input type="hidden" name="importOrders" value="${on ? 'off' : 'on'}" />
          <button
            class="switch ${on ? 'on' : 'off'}"
            role="switch"
            aria-checked="${on ? 'true' : 'false'}"
            aria-label="Importar Pedidos ${v.code}"
            title="${on ? 'Switch Importar Pedidos off (pauses the schedule)' : 'Switch Importar Pedidos on (resumes the schedule)'}"
          >
            ${on ? 'on' : 'off'}
          </button>
        </form>
      </td>
      <td>
        <form method="post" action="${path}/interval" class="inline">
          <input
            class="short"
            name="minutes"
            inputmode="numeric"
            aria-label="Interval of ${v.code} in minutes"
            value="${state.minutes?.[v.code] ?? String(v.import_interval_minutes)}"
          />
          min <button class="secondary">Save</button>
        </form>
      </td>
      <td>${scheduleText(states.get(v.code))}</td>
      <td>${attentionText(health.get(v.code))}</td>
    </tr>`;
  });
  const body = html`<h1>Vitrines</h1>
    <p class="muted">
      "Importar Pedidos" on: the vitrine's schedule imports its orders every interval (1 to 1440 minutes). Off: the schedule is paused.
    </p>
    ${
      vitrines.length === 0
        ? html`<p>No vitrines yet (add one with <code>vitrine add</code>).</p>`
        : html`<table>
            <thead>
              <tr>
                <th>Vitrine</th>
                <th>Name</th>
                <th>Platform</th>
                <th>App key</th>
                <th>App token</th>
                <th>Prefix</th>
                <th>Importar Pedidos</th>
                <th>Interval</th>
                <th>Schedule</th>
                <th>Attention</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }`;
  return sendPage(reply, page({ title: 'Vitrines', section: 'vitrines', flash: state.flash, warning }, body), status);
}

/** Applies a switch or interval change; a refused one re-renders the list with why. */
async function changeImport(
  deps: BackofficeDeps,
  request: FastifyRequest<{ Params: { code: string } }>,
  reply: FastifyReply,
  parse: () => ImportSwitchPatch,
  done: (vitrine: VitrineRow) => string,
  typed?: string,
) {
  const { code } = request.params;
  const keep = typed === undefined ? {} : { minutes: { [code]: typed } };
  let patch: ImportSwitchPatch;
  try {
    patch = parse();
  } catch (error) {
    const message = userMistake(error);
    if (message === undefined) throw error;
    return renderList(deps, reply, { ...keep, flash: { kind: 'error', message: `vitrine ${code}: ${message}; nothing changed` } }, 400);
  }
  const vitrine = await vitrineFromPath(deps.db, code);
  try {
    const updated = await withTemporal(
      deps.temporal,
      (client) => change(deps, request, (db, log) => changeVitrineImport({ db, client, taskQueue: deps.taskQueue }, log, vitrine, patch)),
      {
        bounded: false,
      },
    );
    return redirectWith(reply, '/vitrines', { kind: 'ok', message: done(updated) });
  } catch (error) {
    if (!(error instanceof TemporalUnavailableError)) throw error;
    return renderList(
      deps,
      reply,
      { ...keep, flash: { kind: 'error', message: `vitrine ${code}: nothing changed, ${error.message}` } },
      503,
    );
  }
}

async function renderVitrine(deps: BackofficeDeps, request: FastifyRequest<{ Params: { code: string } }>, reply: FastifyReply) {
  const vitrine = await vitrineFromPath(deps.db, request.params.code);
  const [runs, blocked, schedule] = await Promise.all([
    lastImportRuns(deps.db, vitrine.id, 10),
    countBlockedOrders(deps.db, vitrine.id),
    scheduleStates(deps, [vitrine.code]),
  ]);
  const body = html`<h1>Vitrine ${vitrine.code} <span class="muted">${vitrine.name}</span></h1>
    ${vitrineTabs(vitrine.code, 'summary')}
    <form method="post" action="/vitrines/${enc(vitrine.code)}/run" class="inline" aria-label="run now">
      <button>Importar agora</button>
    </form>
    <dl class="fields">
      <dt>Platform</dt>
      <dd>${vitrine.platform} · ${vitrine.base_url}</dd>
      <dt>App key</dt>
      <dd>${vitrine.app_key}</dd>
      <dt>App token</dt>
      <dd>${describeSealedSecret(vitrine.app_token_encrypted)}</dd>
      <dt>Importar Pedidos</dt>
      <dd>
        ${vitrine.import_orders ? 'on' : 'off'}, every ${vitrine.import_interval_minutes} min (change it on
        <a href="/vitrines">Vitrines</a>)
      </dd>
      <dt>Schedule</dt>
      <dd>${scheduleText(schedule.states.get(vitrine.code))}</dd>
      <dt>Order code prefix</dt>
      <dd>${vitrine.order_code_prefix} (orders are ${vitrine.order_code_prefix}-&lt;platform order number&gt;)</dd>
      <dt>Não atualiza dados do cliente</dt>
      <dd>${vitrine.keep_customer_identity ? 'on' : 'off'}</dd>
      <dt>Integration log level</dt>
      <dd>${vitrine.log_level}</dd>
      <dt>Pedidos bloqueados</dt>
      <dd><a href="/blocked?vitrine=${enc(vitrine.code)}">${blocked}</a></dd>
    </dl>
    <h2>Last import runs</h2>
    ${
      runs.length === 0
        ? html`<p class="muted">No runs yet.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Started</th>
                <th>Finished</th>
                <th>Fetched</th>
                <th>Imported</th>
                <th>Updated</th>
                <th>Blocked</th>
                <th>Committed</th>
              </tr>
            </thead>
            <tbody>
              ${runs.map(
                (run) =>
                  html`<tr>
                    <td>${run.workflow_id}</td>
                    <td>${run.status}</td>
                    <td>${when(run.started_at)}</td>
                    <td>${when(run.finished_at)}</td>
                    <td class="num">${run.fetched}</td>
                    <td class="num">${run.imported}</td>
                    <td class="num">${run.updated}</td>
                    <td class="num">${run.blocked}</td>
                    <td class="num">${run.committed}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
  return sendPage(
    reply,
    page({ title: `Vitrine ${vitrine.code}`, section: 'vitrines', flash: takeFlash(request, reply), warning: schedule.warning }, body),
  );
}

export function registerVitrineRoutes(app: FastifyInstance, deps: BackofficeDeps): void {
  app.get('/vitrines', (request, reply) => renderList(deps, reply, { flash: takeFlash(request, reply) }));
  app.get<{ Params: { code: string } }>('/vitrines/:code', (request, reply) => renderVitrine(deps, request, reply));

  app.post<{ Params: { code: string } }>('/vitrines/:code/import', { config: { role: 'admin' } }, (request, reply) =>
    changeImport(
      deps,
      request,
      reply,
      () => ({ import_orders: parseSetting(onOffSchema, fieldsOf(request).importOrders, 'Importar Pedidos') }),
      (v) => `vitrine ${v.code}: Importar Pedidos ${v.import_orders ? 'on' : 'off'}, every ${v.import_interval_minutes} min`,
    ),
  );

  app.post<{ Params: { code: string } }>('/vitrines/:code/interval', { config: { role: 'admin' } }, (request, reply) => {
    const minutes = fieldsOf(request).minutes;
    return changeImport(
      deps,
      request,
      reply,
      () => ({ import_interval_minutes: parseSetting(intervalMinutesSchema, minutes, 'interval') }),
      (v) => `vitrine ${v.code}: imports every ${v.import_interval_minutes} min`,
      minutes,
    );
  });

  // An ad-hoc run, as `vitrine run` starts it (through the schedule: never beside a scheduled run).
  app.post<{ Params: { code: string } }>('/vitrines/:code/run', async (request, reply) => {
    const vitrine = await vitrineFromPath(deps.db, request.params.code);
    const location = `/vitrines/${enc(vitrine.code)}`;
    try {
      const started = await withTemporal(deps.temporal, (client) => triggerVitrineRun(client, vitrine.code));
      await change(deps, request, async (_db, log) =>
        log.record({ vitrine, action: 'run.trigger', after: { workflowId: started.workflowId, alreadyRunning: started.alreadyRunning } }),
      );
      const message = started.alreadyRunning
        ? `a run of ${vitrine.code} is already going: ${started.workflowId}`
        : `started ${started.workflowId}`;
      return redirectWith(reply, location, { kind: 'ok', message });
    } catch (error) {
      if (!(error instanceof TemporalUnavailableError)) throw error;
      return redirectWith(reply, location, { kind: 'error', message: `no run started: ${error.message}` });
    }
  });
}
