import type { Knex } from 'knex';

/** The platform's rate limit of a vitrine's account, which its connector paces Get order by. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('vitrines', (t) => {
    t.integer('get_order_limit_per_minute')
      .notNullable()
      .defaultTo(6000)
      .comment('Get order calls a minute the platform allows the account (VTEX: 6,000); the connector uses 95% of it');
    t.check('get_order_limit_per_minute between 1 and 1000000', [], 'vitrines_get_order_limit_range');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('vitrines', (t) => {
    t.dropChecks(['vitrines_get_order_limit_range']);
    t.dropColumn('get_order_limit_per_minute');
  });
}
