/**
 * depgate's index of malicious PyPI names (JSON-lines `{"name", "id"}`, MAL ids with no versions) →
 * malicious_names, for names whose full OSV record is not available offline.
 */
import { normalizePypiName } from '../../model/package.ts';
import type { MaliciousName } from '../model.ts';
import type { PreparedImport } from './prepared.ts';
import { asString, feedInvalid, isObject, type JsonLine } from './source.ts';

export function isMaliciousNameRecord(value: unknown): boolean {
  return isObject(value) && typeof value.name === 'string' && typeof value.id === 'string' && !('modified' in value);
}

export function prepareMaliciousNames(lines: Iterable<JsonLine>, path: string): PreparedImport {
  const entries: MaliciousName[] = [];
  for (const { value, line } of lines) {
    const name = isObject(value) ? asString(value.name) : undefined;
    const id = isObject(value) ? asString(value.id) : undefined;
    if (!name || !id) throw feedInvalid('expected {"name", "id"}', { file: path, line });
    entries.push({ ecosystem: 'PyPI', normalizedName: normalizePypiName(name), id });
  }
  return {
    write(store) {
      const written = store.replaceMaliciousNames(entries);
      const records = entries.length;
      return { feed: 'malicious-names', records, written, skipped: Math.max(0, records - written), notes: [] };
    },
  };
}
