/** How the CLI speaks: tables or JSON on stdout, one error line on stderr. */

/** A problem with the user's input or the state of things: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a command writes: the process's stdout, or a test's buffer. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A command's output. Every command writes through it, never to process.stdout itself. */
export class Output {
  constructor(private readonly sink: TextSink) {}

  /** A terminal gets live, rewritten progress lines; a pipe or a file gets one line per change. */
  get isTTY(): boolean {
    return this.sink.isTTY === true;
  }

  write(text: string): void {
    this.sink.write(text);
  }

  line(text = ''): void {
    this.sink.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.sink.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  table(rows: Array<Record<string, unknown>>, empty = '(none)'): void {
    if (rows.length === 0) return this.line(empty);
    const columns = Object.keys(rows[0]);
    const text = rows.map((row) => columns.map((column) => formatCell(row[column])));
    const widths = columns.map((column, i) => Math.max(column.length, ...text.map((cells) => cells[i].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    this.line(line(columns));
    for (const cells of text) this.line(line(cells));
  }

  fields(fields: Record<string, unknown>): void {
    const width = Math.max(...Object.keys(fields).map((key) => key.length));
    for (const [key, value] of Object.entries(fields)) this.line(`${`${key}:`.padEnd(width + 1)} ${formatCell(value)}`);
  }
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

// Shared with the backoffice.
export { formatCents, describeSealedSecret } from '../shared/format';
