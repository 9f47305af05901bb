/**
 * What the stored probe filter holds and how a lock's names are tested against it: every stored
 * probe and its band (probes.ts), so a candidate reaches SQLite only with the probes that may be
 * stored, and skips the probes of a band that is not.
 */
import { ProbeFilter } from './probe-filter.ts';
import { SpliceHasher, stringHash } from './probe-hash.ts';
import {
  BAND_EDGE,
  bandHead,
  bandOfProbe,
  CandidateProbes,
  type CandidateProbeVisitor,
  PROBE_KINDS,
  type ProbeKind,
} from './probes.ts';
import { skeleton } from './variants.ts';

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

/** The probes of these keys that may be stored (all of them without a filter). */
export function probesToAsk(keys: readonly string[], filter: ProbeFilter | undefined): Set<string> {
  const asker = new ProbeAsker(filter);
  for (const key of keys) asker.ask(key);
  return asker.asked;
}

/** The hash each probe string starts from: `k:`, `s:`, … */
const KIND_HASHES = Object.fromEntries(PROBE_KINDS.map((kind) => [kind, stringHash(`${kind}:`)])) as Record<
  ProbeKind,
  number
>;

/** The hashes bands start from (`bandHead`), by length, as they are first needed. */
const bandHeadHashes: number[] = [];

class ProbeAsker implements CandidateProbeVisitor {
  readonly asked = new Set<string>();
  readonly #filter: ProbeFilter | undefined;
  readonly #hasher = new SpliceHasher();
  readonly #probes = new CandidateProbes(this);
  #key = '';
  // the current key's bands, as asked (a few): length → whether the filter may hold it
  readonly #bandLengths: number[] = [];
  readonly #bandAnswers: boolean[] = [];

  constructor(filter: ProbeFilter | undefined) {
    this.#filter = filter;
  }

  ask(key: string): void {
    this.#key = key;
    this.#hasher.reset(key);
    this.#bandLengths.length = 0;
    this.#bandAnswers.length = 0;
    this.#probes.visit(key);
  }

  splice(kind: ProbeKind, start: number, end: number, insert: string): void {
    if (this.#filter && !this.#filter.hasHash(this.#hasher.splice(KIND_HASHES[kind], start, end, insert))) return;
    const key = this.#key;
    this.asked.add(`${kind}:${key.slice(0, start)}${insert}${key.slice(end)}`);
  }

  swapAll(from: string, to: string): void {
    if (this.#filter && !this.#filter.hasHash(this.#hasher.swapAll(KIND_HASHES.k, from, to))) return;
    this.asked.add(`k:${this.#key.replaceAll(from, to)}`);
  }

  skeleton(): void {
    if (this.#filter && !this.#filter.hasHash(this.#hasher.withoutSeparators(KIND_HASHES.s))) return;
    this.asked.add(`s:${skeleton(this.#key)}`);
  }

  inBand(length: number): boolean {
    const key = this.#key;
    // a key too short to keep both ends has no probe in a band
    if (!this.#filter || key.length < 2 * BAND_EDGE) return true;
    const known = this.#bandLengths.indexOf(length);
    if (known !== -1) return this.#bandAnswers[known] as boolean;
    bandHeadHashes[length] ??= stringHash(bandHead(length));
    // the band's value: the key's ends, which its probes in the band keep
    const hash = this.#hasher.splice(bandHeadHashes[length], BAND_EDGE, key.length - BAND_EDGE, '');
    const answer = this.#filter.hasHash(hash);
    this.#bandLengths.push(length);
    this.#bandAnswers.push(answer);
    return answer;
  }
}
