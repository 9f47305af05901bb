/** What one edit of a manifest changed, read off the text before and after it, and the file's diff. */
import { createTwoFilesPatch, structuredPatch } from 'diff';

export interface ChangedLines {
  /** 1-based, in the text after the edit. */
  line: number;
  before: string;
  after: string;
}

/** A changed region in the text before the edit: where it starts, how many lines it had and has now. */
interface Region {
  oldStart: number;
  oldLines: number;
  newLines: number;
}

/**
 * The changed lines of one small edit (CR of CRLF files dropped from what is shown). `earlier`
 * are edits recorded on the text before this one: their lines move with the lines this edit adds
 * or removes above them, so every line number holds in the file as finally written.
 */
export function changedLines(before: string, after: string, earlier: { line: number }[] = []): ChangedLines[] {
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 });
  for (const hunk of [...patch.hunks].reverse()) shiftBelow(earlier, hunk);
  return patch.hunks.map((hunk) => {
    const removed = hunk.lines.filter((text) => text.startsWith('-')).map((text) => text.slice(1).replace(/\r$/, ''));
    const added = hunk.lines.filter((text) => text.startsWith('+')).map((text) => text.slice(1).replace(/\r$/, ''));
    return {
      line: hunk.newStart,
      before: removed.join('\n'),
      after: added.join('\n'),
    };
  });
}

function shiftBelow(edits: { line: number }[], region: Region): void {
  const delta = region.newLines - region.oldLines;
  if (delta === 0) return;
  for (const edit of edits) if (edit.line >= region.oldStart + region.oldLines) edit.line += delta;
}

/** A unified diff of a whole file, named as the user would (`a/pixi.toml`, `b/pixi.toml`). */
export function fileDiff(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff opens with a row of `=`, which `git apply` and `patch` take for noise and people for a heading
  return patch.replace(/^=+\n/, '');
}
