/**
 * A Bloom filter over the stored index's probe strings. A candidate name asks ~45 probes (itself,
 * its deletions, its lookalikes, …) and almost none exist: the filter answers those in memory, so
 * only the few that may exist reach SQLite. Hand-written because it is 40 lines and the filter is
 * stored in the threat-intel store, so its layout must be ours to keep stable (a change of it is a
 * change of the store's schema). Keys are tested by their `stringHash` (probe-hash.ts), which a
 * candidate's probes get without building their strings.
 */
import { stringHash } from './probe-hash.ts';

const BITS_PER_ENTRY = 10; // ~1% false positives with 7 hashes
const HASHES = 7;

/** murmur3's finalizer: the polynomial hash's low bits are weak, and Bloom positions need all of them mixed. */
function mix(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The distance between a key's positions (double hashing): from a second mix, never 0. */
function stride(first: number, size: number): number {
  return (mix(first ^ 0x9747b28c) % (size - 1)) + 1;
}

export class ProbeFilter {
  readonly #bits: Uint8Array;
  readonly #size: number;

  private constructor(bits: Uint8Array) {
    this.#bits = bits;
    this.#size = bits.length * 8;
  }

  static forEntries(count: number): ProbeFilter {
    return new ProbeFilter(new Uint8Array(Math.max(8, Math.ceil((count * BITS_PER_ENTRY) / 8))));
  }

  /**
   * The filter a store holds, or undefined when the bytes cannot be one (a damaged or edited store):
   * then every probe goes to the database, which is slower and still right, instead of a filter
   * that answers "absent" for everything and hides every squat.
   */
  static fromBytes(bytes: unknown): ProbeFilter | undefined {
    return bytes instanceof Uint8Array && bytes.length >= 8 ? new ProbeFilter(bytes) : undefined;
  }

  get bytes(): Uint8Array {
    return this.#bits;
  }

  add(key: string): void {
    const size = this.#size;
    const first = mix(stringHash(key));
    const step = stride(first, size);
    for (let i = 0, bit = first % size; i < HASHES; i++, bit = (bit + step) % size)
      this.#bits[bit >>> 3] = (this.#bits[bit >>> 3] as number) | (1 << (bit & 7));
  }

  /** False: certainly absent. True: possibly present. */
  has(key: string): boolean {
    return this.hasHash(stringHash(key));
  }

  #isSet(bit: number): boolean {
    return ((this.#bits[bit >>> 3] as number) & (1 << (bit & 7))) !== 0;
  }

  /** `has` of the key whose `stringHash` this is. */
  hasHash(hash: number): boolean {
    const size = this.#size;
    const first = mix(hash);
    let bit = first % size;
    // most probes are absent and stop at the first or second position: the stride is mixed only then
    if (!this.#isSet(bit)) return false;
    const step = stride(first, size);
    for (let i = 1; i < HASHES; i++) {
      bit = (bit + step) % size;
      if (!this.#isSet(bit)) return false;
    }
    return true;
  }
}
