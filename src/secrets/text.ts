/** Small text helpers the secret detectors share: placeholders, randomness, masking, positions. */
import { createSha256 } from '../util/on-demand-crypto.ts';

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const PLACEHOLDER_WORDS =
  /changeme|change[-_]me|your[-_ ]?|example|placeholder|replace|dummy|redacted|xxxx|\*\*\*|\.\.\.|todo|fixme|insert|sample|<|>|\{\{|\$\{|%\(|secret[-_]?here|token[-_]?here|key[-_]?here/i;
const PLACEHOLDER_EXACT = new Set([
  'none',
  'null',
  'nil',
  'undefined',
  'false',
  'true',
  'secret',
  'password',
  'passwd',
  'token',
  'key',
  'test',
  'empty',
  'pass',
  'string',
  'str',
  'required',
  'optional',
]);

/**
 * A value nobody would use as a real credential: empty or tiny, a template or environment
 * reference (`${VAR}`, `$VAR`, `{{ var }}`, `%(var)s`, `<your-token>`), a filler run (`xxxx`,
 * `****`, `....`) or a word that says "put yours here" (`changeme`, `your-key-here`, `example`).
 */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < 4) return true;
  if (PLACEHOLDER_EXACT.has(trimmed.toLowerCase())) return true;
  if (/^\$[A-Za-z_{(]/.test(trimmed)) return true;
  if (/^(.)\1+$/.test(trimmed)) return true;
  if (/^[\s*x.\-_#]+$/i.test(trimmed)) return true;
  if (PLACEHOLDER_WORDS.test(trimmed)) return true;
  // A run of one character takes a third of the value: `ghp_aaaaaaaa…`, `sk-0000…`.
  const run = /(.)\1{5,}/.exec(trimmed);
  if (run && run[0].length * 3 >= trimmed.length) return true;
  return false;
}

/** Random enough to be a generated token: several distinct characters, letters and digits mixed. */
export function looksRandom(value: string, minBits = 3): boolean {
  if (value.length < 8) return false;
  if (isPlaceholder(value)) return false;
  const distinct = new Set(value).size;
  if (distinct < Math.min(10, Math.ceil(value.length / 3))) return false;
  return entropy(value) >= minBits;
}

/** sha256 of the secret, first 12 hex: lets reports correlate a secret without revealing it. */
export function fingerprint(secret: string): string {
  return createSha256().update(secret).digest('hex').slice(0, 12);
}

/** `ghp_**** (40 chars)`: the public prefix (never more), four stars and the secret's length. */
export function maskSecret(secret: string, publicPrefix = ''): string {
  const prefix = publicPrefix && secret.startsWith(publicPrefix) ? publicPrefix : '';
  return `${prefix}**** (${secret.length} chars)`;
}

/** Whether `text` reveals the secret: the secret itself or any 8-character piece of it outside the public prefix. */
export function revealsSecret(text: string, secret: string, publicPrefix = ''): boolean {
  if (secret.length === 0) return false;
  const start = publicPrefix && secret.startsWith(publicPrefix) ? publicPrefix.length : 0;
  const width = 8;
  if (secret.length - start < width) return text.includes(secret.slice(start)) && secret.length - start >= 4;
  for (let i = start; i + width <= secret.length; i++) if (text.includes(secret.slice(i, i + width))) return true;
  // A piece straddling the public prefix and the secret part.
  for (let i = Math.max(0, start - width + 1); i < start && i + width <= secret.length; i++)
    if (text.includes(secret.slice(i, i + width))) return true;
  return false;
}

/** Offsets of line starts, for 1-based line/column lookups (columns in UTF-16 code units, as SARIF's default). */
export class LineIndex {
  readonly starts: number[];
  readonly text: string;
  constructor(text: string) {
    this.text = text;
    const starts = [0];
    let at = text.indexOf('\n');
    while (at !== -1) {
      starts.push(at + 1);
      at = text.indexOf('\n', at + 1);
    }
    this.starts = starts;
  }

  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    return { line: line + 1, column: offset - (this.starts[line] as number) + 1 };
  }

  /** [start, end) of a 0-based line, without its newline (and a CR before it). */
  lineRange(line: number): [number, number] {
    const start = this.starts[line] as number;
    let end = line + 1 < this.starts.length ? (this.starts[line + 1] as number) - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return [start, end];
  }
}
