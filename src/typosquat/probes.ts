/**
 * The probes of the stored typosquat index, as `kind:value` strings: `k:` a popular key, `s:` a
 * skeleton, `c:` a core without an affix, `d:` a 1-deletion neighbourhood. A popular name is filed
 * under its probes (`probesOfEntry`); a candidate asks the probes of every lookup `findSquat` makes
 * for it (`visitProbesOfCandidate`), and the index of the entries they find answers it exactly as
 * the index of all the names does.
 *
 * Bands. A candidate asks ~45 probes, most of them its key itself or with one character deleted or
 * swapped inside: such probes keep the key's first and last `BAND_EDGE` characters. The band of a
 * probe is its value's length and those characters, whatever its kind; the stored filter holds the
 * band of every stored probe, so all the probes of a candidate that share one band are skipped with
 * one test.
 */
import { type PopularName, reach } from './index.ts';
import { EVERY_SWAP, forEachHomoglyphSwap, SAME_LENGTH_SWAPS, type SwapVisitor, swapsFrom } from './lookalikes.ts';
import { type AffixStrip, affixStrips, deletions, forEachDeletion, skeleton } from './variants.ts';

export type ProbeKind = 'k' | 's' | 'c' | 'd';

export const PROBE_KINDS: readonly ProbeKind[] = ['k', 's', 'c', 'd'];

/** Characters kept at each end by the probes a band stands for. */
export const BAND_EDGE = 2;

/** The keys under which the index files a popular name: its key, its skeleton, its cores, and (when it may be one edit away from anything) itself and its 1-deletions. */
export function probesOfEntry(entry: PopularName): string[] {
  const probes = [`k:${entry.key}`, `s:${skeleton(entry.key)}`];
  for (const { core } of affixStrips(entry.key)) probes.push(`c:${core}`);
  if (reach(entry) >= 1) for (const variant of [entry.key, ...deletions(entry.key)]) probes.push(`d:${variant}`);
  return probes;
}

/** The start of the filter key of a band: the probes whose values have this length. */
export function bandHead(length: number): string {
  return `#${length}:`;
}

/** The band a stored probe (`kind:value`) belongs to, as a filter key; none for values too short to keep both ends. */
export function bandOfProbe(probe: string): string | undefined {
  const value = probe.slice(2);
  if (value.length < 2 * BAND_EDGE) return undefined;
  return `${bandHead(value.length)}${value.slice(0, BAND_EDGE)}${value.slice(-BAND_EDGE)}`;
}

/**
 * The probes of a candidate, as changes of its key so the probe filter can test them without
 * building their strings (probe-hash.ts).
 */
export interface CandidateProbeVisitor {
  /** `kind:` then the key with `key[start, end)` replaced by `insert`. */
  splice(kind: ProbeKind, start: number, end: number, insert: string): void;
  /** `k:` then the key with every lookalike `from` swapped for `to` (`key.replaceAll(from, to)`). */
  swapAll(from: string, to: string): void;
  /** `s:` then the key without separators (`skeleton(key)`). */
  skeleton(): void;
  /**
   * Whether any stored probe may have a value of this length that shares the key's first and last
   * `BAND_EDGE` characters. When not, the probes of that length that keep both ends of the key are
   * not visited.
   */
  inBand(length: number): boolean;
}

/** The probes of a candidate's key, but those its visitor's bands rule out. */
export function visitProbesOfCandidate(key: string, visitor: CandidateProbeVisitor): void {
  new CandidateProbes(visitor).visit(key);
}

/** Candidates' probes as they are visited, one key after another (an object, not closures: this runs for every name of a lock). */
export class CandidateProbes implements SwapVisitor {
  readonly #visitor: CandidateProbeVisitor;
  #key = '';

  constructor(visitor: CandidateProbeVisitor) {
    this.#visitor = visitor;
  }

  visit(key: string): void {
    this.#key = key;
    const length = key.length;
    this.#ask('k', 0, 0, '');
    this.#visitor.skeleton();
    this.#ask('c', 0, 0, '');
    // a swap of one character for one other keeps the length: when that band is out, only a
    // lookalike at an end is asked (the swap of all of them is then not in the band either)
    let swaps = EVERY_SWAP;
    if (!this.#visitor.inBand(length)) {
      swaps &= ~SAME_LENGTH_SWAPS;
      for (let at = 0; at < BAND_EDGE; at++) swaps |= swapsAt(key, at) | swapsAt(key, length - 1 - at);
    }
    forEachHomoglyphSwap(key, this, swaps);
    const strips = affixStrips(key);
    for (let i = 0; i < strips.length; i++) {
      const { core } = strips[i] as AffixStrip;
      // the core is the key without the affix at its end, or at its start
      if (key.startsWith(core)) this.#ask('k', core.length, length, '');
      else this.#ask('k', 0, length - core.length, '');
    }
    this.#ask('d', 0, 0, '');
    const inside = this.#visitor.inBand(length - 1) ? undefined : { from: BAND_EDGE, to: length - BAND_EDGE };
    forEachDeletion(key, (at) => this.#ask('d', at, at + 1, ''), inside);
  }

  one(start: number, end: number, insert: string): void {
    this.#ask('k', start, end, insert);
  }

  all(from: string, to: string): void {
    this.#visitor.swapAll(from, to);
  }

  #ask(kind: ProbeKind, start: number, end: number, insert: string): void {
    const length = this.#key.length;
    // the key itself, or a change inside it
    const keepsEnds = (start === end && insert === '') || (start >= BAND_EDGE && end <= length - BAND_EDGE);
    if (keepsEnds && !this.#visitor.inBand(length - (end - start) + insert.length)) return;
    this.#visitor.splice(kind, start, end, insert);
  }
}

/** The same-length swaps of the character at `at`, from a table: this runs for each end of each name. */
function swapsAt(key: string, at: number): number {
  return SAME_LENGTH_SWAPS_FROM[key.charCodeAt(at)] ?? 0;
}

const SAME_LENGTH_SWAPS_FROM = Array.from(
  { length: 128 },
  (_, code) => swapsFrom(String.fromCharCode(code)) & SAME_LENGTH_SWAPS,
);

/** Every probe of a candidate's key, as `kind:value` strings. */
export function probesOfCandidate(key: string): string[] {
  const probes: string[] = [];
  visitProbesOfCandidate(key, {
    splice: (kind, start, end, insert) => probes.push(`${kind}:${key.slice(0, start)}${insert}${key.slice(end)}`),
    swapAll: (from, to) => probes.push(`k:${key.replaceAll(from, to)}`),
    skeleton: () => probes.push(`s:${skeleton(key)}`),
    inBand: () => true,
  });
  return probes;
}
