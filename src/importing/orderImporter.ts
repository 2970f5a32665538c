import { recordBlockedOrders, type BlockedOrderEntry } from '../erp/store/blockedOrders';
import {
  addPageOrders,
  endFetchInFlight,
  keptPageOrderIds,
  markExisting,
  markFetchInFlight,
  pageOrderCounts,
  pendingPageOrderSlices,
  saveDefaults,
  settlePageOrders,
  takeFetchDeath,
} from '../erp/store/pageOrders';
import type { QueuePage } from '../erp/store/queuePages';
import type { PageStep, QueuePageOrderRow } from '../erp/tables';
import type { ErpOrder } from '../mapping/erpOrder';
import type { OrderEvent } from '../shared/importTypes';
import { applyPlatformStates } from './approvedOrders';
import { logBlocked, withPayloads, type OrderToBlock } from './blocking';
import { withVitrineImport, type ImporterDependencies, type RunContext, type VitrineImport } from './context';
import { evaluateDefaultFields } from './defaultFields';
import { fetchOrders, type FetchedSlice } from './fetchOrders';
import { sendPlatformNotifications, type NotificationBatchResult } from './platformNotifications';
import { writeOrders } from './writeOrders';

export type { ImporterDependencies, RunContext };

/** What the order fetch of a page found. */
export interface PageFetchResult {
  /** New orders, for client-field defaulting and Importar Pedido. */
  new: number;
  /** Orders the ERP has whose state may move them forward, for Processar Pedido Aprovado. */
  existing: number;
  /** Orders the ERP has whose event changes nothing. */
  unchanged: number;
  blocked: number;
}

/** What the import's steps did with orders an admin retried. */
export interface ImportResult {
  imported: string[];
  /** Orders the ERP had (their state was applied). */
  existing: string[];
  blocked: string[];
}

/**
 * The importer: every step of one order's way into the ERP, with every rule (DE-PARA, payment
 * rules, default fields, order-code clashes, blocked orders) in src/importing. The page steps are
 * the import run's activities; each reads what the step before it kept with the page
 * (queue_page_orders) and records what it did with each order in the transaction that did it, so
 * a retried step goes on where its last attempt stopped. importOrders runs the same steps in one
 * go for orders an admin retries.
 */
