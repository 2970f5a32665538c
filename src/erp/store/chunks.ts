/**
 * Postgres takes at most 65,535 bind parameters in one statement. Multi-row statements go in
 * chunks of rows that stay below it, whatever a page holds (a B2B order can have 1,000 lines).
 */
export const MAX_BIND_PARAMETERS = 65_535;

/** Rows per statement for rows of `columns` values each, with room for a few more parameters. */
export function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.floor((MAX_BIND_PARAMETERS - 100) / Math.max(1, columns)));
}

/** The rows in chunks that each fit one statement. */
export function chunksOf<T extends object>(rows: T[], columns = rows.length > 0 ? Object.keys(rows[0]).length : 1): T[][] {
  const size = rowsPerStatement(columns);
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}
