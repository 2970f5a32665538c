import knex, { type Knex } from 'knex';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { types } from 'pg';

// bigint columns (ids, cents) come back as strings by default; every one of ours fits a JS number
// safely (cents below 2^53), so parse them as integers once, here.
types.setTypeParser(types.builtins.INT8, (value: string) => Number.parseInt(value, 10));

export function createDatabase(databaseUrl: string, pool: { min?: number; max?: number } = {}): Knex {
  return knex({
    client: 'pg',
    connection: databaseUrl,
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
  });
}

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
const MIGRATION_FILE = /^(\d{14}_[a-z0-9_]+)\.(ts|js)$/;

/**
 * The ERP migrations, named without their extension: the same migration is a .ts file in
 * development and a .js file in dist/, and knex_migrations must know it by one name either way.
 */
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(MIGRATIONS_DIR)
      .map((file) => MIGRATION_FILE.exec(file)?.[1])
      .filter((name): name is string => name !== undefined)
      .sort();
  },
  getMigrationName: (name) => name,
  async getMigration(name) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the migration of this name, .ts or .js
    return require(path.join(MIGRATIONS_DIR, name)) as Knex.Migration;
  },
};

export const migrationConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

/**
 * Databases migrated before the build existed recorded each migration with its .ts extension:
 * they are renamed once to the names migrationSource gives.
 */
async function renameRecordedMigrations(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable('knex_migrations'))) return;
  await db('knex_migrations')
    .whereRaw(`name ~ '\\.(ts|js)$'`)
    .update({ name: db.raw(`regexp_replace(name, '\\.(ts|js)$', '')`) });
}

/** Brings the schema up to date; used by the scripts, the worker at start and the tests. */
export async function applyDatabaseMigrations(db: Knex): Promise<string[]> {
  await renameRecordedMigrations(db);
  const [, applied] = (await db.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

/** Undoes every migration (`npm run migrate -- rollback`). */
export async function rollbackDatabaseMigrations(db: Knex): Promise<string[]> {
  await renameRecordedMigrations(db);
  const [, undone] = (await db.migrate.rollback(migrationConfig, true)) as [number, string[]];
  return undone;
}

/** Names of the applied and pending migrations. */
export async function migrationStatus(db: Knex): Promise<{ applied: string[]; pending: string[] }> {
  await renameRecordedMigrations(db);
  const [done, pending] = (await db.migrate.list(migrationConfig)) as [Array<{ name: string }>, Array<{ file: string } | string>];
  return { applied: done.map((m) => m.name), pending: pending.map((m) => (typeof m === 'string' ? m : m.file)) };
}
