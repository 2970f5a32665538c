import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createDatabase } from '../erp/db';
import { findVitrineByCode } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import { readConfig, type ServiceConfig } from '../shared/config';
import { Output, UsageError, type TextSink } from './output';

/** Connections and output of one CLI invocation; connections open on first use and close at the end. */
export class CliContext {
  private settings?: ServiceConfig;
  private database?: Knex;
  private temporal?: Client;
  readonly out: Output;
  /** Set by a command that succeeded but has something to report in its exit code (status --all). */
  exitCode = 0;

  constructor(
    stdout: TextSink,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.out = new Output(stdout);
  }

  /** Read on first use, so that a bad setting is reported like any other error (one line). */
  get config(): ServiceConfig {
    this.settings ??= readConfig(this.env);
    return this.settings;
  }

  get db(): Knex {
    if (!this.database) {
      this.database = createDatabase(this.config.databaseUrl, { max: 4 });
      // knex logs a failed connection with its stack trace on stdout; the CLI reports it as one line.
      const logger = this.database.client.logger as Knex.Logger;
      const warn = logger.warn?.bind(logger);
      logger.warn = (message) => {
        if (!String(message).startsWith('Acquire connection error')) (warn ?? console.warn)(message);
      };
    }
    return this.database;
  }

  async client(): Promise<Client> {
    if (!this.temporal) {
      try {
        // Loaded on first use: most commands never need the Temporal client.
        const { connectClient } = await import('../shared/temporal');
        this.temporal = await connectClient(this.config);
      } catch (error) {
        throw new UsageError(`cannot reach Temporal at ${this.config.temporalAddress}: ${(error as Error).message}`);
      }
    }
    return this.temporal;
  }

  async vitrine(code: string): Promise<VitrineRow> {
    const vitrine = await findVitrineByCode(this.db, code);
    if (!vitrine) throw new UsageError(`vitrine ${JSON.stringify(code)} does not exist (see: vitrine list)`);
    return vitrine;
  }

  async close(): Promise<void> {
    await this.temporal?.connection.close();
    await this.database?.destroy();
  }
}
