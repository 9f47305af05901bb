/**
 * Line numbers of the entries of a top-level YAML list (`packages:` in pixi.lock, `package:` in
 * conda-lock). The YAML parser gives values, not positions; this scan gives positions so findings
 * can point at the record. It is best-effort: when the count does not match, no lines are given.
 */

export function listEntryLines(text: string, key: string, expectedCount: number): number[] | undefined {
  const header = findTopLevelKey(text, key);
  if (header === undefined) return undefined;
  const lines: number[] = [];
  let lineNumber = header.line;
  let indent = -1;
  let position = header.end;
  while (position < text.length) {
    const next = text.indexOf('\n', position);
    const end = next === -1 ? text.length : next;
    lineNumber++;
    let column = position;
    while (column < end && text.charCodeAt(column) === 32) column++;
    const isEntry = text.charCodeAt(column) === 45 /* - */ && (column + 1 === end || text.charCodeAt(column + 1) === 32);
    const columnOffset = column - position;
    if (column < end && text.charCodeAt(column) !== 35 /* # */) {
      if (columnOffset === 0 && !isEntry) break; // next top-level key
      if (isEntry && (indent === -1 || columnOffset === indent)) {
        indent = columnOffset;
        lines.push(lineNumber);
      }
    }
    if (next === -1) break;
    position = next + 1;
  }
  return lines.length === expectedCount ? lines : undefined;
}

function findTopLevelKey(text: string, key: string): { line: number; end: number } | undefined {
  const pattern = new RegExp(`^${key}:[ \\t]*(?:#.*)?$`, 'm');
  const match = pattern.exec(text);
  if (!match) return undefined;
  let line = 1;
  for (let i = 0; i < match.index; i++) if (text.charCodeAt(i) === 10) line++;
  const end = text.indexOf('\n', match.index);
  return { line, end: end === -1 ? text.length : end + 1 };
}
