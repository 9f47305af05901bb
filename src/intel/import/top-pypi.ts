/**
 * hugovk/top-pypi-packages (`{last_update, rows:[{download_count, project}]}`, most downloaded
 * first) → popularity source `top-pypi`, rank = position in the list.
 */
import type { PreparedImport } from './prepared.ts';
import { asArray, asString, feedInvalid, isObject, type Json } from './source.ts';

export function isTopPypiList(document: unknown): document is Json {
  if (!isObject(document) || !Array.isArray(document.rows)) return false;
  const [first] = document.rows;
  return first === undefined || (isObject(first) && 'project' in first);
}

export function prepareTopPypi(document: Json, path: string): PreparedImport {
  const rows = asArray(document.rows).map((row, index) => {
    const project = isObject(row) ? asString(row.project) : undefined;
    if (!isObject(row) || !project)
      throw feedInvalid('row without a `project` name', { file: path, key: `rows[${index}]` });
    const downloads = row.download_count;
    return typeof downloads === 'number' && Number.isFinite(downloads)
      ? { name: project, downloads }
      : { name: project };
  });
  return {
    write(store) {
      const written = store.replacePopularity('top-pypi', rows);
      return {
        feed: 'top-pypi',
        records: rows.length,
        written,
        skipped: Math.max(0, rows.length - written),
        notes: [],
      };
    },
  };
}
