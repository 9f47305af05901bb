/**
 * The proxy's filter of CEP 16 shards (read and written by `conda/shards.ts`). Clients cache
 * shards by hash alone and never check the bytes against it, so a shard the filter changes must
 * get a new hash: sha256 of its new zstd bytes, encoded deterministically, so the same input and
 * policy always give the same hash. Unchanged shards keep upstream's hash and bytes.
 */
import { type Dict, isDict } from '../../readers/fields.ts';
import type { Decisions } from './decisions.ts';
import { buildStem } from './package.ts';

export interface FilteredShard {
  /** False: nothing was withheld, upstream's bytes and hash stay. */
  changed: boolean;
  /** Records left in the shard (0: the name can be dropped from the index). */
  remaining: number;
  withheld: number;
  shard: Dict;
}

/** Leaves out blocked builds (and their twins), v3 wheels and keys this proxy does not know. */
export function filterShard(shard: Dict, decisions: Decisions): FilteredShard {
  let withheld = 0;
  let remaining = 0;
  let changed = false;
  const out: Dict = {};
  for (const [key, value] of Object.entries(shard)) {
    if (key === 'packages' || key === 'packages.conda') {
      const kept: Dict = {};
      for (const [filename, record] of Object.entries(value as Dict)) {
        if (decisions.blocked.has(buildStem(filename))) withheld++;
        else {
          kept[filename] = record;
          remaining++;
        }
      }
      out[key] = kept;
    } else if (key === 'removed' && Array.isArray(value)) {
      out.removed = value;
    } else if (key === 'v3' && isDict(value)) {
      const v3: Dict = {};
      for (const [bucket, records] of Object.entries(value)) {
        if ((bucket !== 'conda' && bucket !== 'tar.bz2') || !isDict(records)) {
          changed = true;
          withheld += isDict(records) ? Object.keys(records).length : 0;
          continue;
        }
        const kept: Dict = {};
        for (const [stem, record] of Object.entries(records)) {
          if (decisions.blocked.has(stem)) withheld++;
          else {
            kept[stem] = record;
            remaining++;
          }
        }
        v3[bucket] = kept;
      }
      out.v3 = v3;
    } else {
      changed = true;
    }
  }
  // rattler requires `packages`
  if (!out.packages) {
    out.packages = {};
    changed = true;
  }
  return { changed: changed || withheld > 0, remaining, withheld, shard: out };
}
