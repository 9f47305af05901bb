/**
 * Where a key sits in a TOML file. smol-toml returns values without positions, so this scan maps
 * (table, key) to a line number for messages and report locations. Best-effort: undefined when
 * the key cannot be found.
 */

interface KeyLine {
  table: string;
  key: string;
  line: number;
  /** Inside an array of tables (`[[waivers]]`): which entry, counted from 0. */
  entry?: number;
}

export class TomlLines {
  private readonly keys: KeyLine[] = [];
  /** `[[table]]` headers: table path → line of each entry's header. */
  private readonly entries = new Map<string, number[]>();

  constructor(text: string) {
    let table = '';
    let entry: number | undefined;
    const lines = text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]?.trim() ?? '';
      if (!line || line.startsWith('#')) continue;
      const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
      if (header?.[1]) {
        table = normalizeDotted(header[1]);
        entry = undefined;
        if (line.startsWith('[[')) {
          const lines = this.entries.get(table) ?? [];
          lines.push(index + 1);
          this.entries.set(table, lines);
          entry = lines.length - 1;
        }
        continue;
      }
      const assignment =
        /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=/.exec(line);
      if (!assignment?.[1]) continue;
      const dotted = normalizeDotted(assignment[1]);
      const lastDot = lastSeparator(dotted);
      const keyTable = lastDot === -1 ? table : [table, dotted.slice(0, lastDot)].filter(Boolean).join('.');
      const key = lastDot === -1 ? dotted : dotted.slice(lastDot + 1);
      this.keys.push({ table: keyTable, key, line: index + 1, entry: lastDot === -1 ? entry : undefined });
      // inline tables: `pypi-dependencies = { flask = "==3" }` — record the inner keys on the same line
      const inline = /=\s*\{(.*)\}\s*(?:#.*)?$/.exec(line);
      if (inline?.[1]) {
        const innerTable = [keyTable, key].filter(Boolean).join('.');
        for (const inner of inline[1].matchAll(/(?:^|,)\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=/g)) {
          if (inner[1]) this.keys.push({ table: innerTable, key: unquote(inner[1]), line: index + 1 });
        }
      }
    }
  }

  /** Line of `key` in `table` (dotted path like `tool.pixi.feature.x.dependencies`). */
  lineOf(table: string, key?: string): number | undefined {
    if (key === undefined) {
      return this.keys.find((entry) => entry.table === table || entry.table.startsWith(`${table}.`))?.line;
    }
    return this.keys.find((entry) => entry.table === table && entry.key === key)?.line;
  }

  /** Line of entry `index` of the array of tables `table` (`[[waivers]]`), or of `key` inside it. */
  lineOfEntry(table: string, index: number, key?: string): number | undefined {
    const header = this.entries.get(table)?.[index];
    if (header === undefined || key === undefined) return header;
    return this.keys.find((line) => line.table === table && line.entry === index && line.key === key)?.line ?? header;
  }
}

function normalizeDotted(text: string): string {
  const parts: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|([^.\s"']+)/g))
    parts.push(match[1] ?? match[2] ?? match[3] ?? '');
  return parts.join('\u0001');
}

function lastSeparator(dotted: string): number {
  return dotted.lastIndexOf('\u0001');
}

function unquote(text: string): string {
  return text.replace(/^["']|["']$/g, '');
}

/** Dotted path of table names as `lineOf` expects it. */
export function tablePath(...parts: string[]): string {
  return parts.filter(Boolean).join('\u0001');
}
