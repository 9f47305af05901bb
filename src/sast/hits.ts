/** What every SAST engine's hits share, apart from any engine (so loading one never loads ast-grep). */
import type { CodeHit } from '../code/types.ts';

export function compareHits(a: CodeHit, b: CodeHit): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}

/** The first line of the matched text, trimmed, at most 200 characters. */
export function snippetOf(text: string): string {
  const line = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
