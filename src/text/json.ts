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
  const json = JSON.stringify(
    document,
    (_key, value: unknown) => {
      if (typeof value === 'string') return text(value);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      // Keys are ours nearly everywhere, but evidence keys come from checks: rebuild only what changes.
      const keys = Object.keys(value);
      if (keys.every((key) => text(key) === key)) return value;
      return Object.fromEntries(keys.map((key) => [text(key), (value as Record<string, unknown>)[key]]));
    },
    options.indent ?? 2,
  );
  return jsonAsciiSafe(json);
}
