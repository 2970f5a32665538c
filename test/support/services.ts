/**
 * The real services the integration tests use: the Temporal dev server and Postgres started by
 * scripts/stack.sh (read from the environment that scripts/test.sh exports), a fresh database per
 * test file, and the VTEX simulator in-process.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { applyDatabaseMigrations, createDatabase } from '../../src/erp/db';
import { SEARCH_ATTRIBUTES } from '../../src/shared/ids';
import { workflowBundlePath } from '../../src/worker/workflowBundle';

export const REPO = path.resolve(__dirname, '..', '..');

// Workers in tests report warnings and errors only; their state changes are noise here.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** A short random suffix so that vitrines, task queues and databases of one run never collide. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Temporal: the stack's dev server when TEMPORAL_ADDRESS is set, else a dev server of our own. */
export async function createTemporalEnv(): Promise<TestWorkflowEnvironment> {
  if (process.env.TEMPORAL_ADDRESS) {
    return TestWorkflowEnvironment.createFromExistingServer({
      address: process.env.TEMPORAL_ADDRESS,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    });
  }
  const binary = process.env.TEMPORAL_CLI ?? path.join(REPO, '.tools/bin/temporal');
  if (!existsSync(binary)) throw new Error(`no Temporal CLI at ${binary}: run the tests with npm test`);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binary },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
  });
}

export interface TestDatabase {
  db: Knex;
  url: string;
  drop(): Promise<void>;
}

/** A new, migrated database on the stack's Postgres server, dropped by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set: run the tests with npm test');
  const name = `vitrine_test_${uniqueSuffix()}`;
  const admin = createDatabase(serverUrl, { max: 1 });
  await admin.raw(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString());
  await applyDatabaseMigrations(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

/** The workflow bundle of the current sources: built once per change of src/ and cached on disk. */
export function workflowBundle(): { codePath: string } {
  return { codePath: workflowBundlePath() };
}
