/**
 * `node dist/erp/migrate.js latest|rollback|status` (npm run migrate) — applies the ERP schema migrations to
 * DATABASE_URL.
 */
import { readConfig } from '../shared/config';
import { applyDatabaseMigrations, createDatabase, migrationStatus, rollbackDatabaseMigrations } from './db';

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'latest';
  const db = createDatabase(readConfig().databaseUrl, { max: 1 });
  try {
    if (command === 'latest') {
      const applied = await applyDatabaseMigrations(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    } else if (command === 'rollback') {
      const undone = await rollbackDatabaseMigrations(db);
      console.log(undone.length ? `rolled back: ${undone.join(', ')}` : 'nothing to roll back');
    } else if (command === 'status') {
      const { applied, pending } = await migrationStatus(db);
      console.log(`applied ${applied.length}, pending ${pending.length}${pending.length ? ` (${pending.join(', ')})` : ''}`);
    } else {
      throw new Error(`unknown command "${command}" (use latest, rollback or status)`);
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
