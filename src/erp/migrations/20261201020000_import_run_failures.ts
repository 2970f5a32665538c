import type { Knex } from 'knex';

/** Why a run failed, as operators read it in `vitrine status` and the backoffice: type and message (ids only). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.text('failure_type').comment('Type of the failure that failed the run (src/shared/failureTypes.ts), e.g. PlatformRejected');
    t.text('failure_message').comment('Message of that failure: names the step, the vitrine and orders by id, never customer data');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.dropColumn('failure_message');
    t.dropColumn('failure_type');
  });
}
