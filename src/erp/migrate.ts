/**
 * `tsx src/erp/migrate.ts latest|rollback|status` — applies the ERP schema migrations to
 * DATABASE_URL.
 */
import { readConfig } from '../shared/config';
import { createDatabase, migrationConfig } from './db';

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'latest';
  const db = createDatabase(readConfig().databaseUrl, { max: 1 });
  try {
    if (command === 'latest') {
      const [, applied] = await db.migrate.latest(migrationConfig);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    } else if (command === 'rollback') {
      const [, undone] = await db.migrate.rollback(migrationConfig, true);
      console.log(undone.length ? `rolled back: ${undone.join(', ')}` : 'nothing to roll back');
    } else if (command === 'status') {
      const [done, pending] = await db.migrate.list(migrationConfig);
      console.log(`applied ${done.length}, pending ${pending.length}`);
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
