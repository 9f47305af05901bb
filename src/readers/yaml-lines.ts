/**
 * Where a list entry or key sits in a hand-written YAML file (environment.yml, recipes). js-yaml
 * returns values without positions, so this scan finds the line of each entry by its text,
 * walking forward in document order, and reads the `# [selector]` comment conda puts on it.
 * Best-effort: undefined when the text cannot be found.
 */

const LIST_ITEM = /^\s*(?:-\s+)+(.*)$/;
const CONDITIONAL_VALUE = /^\s*(?:-\s+)?(?:then|else):\s+(.*)$/;
const SELECTOR = /\s#\s*\[([^\]]+)\]\s*$/;

export class YamlLines {
  private readonly lines: string[];
  /** Index of the line the next search starts from: entries are looked up in document order. */
  private cursor = 0;

  constructor(text: string) {
    this.lines = text.split(/\r?\n/);
  }

  /** Move past the next `key:` line, so the following lookups search the block under it. */
  enter(key: string): void {
    const pattern = new RegExp(`^\\s*(?:-\\s+)?["']?${escapeRegExp(key)}["']?\\s*:(?:\\s|$)`);
    const index = this.indexFrom(this.cursor, (line) => pattern.test(line));
    if (index !== undefined) this.cursor = index + 1;
  }

  /** Move past the top-level `key:` line, wherever the cursor is. */
  enterTopLevel(key: string): void {
    const pattern = new RegExp(`^["']?${escapeRegExp(key)}["']?\\s*:(?:\\s|$)`);
    const index = this.indexFrom(0, (line) => pattern.test(line));
    if (index !== undefined) this.cursor = index + 1;
  }

  /**
   * 1-based line of the next list entry (or `key: value` when `key` is given) whose value is
   * `value`; the search continues after it next time.
   */
  find(value: string, key?: string): number | undefined {
    const index = this.indexOf(value, key);
    if (index === undefined) return undefined;
    this.cursor = index + 1;
    return index + 1;
  }

  /** Like `find`, without moving on: for scalar fields read out of document order. */
  lineOf(value: string, key?: string): number | undefined {
    const index = this.indexOf(value, key);
    return index === undefined ? undefined : index + 1;
  }

  /** The conda-build selector on a line: `- pywin32  # [win]` → `win`. */
  selectorAt(line: number | undefined): string | undefined {
    if (line === undefined) return undefined;
    return SELECTOR.exec(this.lines[line - 1] ?? '')?.[1]?.trim();
  }

  private indexOf(value: string, key: string | undefined): number | undefined {
    const wanted = value.trim();
    if (!wanted) return undefined;
    const matches = (line: string) => entryValue(line, key) === wanted;
    return (
      this.indexFrom(this.cursor, matches) ??
      this.indexFrom(0, matches) ??
      this.indexFrom(this.cursor, (line) => line.includes(wanted))
    );
  }

  private indexFrom(start: number, test: (line: string) => boolean): number | undefined {
    for (let index = start; index < this.lines.length; index++) {
      if (test(this.lines[index] ?? '')) return index;
    }
    return undefined;
  }
}

function entryValue(line: string, key: string | undefined): string | undefined {
  let raw: string | undefined;
  if (key === undefined) {
    raw = (LIST_ITEM.exec(line) ?? CONDITIONAL_VALUE.exec(line))?.[1];
  } else {
    raw = new RegExp(`^\\s*(?:-\\s+)?["']?${escapeRegExp(key)}["']?\\s*:\\s+(.*)$`).exec(line)?.[1];
  }
  return raw === undefined ? undefined : unquote(stripComment(raw).trim());
}

/** A YAML comment starts at a `#` preceded by whitespace, outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      if (index === 0 || /\s/.test(text[index - 1] ?? '')) quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(text[index - 1] ?? ''))) {
      return text.slice(0, index);
    }
  }
  return text;
}

function unquote(text: string): string {
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0]) return text.slice(1, -1);
  return text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Nothing but blank lines and comments: js-yaml refuses such a text as "no document". */
export function isBlankYaml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => line.trim() === '' || line.trim().startsWith('#'));
}
