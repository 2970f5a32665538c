import type { Knex } from 'knex';
import { loadImportSettings, type ImportSettings } from '../erp/store/importSettings';
import { writeLog, type LogEntry } from '../erp/store/integrationLog';
import type { VitrineRow } from '../erp/tables';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import type { PlatformConnector } from '../platform/types';

export interface ImporterDependencies {
  db: Knex;
  connectorFor?: (vitrine: VitrineRow) => PlatformConnector;
  /** Orders fetched from the platform at once, per vitrine. */
  orderFetchConcurrency?: number;
}

export interface RunContext {
  /** The import run, named in the integration log. */
  workflowId?: string;
  importRunId?: number;
  /** Called after each order (activities heartbeat with it). */
  onProgress?: (done: number) => void;
}

/** One step of one vitrine's import: its settings, its platform, and the log lines it writes. */
export interface VitrineImport {
  db: Knex;
  settings: ImportSettings;
  connector: PlatformConnector;
  concurrency: number;
  run: RunContext;
  log: LogEntry[];
}

/**
 * Runs one import step of a vitrine with its settings read once; the integration log lines the
 * step gathered are written at the end, whatever the outcome.
 */
export async function withVitrineImport<T>(
  deps: ImporterDependencies,
  vitrineId: number,
  run: RunContext,
  step: (vi: VitrineImport) => Promise<T>,
): Promise<T> {
  const settings = await loadImportSettings(deps.db, vitrineId);
  const vi: VitrineImport = {
    db: deps.db,
    settings,
    connector: (deps.connectorFor ?? defaultConnectorFor)(settings.vitrine),
    concurrency: deps.orderFetchConcurrency ?? 8,
    run,
    log: [],
  };
  try {
    return await step(vi);
  } finally {
    await writeLog(
      deps.db,
      settings.vitrine,
      vi.log.map((entry) => ({ ...entry, workflowId: run.workflowId, importRunId: run.importRunId })),
    );
  }
}

/** Calls onProgress after each order, counting. */
export function progress(run: RunContext): () => void {
  let done = 0;
  return () => run.onProgress?.(++done);
}
