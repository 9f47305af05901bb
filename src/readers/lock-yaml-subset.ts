/**
 * A fast reader for the block-YAML subset that lock writers emit (pixi and rattler through
 * serde_yaml): block mappings with plain keys, block sequences, and one-line scalars (plain, single-
 * or double-quoted, `[]` and `{}`). Reading the 2.8 MB ros2-nav2 lock takes it ~30 ms where js-yaml
 * takes ~200 ms, because it never builds js-yaml's event list and never resolves types beyond the
 * lock schema's null and bool. Written by hand because no YAML library offers a fast path for a
 * restricted subset, and a lock's read is most of a gate's time.
 *
 * It gives up — returns undefined — on the first thing outside the subset (comments, anchors,
 * tags, block or multi-line scalars, flow collections with content, quoted or unusual keys,
 * duplicate keys, tabs, CR, document markers, deep nesting). The caller then parses the text with
 * js-yaml as before, so errors, line numbers and every unusual document are always js-yaml's. What
 * it does read must equal js-yaml's `lockSchema()` result: the tests compare the two on every lock
 * in the corpus and on generated documents.
 */

/** js-yaml's core null and bool forms: the only scalars the lock schema resolves. */
const RESOLVED: ReadonlyMap<string, null | boolean> = new Map<string, null | boolean>([
  ['~', null],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

/** A key the subset accepts: what lock writers put there (names, platforms, environment names). */
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.+/@-]*$/;
/** Characters that may not start a plain scalar (YAML's c-indicators; `-` is handled apart). */
const INDICATOR_FIRST = new Set([
  '?',
  ':',
  ',',
  '[',
  ']',
  '{',
  '}',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
]);
/** Escapes JSON and YAML read alike; any other escape sends the text to js-yaml. */
const JSON_ESCAPES = /\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})/g;
const MAX_DEPTH = 32;

class OutsideSubset extends Error {}

function outside(): never {
  throw new OutsideSubset();
}

