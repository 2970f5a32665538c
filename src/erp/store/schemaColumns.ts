import type { Knex } from 'knex';

/** Column names and types of a table, as Postgres describes them. */
export type ColumnTypes = Map<string, { dataType: string; nullable: boolean }>;

/** The live columns of one of the ERP's tables. */
export async function columnTypes(db: Knex | Knex.Transaction, table: string): Promise<ColumnTypes> {
  const rows: Array<{ column_name: string; data_type: string; is_nullable: string }> = await db('information_schema.columns')
    .where({ table_schema: db.raw('current_schema()'), table_name: table })
    .select('column_name', 'data_type', 'is_nullable');
  return new Map(rows.map((row) => [row.column_name, { dataType: row.data_type, nullable: row.is_nullable === 'YES' }]));
}

/** The id of the row of `table` (carriers, say) with the given code, if any. */
export async function idByCode(db: Knex | Knex.Transaction, table: 'carriers', code: string): Promise<number | undefined> {
  const row: { id: number } | undefined = await db(table).where({ code }).first('id');
  return row?.id;
}
