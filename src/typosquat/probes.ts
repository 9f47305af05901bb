/**
 * The probes of the stored typosquat index, as `kind:value` strings: `k:` a popular key, `s:` a
 * skeleton, `c:` a core without an affix, `d:` a 1-deletion neighbourhood. A popular name is filed
 * under its probes (`probesOfEntry`); a candidate asks the probes of every lookup `findSquat` makes
 * for it (`visitProbesOfCandidate`), and the index of the entries they find answers it exactly as
 * the index of all the names does.
 *
 * Bands. A candidate asks ~45 probes, most of them its key with one character deleted or swapped
 * inside: such probes keep the key's first and last `BAND_EDGE` characters. The band of a probe is
 * its kind, its value's length and those characters; the stored filter holds the band of every
 * stored probe, so all the probes of a candidate that share one band are skipped with one test.
 */
import { type PopularName, reach } from './index.ts';
import { forEachHomoglyphSwap } from './lookalikes.ts';
import { affixStrips, deletions, forEachDeletion, skeleton } from './variants.ts';

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

/** The start of the filter key of a band: the probes of this kind whose values have this length. */
export function bandHead(kind: ProbeKind, length: number): string {
  return `${kind}#${length}:`;
}

/** The band a stored probe (`kind:value`) belongs to, as a filter key; none for values too short to keep both ends. */
export function bandOfProbe(probe: string): string | undefined {
  const value = probe.slice(2);
  if (value.length < 2 * BAND_EDGE) return undefined;
  return `${bandHead(probe[0] as ProbeKind, value.length)}${value.slice(0, BAND_EDGE)}${value.slice(-BAND_EDGE)}`;
}

/** One probe of a candidate: `kind:` then the candidate's key with `key[start, end)` replaced by `insert`. */
export type CandidateProbeVisitor = (kind: ProbeKind, start: number, end: number, insert: string) => void;

/**
 * Whether any stored probe may be of this kind, have values of this length, and share the key's
 * first and last `BAND_EDGE` characters. When not, the probes that keep both ends of the key and
 * have that kind and length are not visited.
 */
export type BandTest = (kind: ProbeKind, length: number) => boolean;

const EVERY_BAND: BandTest = () => true;

/**
 * The probes of a candidate's key, given as changes of the key so the probe filter can test them
 * without building their strings (probe-hash.ts); with `inBand`, those it rules out are skipped.
 */
export function visitProbesOfCandidate(key: string, visit: CandidateProbeVisitor, inBand = EVERY_BAND): void {
  const length = key.length;
  const keepsEnds = (start: number, end: number) => start >= BAND_EDGE && end <= length - BAND_EDGE;
  const ask: CandidateProbeVisitor = (kind, start, end, insert) => {
    if (keepsEnds(start, end) && !inBand(kind, length - (end - start) + insert.length)) return;
    visit(kind, start, end, insert);
  };
  ask('k', 0, 0, '');
  ask('s', 0, length, skeleton(key));
  ask('c', 0, 0, '');
  // a swap of one character for one other keeps the length: when that band is out, only a
  // lookalike at an end is asked (the swap of all of them is then not in the band either)
  const sameLengthSwaps = inBand('k', length);
  forEachHomoglyphSwap(
    key,
    (start, end, insert) => ask('k', start, end, insert),
    (from, to) => {
      if (sameLengthSwaps || from.length !== 1 || to.length !== 1) return true;
      for (let at = 0; at < BAND_EDGE; at++)
        if (key.charAt(at) === from || key.charAt(length - 1 - at) === from) return true;
      return false;
    },
  );
  for (const { core } of affixStrips(key)) {
    // the core is the key without the affix at its end, or at its start
    if (key.startsWith(core)) ask('k', core.length, length, '');
    else ask('k', 0, length - core.length, '');
  }
  ask('d', 0, 0, '');
  const inside = inBand('d', length - 1) ? undefined : { from: BAND_EDGE, to: length - BAND_EDGE };
  forEachDeletion(key, (at) => ask('d', at, at + 1, ''), inside);
}

/** Every probe of a candidate's key, as `kind:value` strings. */
export function probesOfCandidate(key: string): string[] {
  const probes: string[] = [];
  visitProbesOfCandidate(key, (kind, start, end, insert) =>
    probes.push(`${kind}:${key.slice(0, start)}${insert}${key.slice(end)}`),
  );
  return probes;
}
