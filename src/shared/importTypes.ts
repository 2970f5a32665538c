/**
 * Inputs and results of the import workflow and its activities. They travel through Temporal
 * history, so they carry ids and counts only: never queue handles, customer data or credentials.
 */
import type { QueueItem } from '../platform/types';

export type { QueueItem };

export interface ImportVitrineOrdersInput {
  vitrineCode: string;
  /** Pages per workflow execution before it continues as new (default PAGES_PER_EXECUTION). */
  pagesPerExecution?: number;
  /** Queue items per page (default PAGE_SIZE). */
  pageSize?: number;
  /** Set when the run continues as new: the run already opened and its counts so far. */
  continued?: OpenedRun & { counts: ImportCounts; continuations: number };
}

export interface ImportCounts {
  /** Queue items read from the platform. */
  fetched: number;
  /** Orders new to the ERP, imported (Importar Pedido). */
  imported: number;
  /** Orders already in the ERP whose status changed (Processar Pedido Aprovado). */
  updated: number;
  /** Orders already in the ERP with nothing to change. */
  unchanged: number;
  /** Orders kept in blocked_orders. */
  blocked: number;
  /** Queue items acknowledged to the platform. */
  committed: number;
  /** Orders announced by hook notifications the run served. */
  hooked: number;
  /** Queue items that broke the platform's contract: acknowledged when they had a handle, logged, not imported. */
  malformed: number;
}

export interface ImportRunSummary extends ImportCounts {
  vitrineCode: string;
  importRunId: number;
  /** How many times the run continued as new to keep its history small. */
  continuations: number;
}

/** Why a run failed: the failure type (src/shared/failureTypes.ts) and its message (ids only). */
export interface RunFailure {
  type: string;
  message: string;
}

export interface OpenedRun {
  vitrineId: number;
  importRunId: number;
  /** ERP-to-platform notifications waiting when the run opened: the run sends them at its end. */
  pendingNotifications: number;
}

/** A page of the platform queue, kept in the ERP (queue_pages) until the run closes. */
export interface FetchedPage {
  /** null when the queue was empty: no page was kept. */
  pageId: number | null;
  /** Queue items in the page. */
  items: number;
  /** Items of this read that broke the contract (not in the page). Absent in results of older releases. */
  malformed?: number;
}

/** A queue page of a vitrine, as the page's activities take it: ids only. */
export interface PageRef {
  vitrineId: number;
  pageId: number;
}

/** What Importar Pedido did with a page, in counts (the order ids stay in the ERP). */
export interface PageImportResult {
  imported: number;
  /** Orders another import wrote first: the page's Processar Pedido Aprovado takes them too. */
  existing: number;
  blocked: number;
}

/** An order's latest queue event: its id and the state it announced. */
export interface OrderEvent {
  orderId: string;
  state: string;
}

export interface StatusUpdateResult {
  updated: number;
  unchanged: number;
  blocked: number;
}

export function zeroCounts(): ImportCounts {
  return { fetched: 0, imported: 0, updated: 0, unchanged: 0, blocked: 0, committed: 0, hooked: 0, malformed: 0 };
}