export function createOrderImporter(deps: ImporterDependencies) {
  const { db } = deps;
  const inVitrine = <T>(vitrineId: number, run: RunContext, step: (vi: VitrineImport) => Promise<T>) =>
    withVitrineImport(deps, vitrineId, run, step);
  /** A step of a queue page: its log lines name the page's import run. */
  const onPage = <T>(page: QueuePage, run: RunContext, step: (vi: VitrineImport) => Promise<T>) =>
    inVitrine(page.vitrineId, { ...run, importRunId: page.importRunId }, step);

  /** Blocks orders and records the step's outcome for them, in one transaction. */
  async function blockPageOrders(vi: VitrineImport, page: QueuePage, step: PageStep, orders: OrderToBlock[]): Promise<void> {
    if (orders.length === 0) return;
    const entries = await withPayloads(vi, orders);
    await db.transaction(async (trx) => {
      await recordBlockedOrders(trx, page.vitrineId, entries);
      await settlePageOrders(
        trx,
        page.id,
        step,
        entries.map((e) => ({ externalOrderId: e.externalOrderId, outcome: 'blocked' })),
      );
    });
    logBlocked(vi, entries);
  }

  return {
    /**
     * Order fetch of a page: each order's document read, mapped and kept with the page, slice by
     * slice, so a retried fetch goes on after the orders its last attempt kept. The orders an
     * attempt reads are marked for the vitrine first: when its next attempt finds them still marked,
     * the worker died reading them (a heartbeat timeout, not an error), and it reads them again in
     * groups of SUSPECT_GROUP, each group marked, then a group a worker died on one order at a
     * time; an order the worker dies reading alone is blocked, saying so, so that no document can
     * kill worker after worker.
     */
    async fetchPageOrders(page: QueuePage, run: RunContext = {}): Promise<PageFetchResult> {
      return onPage(page, run, async (vi) => {
        const death = await takeFetchDeath(db, page.vitrineId);
        const kept = await keptPageOrderIds(db, page.id);
        const left = page.items.filter((item) => !kept.has(item.orderId));
        if (left.length > 0) {
          const keepSlice = async ({ entries, blocked }: FetchedSlice) => {
            await db.transaction(async (trx) => {
              await addPageOrders(trx, page.id, entries);
              await recordBlockedOrders(trx, page.vitrineId, blocked);
            });
            logBlocked(vi, blocked);
          };
          // Suspects are the orders in flight that this page still has to read (a small page's orders
          // may come back on another page, and some of them not yet).
          const leftIds = new Set(left.map((item) => item.orderId));
          const suspects = new Set(death.inFlight.filter((id) => leftIds.has(id)));
          // A killer: read alone when its worker died, and not for the first time (a worker stopped by
          // a deploy while it read a one-order page is no evidence against the order).
          const killer = death.inFlight.length === 1 && suspects.size === 1 && death.deaths >= 2;
          try {
            if (killer) {
              // It was being read alone when its worker died: reading it again would kill this one.
              await keepSlice(
                killerOf(
                  left.find((item) => suspects.has(item.orderId))!,
                  death.deaths,
                ),
              );
            } else if (suspects.size > 0) {
              // Many suspects are read in groups of SUSPECT_GROUP, as fast as a usual read, so that a
              // worker that died for another reason costs little; a few are read one at a time.
              const size = suspects.size > SUSPECT_GROUP ? SUSPECT_GROUP : 1;
              const ids = [...suspects];
              for (let i = 0; i < ids.length; i += size) {
                const group = new Set(ids.slice(i, i + size));
                await markFetchInFlight(db, page.vitrineId, [...group]);
                await fetchOrders(
                  vi,
                  left.filter((item) => group.has(item.orderId)),
                  keepSlice,
                  { concurrency: size },
                );
              }
            }
            const rest = left.filter((item) => !suspects.has(item.orderId));
            if (rest.length > 0) {
              await markFetchInFlight(db, page.vitrineId, [...new Set(rest.map((item) => item.orderId))]);
              await fetchOrders(vi, rest, keepSlice);
            }
          } catch (error) {
            // An attempt that fails by itself is no death: the next one reads as usual.
            await markFetchInFlight(db, page.vitrineId, null).catch(() => undefined);
            throw error;
          }
        }
        await endFetchInFlight(db, page.vitrineId);
        const counts = await pageOrderCounts(db, page.id, 'fetch');
        return {
          new: counts.pending.new,
          existing: counts.pending.existing,
          unchanged: counts.settled.unchanged,
          blocked: counts.settled.blocked,
        };
      });
    },

    /** Client-field defaulting of a page's new orders, slice by slice: the values are kept with the page. */
    async applyPageDefaults(page: QueuePage, run: RunContext = {}): Promise<{ blocked: number }> {
      return onPage(page, run, async (vi) => {
        for await (const slice of pendingPageOrderSlices(db, page.id, 'new')) {
          const rows = slice.filter((row) => row.defaults_at === null);
          const { values, blocked } = await evaluateDefaultFields(vi, rows.map(newOrderOf));
          await saveDefaults(db, page.id, values);
          await blockPageOrders(vi, page, 'defaults', blocked);
        }
        return { blocked: (await pageOrderCounts(db, page.id, 'defaults')).settled.blocked };
      });
    },

    /** Importar Pedido of a page's new orders, with the default fields kept for them: a transaction per slice. */
    async importPageOrders(page: QueuePage, run: RunContext = {}): Promise<{ imported: number; existing: number; blocked: number }> {
      return onPage(page, run, async (vi) => {
        for await (const rows of pendingPageOrderSlices(db, page.id, 'new')) {
          // An order is never written without its default fields. The workflow runs the defaulting
          // step first; an order that step did not reach would get them here, the same way.
          const late = await evaluateDefaultFields(vi, rows.filter((row) => row.defaults_at === null).map(newOrderOf));
          const defaults = new Map(late.values.map((v) => [v.externalOrderId, v]));
          const orders = rows.flatMap((row) => {
            const value =
              row.defaults_at === null
                ? defaults.get(row.external_order_id)
                : { customer: row.customer_defaults!, order: row.order_defaults! };
            if (!value) return [];
            return [{ ...newOrderOf(row), customerDefaults: value.customer, orderDefaults: value.order }];
          });
          const written = await writeOrders(vi, orders, async (trx, { imported, existing }) => {
            await settlePageOrders(
              trx,
              page.id,
              'import',
              imported.map((id) => ({ externalOrderId: id, outcome: 'imported' })),
            );
            // Written by another import first: its state is applied by Processar Pedido Aprovado.
            await markExisting(trx, page.id, existing);
          });
          await blockPageOrders(vi, page, 'import', [...late.blocked, ...written.blocked]);
        }
        const counts = await pageOrderCounts(db, page.id, 'import');
        return { imported: counts.settled.imported, existing: counts.pending.existing, blocked: counts.settled.blocked };
      });
    },

    /** Processar Pedido Aprovado of a page's orders that the ERP has. */
    async processPageStatuses(page: QueuePage, run: RunContext = {}): Promise<{ updated: number; unchanged: number; blocked: number }> {
      return onPage(page, run, async (vi) => {
        for await (const rows of pendingPageOrderSlices(db, page.id, 'existing')) {
          const applied = await applyPlatformStates(
            vi,
            rows.map((row) => ({
              externalOrderId: row.external_order_id,
              platformState: row.platform_state,
              approvedAt: row.approved_at,
              cancelReason: row.cancel_reason,
            })),
            (trx, id, outcome) => settlePageOrders(trx, page.id, 'status', [{ externalOrderId: id, outcome }]),
          );
          await blockPageOrders(vi, page, 'status', applied.blocked);
        }
        const { settled } = await pageOrderCounts(db, page.id, 'status');
        return { updated: settled.updated, unchanged: settled.unchanged, blocked: settled.blocked };
      });
    },

    /**
     * Every step in one go, for orders retried by an admin (`vitrine blocked retry`): each is read
     * from the platform again; a new one is imported, one the ERP has gets its state applied.
     */
    async importOrders(vitrineId: number, orderIds: string[], run: RunContext = {}): Promise<ImportResult> {
      return inVitrine(vitrineId, run, async (vi) => {
        // No queue event: an empty state makes the fetch read every order from the platform.
        const events: OrderEvent[] = orderIds.map((orderId) => ({ orderId, state: '' }));
        const result: ImportResult = { imported: [], existing: [], blocked: [] };
        // Each slice the fetch hands over (at most a few MB of mapped orders) is written before
        // the next is read, so a retry of large orders never holds them all.
        await fetchOrders(vi, events, async (fetched) => {
          const blocked: BlockedOrderEntry[] = [...fetched.blocked];
          const fresh = fetched.entries
            .filter((e) => e.kind === 'new' && !e.outcome)
            .map((e) => ({ externalOrderId: e.externalOrderId, order: JSON.parse(e.erpOrderJson!) as ErpOrder }));
          const defaults = await evaluateDefaultFields(vi, fresh);
          const byId = new Map(fresh.map((o) => [o.externalOrderId, o.order]));
          const written = await writeOrders(
            vi,
            defaults.values.map((v) => ({
              externalOrderId: v.externalOrderId,
              order: byId.get(v.externalOrderId)!,
              customerDefaults: v.customer,
              orderDefaults: v.order,
            })),
            async () => undefined,
          );
          const known = fetched.entries.filter((e) => e.kind === 'existing' && !e.outcome);
          const writtenFirst = new Set(written.existing);
          const states = [
            ...known.map((e) => ({
              externalOrderId: e.externalOrderId,
              platformState: e.platformState,
              approvedAt: e.approvedAt ?? null,
              cancelReason: e.cancelReason ?? null,
            })),
            ...fresh
              .filter((o) => writtenFirst.has(o.externalOrderId))
              .map((o) => ({
                externalOrderId: o.externalOrderId,
                platformState: o.order.platformState,
                approvedAt: o.order.approvedAt,
                cancelReason: o.order.cancelReason,
              })),
          ];
          const applied = await applyPlatformStates(vi, states, async () => undefined);
          blocked.push(...(await withPayloads(vi, [...defaults.blocked, ...written.blocked, ...applied.blocked])));
          await recordBlockedOrders(db, vitrineId, blocked);
          logBlocked(vi, blocked);
          const stillBlocked = new Set(blocked.map((b) => b.externalOrderId));
          result.imported.push(...written.imported);
          result.existing.push(...states.map((s) => s.externalOrderId).filter((id) => !stillBlocked.has(id)));
          result.blocked.push(...blocked.map((b) => b.externalOrderId));
        });
        return result;
      });
    },

    /** Atualização de Status: a batch of the vitrine's due platform notifications, in order, each once. */
    async sendPlatformNotifications(vitrineId: number, run: RunContext = {}): Promise<NotificationBatchResult> {
      return inVitrine(vitrineId, run, (vi) => sendPlatformNotifications(vi));
    },
  };
}

/** Orders read together after a worker died reading a page: the fetch's usual concurrency. */
const SUSPECT_GROUP = 8;

/** The order its worker died reading alone: blocked without reading it again. */
function killerOf(event: OrderEvent, deaths: number): FetchedSlice {
  const reason =
    `the worker stopped while reading this order on its own (${deaths} worker stop${deaths === 1 ? '' : 's'} in a row reading the vitrine's orders): ` +
    'its document is kept out of the import so that it cannot stop the next one; retry it once the cause is known';
  return {
    entries: [{ externalOrderId: event.orderId, kind: 'new', platformState: event.state, outcome: 'blocked' }],
    blocked: [{ externalOrderId: event.orderId, reason, payload: null }],
  };
}

/** A new order as the order fetch kept it with its page. */
function newOrderOf(row: QueuePageOrderRow): { externalOrderId: string; order: ErpOrder } {
  return { externalOrderId: row.external_order_id, order: row.erp_order as ErpOrder };
}

export type OrderImporter = ReturnType<typeof createOrderImporter>;
