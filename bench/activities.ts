/**
 * Activities of the benchmark worker (bench/worker.ts) beside the product's own: what the
 * one-workflow-per-order variant needs to hand each order to a workflow of its own.
 */
import type { Knex } from 'knex';
import { loadQueuePage, saveQueuePage } from '../src/erp/store/queuePages';
import type { QueueItem } from '../src/shared/importTypes';

export function createBenchActivities(db: Knex) {
  return {
    /**
     * Splits a fetched page into one page per order (same run, the order's queue items), so that
     * each order's workflow runs the product's page activities on its own page.
     */
    async splitQueuePage(input: { pageId: number }): Promise<Array<{ orderId: string; pageId: number }>> {
      const page = await loadQueuePage(db, input.pageId);
      const byOrder = new Map<string, QueueItem[]>();
      for (const item of page.items) {
        const items = byOrder.get(item.orderId) ?? [];
        items.push(item);
        byOrder.set(item.orderId, items);
      }
      const pages: Array<{ orderId: string; pageId: number }> = [];
      for (const [orderId, items] of byOrder) {
        pages.push({ orderId, pageId: await saveQueuePage(db, { importRunId: page.importRunId, vitrineId: page.vitrineId, items }) });
      }
      return pages;
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
