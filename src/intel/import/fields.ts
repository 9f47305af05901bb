/** Small field conversions shared by the importers: one-line summaries, CWE ids, compact dates, reference URLs. */
import { asArray, asString, isObject } from './source.ts';

const SUMMARY_MAX = 200;

/** The first non-blank line of a description, cut at a word boundary near 200 characters. */
export function summarize(description: unknown): string | undefined {
  if (typeof description !== 'string') return undefined;
  const line = description
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part !== '' && !/^[-_=*#\s]+$/.test(part));
  if (!line) return undefined;
  if (line.length <= SUMMARY_MAX) return line;
  const cut = line.slice(0, SUMMARY_MAX);
  const space = cut.lastIndexOf(' ');
  return `${(space > SUMMARY_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** `CWE-79` ids found in free text (`CWE-297: Improper Validation …`), in order, without repeats. */
export function cweIds(...texts: unknown[]): string[] {
  const ids = texts.flatMap((text) => (typeof text === 'string' ? (text.match(/\bCWE-\d+\b/g) ?? []) : []));
  return [...new Set(ids)];
}

/** `20240731` → `2024-07-31T00:00:00Z`; undefined for anything else. */
export function dateFromCompact(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  return match ? `${match[1]}-${match[2]}-${match[3]}T00:00:00Z` : undefined;
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** The distinct `url`s of a `references: [{url}]` list (OSV, CVE JSON 5 and NVD all use this shape). */
export function referenceUrls(references: unknown): string[] {
  return distinct(
    asArray(references)
      .filter(isObject)
      .map((reference) => asString(reference.url))
      .filter((url) => url !== undefined),
  );
}
