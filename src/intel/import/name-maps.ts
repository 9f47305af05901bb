/**
 * conda-forge name lists keyed by conda package name:
 * - parselmouth conda→PyPI maps, in three shapes: the per-channel v0 map (name → list or null), the
 *   flat legacy map (name → string or null) and mapping_as_grayskull (name → string, no nulls).
 *   `null` means "known, not a Python package" and is stored as `[]`.
 * - conda-forge feedstock-outputs.json (output name → feedstocks): the universe of names that may be
 *   published on conda-forge. It is no ranking; it is stored as popularity source `conda-forge-names`
 *   with rank = alphabetical position, so "does this conda name exist" is one lookup.
 */
import { basename } from 'node:path';
import type { FeedName } from '../model.ts';
import type { NAME_MAP_SOURCES } from '../store.ts';
import type { PreparedImport } from './prepared.ts';
import { feedInvalid, type Json } from './source.ts';

export type NameMapSource = (typeof NAME_MAP_SOURCES)[number];
export type NameListKind = NameMapSource | 'feedstock-outputs';

type Shape = 'list' | 'string';

/** The shape of a `{conda name: …}` document, or undefined when it is not one. */
function shapeOf(document: Json): { shape: Shape; hasNull: boolean } | undefined {
  let lists = 0;
  let texts = 0;
  let nulls = 0;
  for (const value of Object.values(document)) {
    if (value === null) nulls++;
    else if (typeof value === 'string') texts++;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) lists++;
    else return undefined;
  }
  if (lists > 0 && texts > 0) return undefined;
  if (lists + texts === 0) return undefined;
  return { shape: lists > 0 ? 'list' : 'string', hasNull: nulls > 0 };
}

/**
 * Which name list a document is. The v0 parselmouth map and feedstock-outputs.json share a shape
 * (name → list of names) when the map has no nulls: then the file name or `--feed` decides.
 */
export function nameListKind(
  document: Json,
  path: string,
  feed: FeedName | undefined,
): NameListKind | 'ambiguous' | undefined {
  const found = shapeOf(document);
  if (!found) return undefined;
  const name = basename(path).toLowerCase();
  if (found.shape === 'string') {
    if (found.hasNull) return 'parselmouth-legacy';
    return name.includes('grayskull') || !name.includes('compressed') ? 'parselmouth-grayskull' : 'parselmouth-legacy';
  }
  if (feed === 'conda-forge-names' || (!found.hasNull && name.includes('feedstock'))) return 'feedstock-outputs';
  if (feed === 'parselmouth' || found.hasNull || name.includes('parselmouth') || name.includes('mapping')) {
    return 'parselmouth';
  }
  return 'ambiguous';
}

export function prepareNameMap(document: Json, source: NameMapSource): PreparedImport {
  const entries = Object.entries(document).map(([condaName, value]): [string, string[]] => [
    condaName,
    value === null ? [] : typeof value === 'string' ? [value] : (value as string[]),
  ]);
  return {
    write(store) {
      const written = store.replaceNameMap(source, entries);
      const records = entries.length;
      return { feed: 'parselmouth', records, written, skipped: Math.max(0, records - written), notes: [] };
    },
  };
}

export function prepareFeedstockOutputs(document: Json): PreparedImport {
  const names = Object.keys(document).sort();
  return {
    write(store) {
      const written = store.replacePopularity(
        'conda-forge-names',
        names.map((name) => ({ name })),
      );
      const records = names.length;
      return { feed: 'conda-forge-names', records, written, skipped: Math.max(0, records - written), notes: [] };
    },
  };
}

export function ambiguousNameList(path: string): never {
  throw feedInvalid(
    'a {name: [names]} map that could be the parselmouth v0 map or conda-forge feedstock-outputs.json; pass --feed parselmouth or --feed conda-forge-names',
    { file: path },
  );
}
