/**
 * The popular-name index: exact keys, separator-free skeletons, and symmetric-delete neighbourhoods
 * (every popular name under its 1-deletion variants), so a candidate costs O(L) map lookups instead
 * of a pass over every popular name; the few names allowed two edits are scanned by length.
 */
import { osaDistance } from './distance.ts';
import type { ProbeKind } from './probes.ts';
import { type AffixStrip, affixStrips, deletions, skeleton } from './variants.ts';

export interface PopularName {
  /** As the source spells it. */
  name: string;
  /** Normalized (PEP 503 for PyPI, lowercase for conda): what distances are measured on. */
  key: string;
  /** 1 = most popular. */
  rank: number;
}

/**
 * Below this rank a name needs more evidence than distance alone: two edits, or one edit involving a
 * 4-character name, join many unrelated real projects among the top 15,000 PyPI names
 * (`pytest-pinned` / `pytest-picked`, `easy-cache` / `asyncache`, `pyjs` / `pyjsg`).
 */
export const VERY_POPULAR_RANK = 1000;

/**
 * How many edits may separate two names, by their lengths and the target's rank: short names
 * collide by chance too often. None when either has < 4 characters; one when the longer has ≥ 5
 * (`cick` / `click`, `cffii` / `cffi` are real squats); two when both have ≥ 9.
 */
export function allowedDistance(shorter: number, longer: number, targetRank: number): number {
  const veryPopular = targetRank <= VERY_POPULAR_RANK;
  if (shorter < 4 || longer < 5) return 0;
  if (shorter >= 9) return veryPopular ? 2 : 1;
  return shorter >= 5 || veryPopular ? 1 : 0;
}

/**
 * How many edits may separate two names the length rule of `allowedDistance` keeps apart, when the
 * suspect project's history is weighed too: one, for any pair of at least two characters
 * (`bs3` / `bs4`, `ccx` / `ccxt`, `web2` / `web3` are real squats). Such a match needs evidence:
 * by name alone it never reaches the blocking threshold (`match.ts`, signal `short-pair`).
 */
export function allowedWithEvidence(_shorter: number, longer: number): number {
  return longer >= 2 ? 1 : 0;
}

/** The most edits any partner could be allowed from this popular name, with or without evidence. */
export function reach(entry: PopularName): number {
  const longer = Number.POSITIVE_INFINITY;
  return Math.max(allowedDistance(entry.key.length, longer, entry.rank), allowedWithEvidence(entry.key.length, longer));
}

export interface Neighbour {
  target: PopularName;
  distance: number;
  /** Closer than names of these lengths are judged by name alone (`allowedWithEvidence`). */
  needsEvidence: boolean;
}

export class NameIndex {
  readonly #byKey = new Map<string, PopularName>();
  readonly #bySkeleton = new Map<string, Bucket>();
  /** Names with an affix, under their core (`python-dateutil` under `dateutil`): a dropped affix is one lookup. */
  readonly #byCore = new Map<string, { entry: PopularName; affix: string }[]>();
  /** Each name under itself and its 1-deletions. */
  readonly #near1 = new Map<string, Bucket>();
  /**
   * Names allowed two edits (long, very popular: ~600), sorted by length, with their character sets
   * as bits (`code & 31`); `#longFrom[n]` is the first of length ≥ n. Scanned with a character-set
   * filter: indexing their 2-deletions instead costs a candidate ~L²/2 map lookups, 5× slower.
   */
  #long: PopularName[] = [];
  #longMasks = new Int32Array(0);
  #longFrom: number[] = [];

