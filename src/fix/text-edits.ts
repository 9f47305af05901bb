/** What one edit of a manifest changed, read off the text before and after it, and the file's diff. */
import { createTwoFilesPatch, structuredPatch } from 'diff';

export interface ChangedLines {
  /** 1-based, in the text after the edit. */
  line: number;
  before: string;
  after: string;
}

/** The changed lines of one small edit (CR of CRLF files dropped from what is shown). */
export function changedLines(before: string, after: string): ChangedLines[] {
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 });
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

/** A unified diff of a whole file, named as the user would (`a/pixi.toml`, `b/pixi.toml`). */
export function fileDiff(name: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff opens with a row of `=`, which `git apply` and `patch` take for noise and people for a heading
  return patch.replace(/^=+\n/, '');
}
