/**
 * A Bloom filter over the stored index's probe strings. A candidate name asks ~25 probes (itself,
 * its deletions, its lookalikes, …) and almost none exist: the filter answers those in memory, so
 * only the few that may exist reach SQLite. Hand-written because it is 40 lines and the filter is
 * stored in the threat-intel store, so its layout must be ours to keep stable.
 */
const BITS_PER_ENTRY = 10; // ~1% false positives with 7 hashes
const HASHES = 7;

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
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
    for (const bit of this.#positions(key))
      this.#bits[bit >>> 3] = (this.#bits[bit >>> 3] as number) | (1 << (bit & 7));
  }

  /** False: certainly absent. True: possibly present. */
  has(key: string): boolean {
    for (const bit of this.#positions(key))
      if (((this.#bits[bit >>> 3] as number) & (1 << (bit & 7))) === 0) return false;
    return true;
  }

  *#positions(key: string): Generator<number> {
    const first = fnv1a(key, 0x811c9dc5);
    const second = fnv1a(key, 0x9747b28c) | 1;
    for (let i = 0; i < HASHES; i++) yield ((first + Math.imul(i, second)) >>> 0) % this.#size;
  }
}
