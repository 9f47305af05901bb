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
  forEachHomoglyphSwap(name, (start, end, insert) => variants.push(name.slice(0, start) + insert + name.slice(end)));
  return variants;
}

/**
 * Each of `homoglyphVariants`, in its order, as `name` with `name[start, end)` replaced by `insert`
 * (a probe is hashed from that without building the name); only the swaps `wanted` says to look for.
 */
export function forEachHomoglyphSwap(
  name: string,
  visit: (start: number, end: number, insert: string) => void,
  wanted: (from: string, to: string) => boolean = () => true,
): void {
  for (const { from, to } of SWAPS) {
    if (!wanted(from, to)) continue;
    let count = 0;
    for (let at = name.indexOf(from); at !== -1; at = name.indexOf(from, at + 1)) {
      visit(at, at + from.length, to);
      count++;
    }
    // all occurrences at once (`g00gle`)
    if (count > 1) visit(0, name.length, name.replaceAll(from, to));
  }
}

/** Each homoglyph pair both ways, flattened once: destructuring the nested pairs for every name cost several times the scans. */
const SWAPS: readonly { from: string; to: string }[] = HOMOGLYPHS.flatMap(([x, y]) => [
  { from: x, to: y },
  { from: y, to: x },
]);
