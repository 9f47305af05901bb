/**
 * The probe filter's string hash: polynomial (`h·B + c` per UTF-16 unit, mod 2³²), so the hash of a
 * string with one span replaced follows in O(1) from its key's prefix hashes. A candidate asks ~45
 * probes, mostly its key with one character deleted or swapped: they are tested without being built.
 */
const BASE = 0x01000193;

/** `powers[n]` = B^n mod 2³², as far as the longest key hashed so far needs. */
const powers: number[] = [1];

function growPowers(n: number): void {
  for (let i = powers.length; i <= n; i++) powers.push(Math.imul(powers[i - 1] as number, BASE));
}

/** The hash of `text` appended to a string whose hash is `seed`. */
export function stringHash(text: string, seed = 0): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Hashes of `head` followed by `key` with one span replaced, from `key`'s prefix hashes. */
export class SpliceHasher {
  #key = '';
  /** `#prefix[i]` is the hash of `key[0, i)`. */
  #prefix = new Int32Array(64);

  /** Starts on another key. */
  reset(key: string): void {
    this.#key = key;
    growPowers(key.length);
    if (this.#prefix.length <= key.length) this.#prefix = new Int32Array(key.length * 2);
    let hash = 0;
    for (let i = 0; i < key.length; i++) {
      hash = (Math.imul(hash, BASE) + key.charCodeAt(i)) | 0;
      this.#prefix[i + 1] = hash;
    }
  }

  /** `stringHash(key.slice(0, start) + insert + key.slice(end), headHash)`, where `headHash` = `stringHash(head)`. */
  splice(headHash: number, start: number, end: number, insert: string): number {
    const prefix = this.#prefix;
    const length = this.#key.length;
    const tail = length - end;
    const tailPower = powers[tail] as number;
    const tailHash = ((prefix[length] as number) - Math.imul(prefix[end] as number, tailPower)) | 0;
    let hash = (Math.imul(headHash, powers[start] as number) + (prefix[start] as number)) | 0;
    for (let i = 0; i < insert.length; i++) hash = (Math.imul(hash, BASE) + insert.charCodeAt(i)) | 0;
    return (Math.imul(hash, tailPower) + tailHash) | 0;
  }

  /** `stringHash(key.replaceAll(from, to), headHash)`. */
  swapAll(headHash: number, from: string, to: string): number {
    const key = this.#key;
    const first = from.charCodeAt(0);
    let hash = headHash;
    for (let at = 0; at < key.length; ) {
      const code = key.charCodeAt(at);
      if (code === first && (from.length === 1 || key.startsWith(from, at))) {
        for (let i = 0; i < to.length; i++) hash = (Math.imul(hash, BASE) + to.charCodeAt(i)) | 0;
        at += from.length;
      } else {
        hash = (Math.imul(hash, BASE) + code) | 0;
        at++;
      }
    }
    return hash;
  }

  /** `stringHash(skeleton(key), headHash)`: the key without its separators. */
  withoutSeparators(headHash: number): number {
    const key = this.#key;
    let hash = headHash;
    for (let at = 0; at < key.length; at++) {
      const code = key.charCodeAt(at);
      // `-`, `.`, `_`
      if (code !== 45 && code !== 46 && code !== 95) hash = (Math.imul(hash, BASE) + code) | 0;
    }
    return hash;
  }
}