/**
 * Control characters, tabs, CR, BOM, non-characters and any UTF-16 surrogate (astral characters
 * included): js-yaml has its own rules for each, so such a text is left to it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const LEFT_TO_JS_YAML = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]/;

export function loadLockSubset(text: string): unknown {
  if (LEFT_TO_JS_YAML.test(text)) return undefined;
  try {
    return new SubsetReader(text).document();
  } catch (error) {
    if (error instanceof OutsideSubset || error instanceof RangeError) return undefined;
    throw error;
  }
}

class SubsetReader {
  readonly #text: string;
  /** Start of the current line's content (after its indentation), or -1 at the end. */
  #content = 0;
  /** Indentation of the current line; a sequence entry's inline mapping raises it past the `- `. */
  #indent = 0;
  /** End of the current line (index of its `\n`, or the text's length). */
  #end = 0;

  constructor(text: string) {
    this.#text = text;
    this.#moveTo(0);
  }

  document(): unknown {
    if (this.#content === -1) return undefined; // an empty text: js-yaml decides
    if (this.#indent !== 0) outside();
    const document = this.#isSequenceEntry() ? this.#sequence(0, 0) : this.#mapping(0, 0);
    if (this.#content !== -1) outside();
    return document;
  }

  /** Moves to the next line with content at or after `from`, skipping blank lines. */
  #moveTo(from: number): void {
    const text = this.#text;
    let start = from;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      let content = start;
      while (content < end && text.charCodeAt(content) === 32) content++;
      if (content < end) {
        const first = text[content];
        if (first === '#') outside();
        if (content === start && (text.startsWith('---', start) || text.startsWith('...', start) || first === '%')) {
          outside();
        }
        this.#content = content;
        this.#indent = content - start;
        this.#end = end;
        return;
      }
      start = end + 1;
    }
    this.#content = -1;
    this.#indent = -1;
    this.#end = text.length;
  }

  #next(): void {
    this.#moveTo(this.#end + 1);
  }

  /**
   * The next `: ` at or after a position, remembered: lines are read in order, so the text is
   * scanned once however many lines end in a bare `key:` (a fresh search from each such line would
   * run to the next `: `, or to the end of a hostile text, every time).
   */
  #colonSpace = -2;

  /** Where a `key:` ends in the line `[start, end)` (the colon's index), or -1 when it is no mapping entry. */
  #keyEnd(start: number, end: number): number {
    const text = this.#text;
    const first = text.charCodeAt(start);
    if (first === 39 /* ' */ || first === 34 /* " */) return keyEnd(text.slice(start, end)) === -1 ? -1 : outside();
    if (this.#colonSpace !== -1 && this.#colonSpace < start) this.#colonSpace = text.indexOf(': ', start);
    if (this.#colonSpace !== -1 && this.#colonSpace < end) return this.#colonSpace;
    return end - 1 >= start && text.charCodeAt(end - 1) === 58 /* : */ ? end - 1 : -1;
  }

  #isSequenceEntry(): boolean {
    const text = this.#text;
    const at = this.#content;
    return text.charCodeAt(at) === 45 /* - */ && (at + 1 === this.#end || text.charCodeAt(at + 1) === 32);
  }

  #mapping(indent: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) outside();
    const mapping: Record<string, unknown> = {};
    while (this.#content !== -1 && this.#indent === indent && !this.#isSequenceEntry()) {
      const text = this.#text;
      const end = this.#end;
      // positions in the text, not slices of the line: two fewer strings per line of a 2.8 MB lock
      const colon = this.#keyEnd(this.#content, end);
      if (colon === -1) outside();
      const key = text.slice(this.#content, colon);
      if (!PLAIN_KEY.test(key) || key === '__proto__' || Object.hasOwn(mapping, key)) outside();
      // only spaces separate a value from its key: YAML's white space is space and tab (no tabs get here)
      let valueStart = colon + 1;
      while (valueStart < end && text.charCodeAt(valueStart) === 32) valueStart++;
      const rest = valueStart < end ? text.slice(valueStart, end) : '';
      this.#next();
      if (rest !== '') {
        mapping[key] = scalar(rest);
        if (this.#content !== -1 && this.#indent > indent) outside(); // a multi-line scalar
      } else if (this.#content !== -1 && this.#indent > indent) {
        mapping[key] = this.#block(this.#indent, depth + 1);
      } else if (this.#content !== -1 && this.#indent === indent && this.#isSequenceEntry()) {
        mapping[key] = this.#sequence(indent, depth + 1); // `key:` then `- item` at the key's own indent
      } else {
        mapping[key] = null;
      }
    }
    if (this.#content !== -1 && this.#indent > indent) outside();
    return mapping;
  }

  #sequence(indent: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) outside();
    const sequence: unknown[] = [];
    while (this.#content !== -1 && this.#indent === indent && this.#isSequenceEntry()) {
      let contentStart = this.#content + 1;
      while (contentStart < this.#end && this.#text.charCodeAt(contentStart) === 32) contentStart++;
      if (contentStart >= this.#end) {
        // a bare `-`: its entry is the block below, or null
        this.#next();
        sequence.push(this.#content !== -1 && this.#indent > indent ? this.#block(this.#indent, depth + 1) : null);
        continue;
      }
      const item = this.#text.slice(contentStart, this.#end);
      if (item === '-' || item.startsWith('- ')) outside(); // a sequence inside a sequence entry
      if (keyEnd(item) !== -1) {
        // `- key: value`: a mapping whose first key sits on the entry's line
        const lineStart = this.#content - this.#indent;
        this.#content = contentStart;
        this.#indent = contentStart - lineStart;
        sequence.push(this.#mapping(this.#indent, depth + 1));
      } else {
        sequence.push(scalar(item));
        this.#next();
        if (this.#content !== -1 && this.#indent > indent) outside(); // a multi-line scalar
      }
    }
    if (this.#content !== -1 && this.#indent > indent) outside();
    return sequence;
  }

  #block(indent: number, depth: number): unknown {
    return this.#isSequenceEntry() ? this.#sequence(indent, depth) : this.#mapping(indent, depth);
  }
}

/** Where a `key:` ends in a line (the colon), or -1 when the line is no mapping entry. */
function keyEnd(line: string): number {
  const first = line[0];
  if (first === "'" || first === '"') {
    // a quoted scalar, unless a `:` follows it (a quoted key, outside the subset)
    return /^(?:'(?:[^']|'')*'|"(?:[^"\\]|\\.)*")[ ]*:(?: |$)/.test(line) ? outside() : -1;
  }
  const spaced = line.indexOf(': ');
  if (spaced !== -1) return spaced;
  return line.endsWith(':') ? line.length - 1 : -1;
}

function scalar(source: string): unknown {
  const first = source[0] as string;
  if (first === "'") return singleQuoted(source);
  if (first === '"') return doubleQuoted(source);
  if (source === '[]') return [];
  if (source === '{}') return {};
  if (INDICATOR_FIRST.has(first) || (first === '-' && (source.length === 1 || source[1] === ' '))) outside();
  if (source.includes(' #') || source.includes(': ') || source.endsWith(':') || source.endsWith(' ')) outside();
  const resolved = RESOLVED.get(source);
  return resolved === undefined ? source : resolved;
}

function singleQuoted(source: string): string {
  if (source.length < 2 || !source.endsWith("'")) outside();
  const inner = source.slice(1, -1);
  // every quote inside must be doubled; a lone one would end the scalar early
  if (inner.replaceAll("''", '').includes("'")) outside();
  return inner.replaceAll("''", "'");
}

function doubleQuoted(source: string): string {
  if (source.length < 2 || !source.endsWith('"')) outside();
  const inner = source.slice(1, -1);
  if (inner.includes('\\')) {
    // only escapes JSON reads the same way; the last quote must not be escaped
    if (inner.replaceAll(JSON_ESCAPES, '').includes('\\')) outside();
  }
  if (inner.replaceAll(/\\./g, '').includes('"')) outside();
  if (!inner.includes('\\')) return inner;
  try {
    return JSON.parse(source) as string;
  } catch {
    return outside();
  }
}
