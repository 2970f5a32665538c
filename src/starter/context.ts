import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createDatabase } from '../erp/db';
import { findVitrineByCode } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import { userInfo } from 'node:os';
import { ChangeLog, type Actor, type Change } from '../admin/audit';
import { emailSchema } from '../admin/users';
import { parseSetting } from '../admin/vitrineSettings';
import { findUserByEmail } from '../erp/store/users';
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
  /** `--as <email>`: the backoffice user the audit trail names instead of the OS user. */
  actorEmail?: string;
  /** The transaction of a command that changes something (inChange), which `db` then is. */
  private transaction?: Knex.Transaction;
  private readonly changes = new ChangeLog();
  /** The actor and its role (undefined for the OS user), looked up once per invocation. */
  private acting?: Promise<{ actor: Actor; role?: string }>;

  constructor(
    stdout: TextSink,
    readonly env: NodeJS.ProcessEnv,
    readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean },
  ) {
    this.out = new Output(stdout);
  }

  /** Who acts, for the audit trail: `--as <email>` (an enabled user) or the OS user. */
  async actor(): Promise<Actor> {
    return (await this.resolveActor()).actor;
  }

  /** With `--as <email>`, an operator may not run an admin's command (as in the backoffice). */
  async requireAdmin(): Promise<void> {
    const { actor, role } = await this.resolveActor();
    if (this.actorEmail !== undefined && role !== 'admin') throw new UsageError(`only an admin may do this; ${actor.name} is ${role}`);
  }

  private resolveActor(): Promise<{ actor: Actor; role?: string }> {
    this.acting ??= (async () => {
      if (this.actorEmail === undefined) {
        let name: string;
        try {
          name = userInfo().username;
        } catch {
          name = this.env.USER ?? 'unknown';
        }
        return { actor: { name, source: 'cli' as const } };
      }
      const email = parseSetting(emailSchema, this.actorEmail, '--as');
      const user = await findUserByEmail(this.db, email);
      if (!user || user.disabled_at)
        throw new UsageError(`--as ${email}: there is no enabled user with that e-mail (see: vitrine users list)`);
      return { actor: { name: user.email, source: 'cli' as const }, role: user.role };
    })();
    return this.acting;
  }

  /** Records a change for the audit trail; written with the command's transaction (see inChange). */
  recordChange(change: Change): void {
    this.changes.record(change);
  }

  /** The command's audit entries, for the admin functions that record their own. */
  get changeLog(): ChangeLog {
    return this.changes;
  }

  /**
   * Runs a command that changes something in one transaction, with the audit entries it recorded:
   * refused or failed, it changes nothing and writes no entry.
   */
  async inChange(work: () => Promise<void>): Promise<void> {
    const actor = await this.actor();
    const trx = await this.db.transaction();
    this.transaction = trx;
    try {
      await work();
      await this.changes.write(trx, actor);
      await trx.commit();
    } catch (error) {
      await trx.rollback();
      throw error;
    } finally {
      this.transaction = undefined;
    }
  }

  /**
   * Writes the entries recorded so far now, in a statement of their own: for a change outside the
   * database (a run started, a retry that commits order by order) that has already happened.
   */
  async writeChangesNow(): Promise<void> {
    await this.changes.write(this.database ?? this.db, await this.actor());
  }

  /** Read on first use, so that a bad setting is reported like any other error (one line). */
  get config(): ServiceConfig {
    this.settings ??= readConfig(this.env);
    return this.settings;
  }

  get db(): Knex {
    if (this.transaction) return this.transaction;
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
