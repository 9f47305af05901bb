/**
 * Every JSON document cvebuild writes (audit, inventory and diff JSON, SARIF, CycloneDX, SPDX, db
 * status, verify) is serialised here: each string, value or key, passes through `text` (credential
 * masking by default), and the document is made inert when printed (`jsonAsciiSafe`). The values
 * keep their characters for a parser: a package name in JSON is an identifier, which must match
 * the lock.
 */
import { jsonAsciiSafe } from './controls.ts';
import { maskCredentials, nextCredentialTrigger } from './credentials.ts';

export interface JsonOptions {
  /** What each string value becomes (default: credentials masked). */
  text?: (value: string) => string;
  /** Indentation (default 2; 0 for one line). */
  indent?: number;
}

/** The document as JSON text, without a trailing newline. */
export function toJson(document: unknown, options: JsonOptions = {}): string {
  const indent = options.indent ?? 2;
  if (options.text === undefined || options.text === maskCredentials) {
    const masked = maskedJson(JSON.stringify(document, null, indent));
    if (masked !== undefined) return jsonAsciiSafe(masked);
  }
  return toJsonByWalk(document, options.text ?? maskCredentials, indent);
}

/**
 * The reference serialisation: every string and key through `text`, then JSON.stringify. Mapped
 * before serialising rather than by a JSON.stringify replacer, which costs V8 its fast path (3x).
 */
export function toJsonByWalk(document: unknown, text: (value: string) => string, indent: number): string {
  return jsonAsciiSafe(JSON.stringify(mapStrings(document, text), null, indent));
}

/**
 * The JSON text with credentials masked in its string literals, exactly as `toJsonByWalk` would
 * write it; undefined when only the walk can say (a key that masking changes may merge with
 * another key). Walking a report's tens of thousands of strings costs more than serialising it,
 * yet a report holds few strings that could hold a credential: every form needs `@`, `=`, `/t/`
 * or `%40` (see credentials.ts), characters JSON.stringify writes as they are, and none can occur
 * outside a string literal. So the text is searched for those, and only the literals holding one
 * are decoded, masked and written again (JSON.stringify writes a string the same in any context).
 */
function maskedJson(json: string | undefined): string | undefined {
  if (typeof json !== 'string') return json;
  let out = '';
  let copied = 0;
  for (let at = nextCredentialTrigger(json, 0); at !== -1; ) {
    const open = literalStart(json, at);
    const close = literalEnd(json, at);
    if (open === -1 || close === -1) return undefined;
    const value = decodeLiteral(json.slice(open, close + 1));
    if (value === undefined) return undefined;
    const masked = maskCredentials(value);
    if (masked !== value) {
      if (json.charCodeAt(close + 1) === COLON) return undefined;
      out += json.slice(copied, open) + JSON.stringify(masked);
      copied = close + 1;
    }
    at = nextCredentialTrigger(json, close + 1);
  }
  return copied === 0 ? json : out + json.slice(copied);
}

const COLON = 0x3a;
const BACKSLASH = 0x5c;

/** The opening quote of the string literal holding `at`: inside a literal every quote is escaped. */
function literalStart(json: string, at: number): number {
  let quote = json.lastIndexOf('"', at - 1);
  while (quote > 0 && isEscaped(json, quote)) quote = json.lastIndexOf('"', quote - 1);
  return quote;
}

/** The closing quote of the string literal holding `at`. */
function literalEnd(json: string, at: number): number {
  let quote = json.indexOf('"', at);
  while (quote !== -1 && isEscaped(json, quote)) quote = json.indexOf('"', quote + 1);
  return quote;
}

/** An odd run of backslashes before a quote escapes it; an even one is escaped backslashes. */
function isEscaped(json: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; i >= 0 && json.charCodeAt(i) === BACKSLASH; i--) backslashes++;
  return backslashes % 2 === 1;
}

function decodeLiteral(literal: string): string | undefined {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The value with every string (and key) through `text`; parts that do not change are shared, not copied. */
function mapStrings(value: unknown, text: (value: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (value === null || typeof value !== 'object') return value;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return mapStrings(json.call(value), text);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const mapped = mapStrings(value[i], text);
      if (mapped === value[i]) continue;
      copy ??= [...value];
      copy[i] = mapped;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  for (const [i, key] of keys.entries()) {
    const newKey = text(key);
    const newItem = mapStrings(record[key], text);
    if (!copy && (newKey !== key || newItem !== record[key])) {
      copy = {};
      for (const earlier of keys.slice(0, i)) copy[earlier] = record[earlier];
    }
    if (copy) copy[newKey] = newItem;
  }
  return copy ?? value;
}
