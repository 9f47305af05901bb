/**
 * conda-build applies selectors before parsing YAML, so `url: a  # [win]` next to `url: b  # [unix]`
 * is a valid recipe but holds a duplicate key for a YAML parser. Both branches are kept for list
 * entries; for a mapping key only the first value can be kept: later repeats on conditional lines
 * are commented out (with the block under them) and reported. A repeat on an unconditional line
 * is left alone, so the YAML parser reports it as the error it is.
 */

export interface DroppedKey {
  key: string;
  line: number;
}

// The key ends on a non-space character, so `\s*` alone takes the spaces before the colon: a lazy
// key that could also end in spaces made this quadratic in the length of a line of blanks.
const KEY = /^(["']?)([^"'#:{}[\],\s](?:[^"'#:{}[\],]*[^"'#:{}[\],\s])?)\1\s*:(?:\s|$)/;
const BLOCK_SCALAR = /:\s*[|>][-+0-9]*\s*(?:#.*)?$/;

export function dropRepeatedConditionalKeys(
  text: string,
  isConditional: (line: number) => boolean,
): { text: string; dropped: DroppedKey[] } {
  const lines = text.split('\n');
  const dropped: DroppedKey[] = [];
  /** Column → keys of the mapping currently open at that column, with the line each first appeared on. */
  const open = new Map<number, Map<string, number>>();
  let skipDeeperThan: number | undefined;
  let dropDeeperThan: number | undefined;

  const closeDeeperThan = (column: number) => {
    for (const openColumn of open.keys()) if (openColumn > column) open.delete(openColumn);
  };

  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    let column = line.length - line.trimStart().length;
    if (dropDeeperThan !== undefined) {
      if (column > dropDeeperThan) {
        lines[index] = `#${line}`;
        return;
      }
      dropDeeperThan = undefined;
    }
    if (skipDeeperThan !== undefined) {
      if (column > skipDeeperThan) return;
      skipDeeperThan = undefined;
    }
    let content = line.slice(column);
    // `- key: value` opens a new mapping inside the list item.
    for (let dash = /^-(\s+|$)/.exec(content); dash; dash = /^-(\s+|$)/.exec(content)) {
      closeDeeperThan(column);
      column += dash[0].length;
      content = content.slice(dash[0].length);
    }
    const key = KEY.exec(content)?.[2];
    if (key === undefined) return;
    closeDeeperThan(column);
    const keys = open.get(column) ?? new Map<string, number>();
    open.set(column, keys);
    const firstLine = keys.get(key);
    if (firstLine !== undefined && (isConditional(index + 1) || isConditional(firstLine))) {
      lines[index] = `#${line}`;
      dropped.push({ key, line: index + 1 });
      dropDeeperThan = column;
      return;
    }
    if (firstLine === undefined) keys.set(key, index + 1);
    if (BLOCK_SCALAR.test(content)) skipDeeperThan = column;
  });
  return { text: lines.join('\n'), dropped };
}
