/**
 * Every JSON document cvebuild writes (audit, inventory and diff JSON, SARIF, CycloneDX, SPDX, db
 * status, verify) is serialised here: each string, value or key, passes through `text` (credential
 * masking by default), and the document is made inert when printed (`jsonAsciiSafe`). The values
 * keep their characters for a parser: a package name in JSON is an identifier, which must match
 * the lock.
 */
import { jsonAsciiSafe } from './controls.ts';
import { maskCredentials } from './credentials.ts';

export interface JsonOptions {
  /** What each string value becomes (default: credentials masked). */
  text?: (value: string) => string;
  /** Indentation (default 2; 0 for one line). */
  indent?: number;
}

/** The document as JSON text, without a trailing newline. */
export function toJson(document: unknown, options: JsonOptions = {}): string {
  const text = options.text ?? maskCredentials;
  // Mapped before serialising rather than by a JSON.stringify replacer, which costs V8 its fast path (3x).
  return jsonAsciiSafe(JSON.stringify(mapStrings(document, text), null, options.indent ?? 2));
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
