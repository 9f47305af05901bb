/**
 * Plain-text tables for the terminal: left-aligned columns, long cells shortened in the middle.
 * Every cell passes through `plain`: cells come from locks, advisories and file names.
 */
import { noPaint, type Paint, type Tone } from '../terminal/colour.ts';
import { plain } from '../text/plain.ts';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  maxWidth?: number;
  /** The cell's colour, when the table is painted. */
  tone?: (row: Row) => Tone | undefined;
}

export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  paint: Paint = noPaint,
): string {
  // columns repeat their values (a channel, a platform, an environment list on thousands of rows):
  // each distinct value is neutralised and shortened once per column
  const seen = columns.map(() => new Map<string, string>());
  const cells = rows.map((row) =>
    columns.map((column, index) => {
      const value = column.value(row);
      const memo = seen[index] as Map<string, string>;
      let cell = memo.get(value);
      if (cell === undefined) {
        cell = shorten(plain(value), column.maxWidth);
        memo.set(value, cell);
      }
      return cell;
    }),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const line = (values: readonly string[], row?: Row) =>
    values
      .map((value, index) => {
        const padding = index === values.length - 1 ? '' : ' '.repeat((widths[index] ?? 0) - value.length);
        const tone = row === undefined ? undefined : columns[index]?.tone?.(row);
        return (tone ? paint(tone, value) : value) + padding;
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    ...cells.map((values, index) => line(values, rows[index])),
  ].join('\n');
}

function shorten(text: string, maxWidth: number | undefined): string {
  if (!maxWidth || text.length <= maxWidth) return text;
  // By code point, so a cut never leaves half a surrogate pair.
  const chars = Array.from(text);
  if (chars.length <= maxWidth) return text;
  const keep = maxWidth - 1;
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}
