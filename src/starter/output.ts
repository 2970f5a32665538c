/** How the CLI speaks: tables or JSON on stdout, one error line on stderr. */

/** A problem with the user's input or the state of things: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(rows: Array<Record<string, unknown>>, empty = '(none)'): void {
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const columns = Object.keys(rows[0]);
  const text = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...text.map((cells) => cells[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(columns));
  for (const cells of text) console.log(line(cells));
}

export function printFields(fields: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(fields).map((key) => key.length));
  for (const [key, value] of Object.entries(fields)) console.log(`${`${key}:`.padEnd(width + 1)} ${formatCell(value)}`);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

// Shared with the backoffice.
export { formatCents, maskSecret } from '../shared/format';
