/** Plain-text tables for the terminal: left-aligned columns, long cells shortened in the middle. */

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  maxWidth?: number;
}

export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => shorten(column.value(row), column.maxWidth)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

function shorten(text: string, maxWidth: number | undefined): string {
  if (!maxWidth || text.length <= maxWidth) return text;
  const keep = maxWidth - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}
