/**
 * What the stored probe filter holds and how a lock's names are tested against it: every stored
 * probe and its band (probes.ts), so a candidate reaches SQLite only with the probes that may be
 * stored, and skips the probes of a band that is not.
 */
import { ProbeFilter } from './probe-filter.ts';
import { SpliceHasher, stringHash } from './probe-hash.ts';
import { BAND_EDGE, bandHead, bandOfProbe, PROBE_KINDS, type ProbeKind, visitProbesOfCandidate } from './probes.ts';

/** The filter of an ecosystem's stored probes (`kind:value`). */
export function filterOfProbes(probes: readonly string[]): ProbeFilter {
  const bands = new Set<string>();
  for (const probe of probes) {
    const band = bandOfProbe(probe);
    if (band !== undefined) bands.add(band);
  }
  const filter = ProbeFilter.forEntries(probes.length + bands.size);
  for (const probe of probes) filter.add(probe);
  for (const band of bands) filter.add(band);
  return filter;
}

/** The hash each probe string starts from: `k:`, `s:`, … */
const KIND_HASHES = Object.fromEntries(PROBE_KINDS.map((kind) => [kind, stringHash(`${kind}:`)])) as Record<
  ProbeKind,
  number
>;

/** The probes of these keys that may be stored (all of them without a filter). */
export function probesToAsk(keys: readonly string[], filter: ProbeFilter | undefined): Set<string> {
  const asked = new Set<string>();
  const hasher = new SpliceHasher();
  // a key's bands, as asked: kind and length → whether the filter may hold it
  const bands = new Map<number, boolean>();
  for (const key of keys) {
    if (filter) hasher.reset(key);
    bands.clear();
    const inBand = (kind: ProbeKind, length: number): boolean => {
      // a key too short to keep both ends has no probe in a band
      if (!filter || key.length < 2 * BAND_EDGE) return true;
      const slot = length * 128 + kind.charCodeAt(0);
      let known = bands.get(slot);
      if (known === undefined) {
        // the band's value: the key's ends, which its probes in the band keep
        const head = stringHash(bandHead(kind, length));
        known = filter.hasHash(hasher.splice(head, BAND_EDGE, key.length - BAND_EDGE, ''));
        bands.set(slot, known);
      }
      return known;
    };
    visitProbesOfCandidate(
      key,
      (kind, start, end, insert) => {
        if (filter && !filter.hasHash(hasher.splice(KIND_HASHES[kind], start, end, insert))) return;
        asked.add(`${kind}:${key.slice(0, start)}${insert}${key.slice(end)}`);
      },
      inBand,
    );
  }
  return asked;
}