  constructor(names: Iterable<PopularName>) {
    for (const entry of names) {
      const known = this.#byKey.get(entry.key);
      if (known && known.rank <= entry.rank) continue;
      this.#byKey.set(entry.key, entry);
    }
    const long: PopularName[] = [];
    for (const entry of this.#byKey.values()) {
      push(this.#bySkeleton, skeleton(entry.key), entry);
      for (const strip of affixStrips(entry.key)) this.#fileUnderCore(entry, strip);
      const allowed = reach(entry);
      if (allowed >= 1) {
        push(this.#near1, entry.key, entry);
        for (const variant of deletions(entry.key)) push(this.#near1, variant, entry);
      }
      if (allowed >= 2) long.push(entry);
    }
    this.#scanForTwoEdits(long);
  }

  /**
   * The index a stored index's answers make: each entry filed under the probes (`kind:value`, see
   * `probesOfEntry`) it was found by, in key order, and `twoEdits`, every name allowed two edits, by
   * key length, then key. Nothing is derived from the entries but their affixes, and it answers the
   * lookups of every candidate whose probes were asked exactly as the index of all the names does.
   * Its `size` and `entries()` are only the names found under `k:` probes.
   */
  static fromProbeMatches(
    matches: Iterable<{ probe: string; entry: PopularName }>,
    twoEdits: Iterable<PopularName>,
  ): NameIndex {
    const index = new NameIndex([]);
    // one object per key: `neighbours` tells the names it has considered apart by identity
    const found = new Map<string, PopularName>();
    for (const match of matches) {
      const entry = found.get(match.entry.key) ?? match.entry;
      found.set(entry.key, entry);
      const value = match.probe.slice(2);
      switch (match.probe[0] as ProbeKind) {
        case 'k':
          index.#byKey.set(value, entry);
          break;
        case 's':
          push(index.#bySkeleton, value, entry);
          break;
        case 'c':
          for (const strip of affixStrips(entry.key)) if (strip.core === value) index.#fileUnderCore(entry, strip);
          break;
        case 'd':
          push(index.#near1, value, entry);
          break;
      }
    }
    index.#scanForTwoEdits(Array.from(twoEdits, (entry) => found.get(entry.key) ?? entry));
    return index;
  }

  #fileUnderCore(entry: PopularName, { core, affix }: AffixStrip): void {
    const list = this.#byCore.get(core);
    if (list) list.push({ entry, affix });
    else this.#byCore.set(core, [{ entry, affix }]);
  }

  #scanForTwoEdits(long: PopularName[]): void {
    this.#long = long.sort((a, b) => a.key.length - b.key.length);
    this.#longMasks = Int32Array.from(long, (entry) => characterMask(entry.key));
    const longest = long.at(-1)?.key.length ?? 0;
    this.#longFrom = [];
    for (let length = 0, at = 0; length <= longest + 1; length++) {
      while (at < long.length && (long[at]?.key.length ?? 0) < length) at++;
      this.#longFrom[length] = at;
    }
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Every popular name, once per key. */
  entries(): IterableIterator<PopularName> {
    return this.#byKey.values();
  }

  get(key: string): PopularName | undefined {
    return this.#byKey.get(key);
  }

  /** Popular names with the same skeleton as `key` but a different key. */
  sameSkeleton(key: string): PopularName[] {
    return entries(this.#bySkeleton.get(skeleton(key))).filter((entry) => entry.key !== key);
  }

  /** Popular names `key` is with one affix added (`requests2`) or dropped (`dateutil`). */
  affixed(key: string): { target: PopularName; strip: AffixStrip; change: 'added' | 'removed' }[] {
    const out: { target: PopularName; strip: AffixStrip; change: 'added' | 'removed' }[] = [];
    for (const strip of affixStrips(key)) {
      const target = this.#byKey.get(strip.core);
      if (target) out.push({ target, strip, change: 'added' });
    }
    for (const { entry, affix } of this.#byCore.get(key) ?? []) {
      out.push({ target: entry, strip: { core: key, affix }, change: 'removed' });
    }
    return out;
  }

  /**
   * Popular names within the distance both lengths allow (never the key itself), by name alone or,
   * for pairs too short for that, with evidence (`needsEvidence`).
   */
  neighbours(key: string): Neighbour[] {
    const max = allowedDistance(key.length, Number.POSITIVE_INFINITY, 1);
    if (key.length === 0) return [];
    const seen = new Set<PopularName>();
    const out: Neighbour[] = [];
    const consider = (target: PopularName) => {
      if (seen.has(target)) return;
      seen.add(target);
      const shorter = Math.min(key.length, target.key.length);
      const longer = Math.max(key.length, target.key.length);
      const byName = allowedDistance(shorter, longer, target.rank);
      const limit = Math.max(byName, allowedWithEvidence(shorter, longer));
      const distance = osaDistance(key, target.key, limit);
      if (distance >= 1 && distance <= limit) out.push({ target, distance, needsEvidence: distance > byName });
    };
    for (const variant of [key, ...deletions(key)])
      for (const target of entries(this.#near1.get(variant))) consider(target);
    if (max >= 2) {
      const mask = characterMask(key);
      const last = this.#longFrom.length - 1;
      const from = this.#longFrom[Math.min(key.length - 2, last)] ?? 0;
      const to = this.#longFrom[Math.min(key.length + 3, last)] ?? 0;
      for (let i = from; i < to; i++) {
        const other = this.#longMasks[i] ?? 0;
        // each edit removes at most one character from either name's character set
        if (bitCount(other & ~mask) <= 2 && bitCount(mask & ~other) <= 2) consider(this.#long[i] as PopularName);
      }
    }
    return out;
  }
}

/** Whether a popular name is scanned for two edits (not found by probes: see `#long`). */
export function allowsTwoEdits(entry: PopularName): boolean {
  return reach(entry) >= 2;
}

/** Whether `neighbours` scans the names allowed two edits for this key. */
export function scansForTwoEdits(key: string): boolean {
  return allowedDistance(key.length, Number.POSITIVE_INFINITY, 1) >= 2;
}

function characterMask(name: string): number {
  let mask = 0;
  for (let i = 0; i < name.length; i++) mask |= 1 << (name.charCodeAt(i) & 31);
  return mask;
}

function bitCount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Most keys hold one name: storing it bare instead of in an array halves the index build time. */
type Bucket = PopularName | PopularName[];

function push(map: Map<string, Bucket>, key: string, entry: PopularName): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, entry);
  else if (Array.isArray(bucket)) bucket.push(entry);
  else if (bucket !== entry) map.set(key, [bucket, entry]);
}

function entries(bucket: Bucket | undefined): readonly PopularName[] {
  return bucket === undefined ? [] : Array.isArray(bucket) ? bucket : [bucket];
}
