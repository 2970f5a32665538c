import knex, { Knex } from 'knex';
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

export const migrationConfig: Knex.MigratorConfig = {
  directory: path.join(__dirname, 'migrations'),
  loadExtensions: ['.ts', '.js'],
  tableName: 'knex_migrations',
};

/** Brings the schema up to date; used by the scripts, the worker at start and the tests. */
export async function applyDatabaseMigrations(db: Knex): Promise<void> {
  await db.migrate.latest(migrationConfig);
}
