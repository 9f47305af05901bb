/** Characters that are easy to mistype (QWERTY neighbours) or to misread (homoglyphs) for each other. */

const ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Each key's neighbours on a QWERTY keyboard: same row ±1, and the rows above and below (staggered). */
const NEIGHBOURS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const map = new Map<string, Set<string>>();
  const add = (a: string | undefined, b: string | undefined) => {
    if (!a || !b) return;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      let set = map.get(x);
      if (!set) {
        set = new Set();
        map.set(x, set);
      }
      set.add(y);
    }
  };
  ROWS.forEach((row, r) => {
    const below = ROWS[r + 1] ?? '';
    for (let c = 0; c < row.length; c++) {
      add(row[c], row[c + 1]);
      // a key touches the two keys below it: same index and one to the left
      add(row[c], below[c]);
      add(row[c], below[c - 1]);
    }
  });
  return map;
})();

export function adjacentKeys(a: string, b: string): boolean {
  return NEIGHBOURS.get(a)?.has(b) ?? false;
}

/** Lookalike sequences after lowercasing (so `I` is `i`); each pair reads both ways. */
export const HOMOGLYPHS: readonly (readonly [string, string])[] = [
  ['l', '1'],
  ['i', '1'],
  ['l', 'i'],
  ['o', '0'],
  ['m', 'rn'],
  ['w', 'vv'],
  ['d', 'cl'],
  ['s', '5'],
  ['e', '3'],
];

export function homoglyphPair(a: string, b: string): boolean {
  return HOMOGLYPHS.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

/** Every name that swaps one lookalike sequence in `name` for its partner. */
export function homoglyphVariants(name: string): string[] {
  const variants: string[] = [];
  forEachHomoglyphSwap(name, {
    one: (start, end, insert) => variants.push(name.slice(0, start) + insert + name.slice(end)),
    all: (from, to) => variants.push(name.replaceAll(from, to)),
  });
  return variants;
}

/** A lookalike variant of a name, as a change of it (a probe is hashed from that without building the name). */
export interface SwapVisitor {
  /** `name` with `name[start, end)` replaced by `insert`. */
  one(start: number, end: number, insert: string): void;
  /** `name` with every `from` replaced by `to` (`name.replaceAll(from, to)`). */
  all(from: string, to: string): void;
}

/** Each of `homoglyphVariants`, in its order; only the swaps in `scanned`, a set of bits over `SWAPS` (see `swapsFrom`). */
export function forEachHomoglyphSwap(name: string, visitor: SwapVisitor, scanned = EVERY_SWAP): void {
  for (let swap = 0; swap < SWAPS.length; swap++) {
    if ((scanned & (1 << swap)) === 0) continue;
    const { from, to } = SWAPS[swap] as { from: string; to: string };
    let count = 0;
    for (let at = name.indexOf(from); at !== -1; at = name.indexOf(from, at + 1)) {
      visitor.one(at, at + from.length, to);
      count++;
    }
    // all occurrences at once (`g00gle`)
    if (count > 1) visitor.all(from, to);
  }
}

/** Each homoglyph pair both ways, flattened once: destructuring the nested pairs for every name cost several times the scans. */
const SWAPS: readonly { from: string; to: string }[] = HOMOGLYPHS.flatMap(([x, y]) => [
  { from: x, to: y },
  { from: y, to: x },
]);

/** Every swap, as a set of bits over `SWAPS`. */
export const EVERY_SWAP = (1 << SWAPS.length) - 1;

/** The swaps of one character for one other, which keep a name's length. */
export const SAME_LENGTH_SWAPS = SWAPS.reduce(
  (bits, { from, to }, swap) => (from.length === 1 && to.length === 1 ? bits | (1 << swap) : bits),
  0,
);

/** The swaps that replace this one character. */
export function swapsFrom(character: string): number {
  return SWAPS.reduce((bits, { from }, swap) => (from === character ? bits | (1 << swap) : bits), 0);
}
