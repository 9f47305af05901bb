/**
 * Line numbers of the entries of a top-level YAML list (`packages:` in pixi.lock, `package:` in
 * conda-lock). The YAML parser gives values, not positions; this scan gives positions so findings
 * can point at the record. It is best-effort: when the count does not match, no lines are given.
 * It jumps from entry to entry with indexOf (a 2 MB lock takes about a millisecond).
 */

export function listEntryLines(text: string, key: string, expectedCount: number): number[] | undefined {
  if (expectedCount === 0) return [];
  const header = new RegExp(`^${key}:[ \\t]*(?:#.*)?$`, 'm').exec(text);
  if (!header) return undefined;
  const headerEnd = text.indexOf('\n', header.index);
  if (headerEnd === -1) return undefined;
  const firstEntry = /^( *)- /m.exec(text.slice(headerEnd + 1, headerEnd + 4096));
  if (!firstEntry) return undefined;
  const needle = `\n${firstEntry[1] ?? ''}- `;

  const lines: number[] = [];
  let line = countNewlines(text, 0, header.index) + 1; // line of the header
  let counted = header.index;
  let position = text.indexOf(needle, headerEnd);
  // Entries of a later top-level list would make the count too high: then no lines are given.
  while (position !== -1) {
    line += countNewlines(text, counted, position + 1);
    counted = position + 1;
    lines.push(line);
    if (lines.length > expectedCount) return undefined;
    position = text.indexOf(needle, position + 1);
  }
  return lines.length === expectedCount ? lines : undefined;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let position = text.indexOf('\n', from);
  while (position !== -1 && position < to) {
    count++;
    position = text.indexOf('\n', position + 1);
  }
  return count;
}
