import type { Knex } from 'knex';

/**
 * A schedule names its runs by the second they start, so two runs of a vitrine in one second (an
 * ad-hoc run right after another) have the same workflow id. An import run is told apart by the
 * run id of its first execution too, and the integration log names the import run it belongs to.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.text('workflow_run_id').comment('Run id of the first execution of the import workflow (null for runs recorded before it was kept)');
    t.dropUnique(['workflow_id'], 'import_runs_workflow_id_unique');
    t.unique(['workflow_id', 'workflow_run_id'], { indexName: 'import_runs_workflow_run_unique' });
  });
  await knex.schema.alterTable('integration_log', (t) => {
    t.bigInteger('import_run_id')
      .references('id')
      .inTable('import_runs')
      .onDelete('SET NULL')
      .comment('The import run that wrote the entry, if any');
    t.index(['import_run_id'], 'integration_log_import_run_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('integration_log', (t) => {
    t.dropIndex(['import_run_id'], 'integration_log_import_run_idx');
    t.dropColumn('import_run_id');
  });
  // Runs that shared a workflow id keep the first one's: the old unique key allows one.
  await knex.raw(`delete from import_runs r using import_runs o where r.workflow_id = o.workflow_id and r.id > o.id`);
  await knex.schema.alterTable('import_runs', (t) => {
    t.dropUnique(['workflow_id', 'workflow_run_id'], 'import_runs_workflow_run_unique');
    t.dropColumn('workflow_run_id');
    t.unique(['workflow_id'], { indexName: 'import_runs_workflow_id_unique' });
  });
}
