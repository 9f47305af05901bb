/** Name variants the index keys on: deletion neighbourhoods, separator-free skeletons, affixes. */

/** Every string obtained by deleting one character (symmetric-delete keys), without repeats. */
export function deletions(name: string): string[] {
  const out: string[] = [];
  forEachDeletion(name, (at) => out.push(name.slice(0, at) + name.slice(at + 1)));
  return out;
}

/** The positions whose deletion gives each of `deletions(name)`, in its order, but those in `skipped`. */
export function forEachDeletion(
  name: string,
  visit: (at: number) => void,
  skipped?: { from: number; to: number },
): void {
  for (let i = 0; i < name.length; i++) {
    if (skipped && i >= skipped.from && i < skipped.to) {
      i = skipped.to - 1;
      continue;
    }
    // deleting either of two equal neighbours gives the same string: only the first of a run counts
    if (i === 0 || name.charCodeAt(i) !== name.charCodeAt(i - 1)) visit(i);
  }
}

/** The name without separators: `python-dateutil`, `python_dateutil`, `pythondateutil` share one. */
export function skeleton(name: string): string {
  return name.replace(/[-_.]+/g, '');
}

/**
 * Words squatters add to (or drop from) a real name. Written with `-`; each also matches with `_`,
 * `.` or no separator. Digits are only suffixes (`requests2`).
 */
const PREFIXES = ['python-', 'py-', 'py', 'python3-', 'lib'];
const SUFFIXES = ['-python', '-py', 'py', '-python3', '2', '3', '-dev', '-lib', '-api', '-sdk', '-client', '-utils'];

function spellings(affix: string): string[] {
  return affix.includes('-') ? ['-', '_', '.', ''].map((separator) => affix.replace('-', separator)) : [affix];
}

const PREFIX_SPELLINGS = [...new Set(PREFIXES.flatMap(spellings))];
const SUFFIX_SPELLINGS = [...new Set(SUFFIXES.flatMap(spellings))];

export interface AffixStrip {
  /** The name without the affix. */
  core: string;
  affix: string;
}

/** Every way to strip one affix off `name` that leaves a core of ≥ 4 characters, not cut at a separator. */
export function affixStrips(name: string): AffixStrip[] {
  const out: AffixStrip[] = [];
  const prefixes = PREFIXES_BY_FIRST.get(name.charAt(0)) ?? NONE;
  for (let i = 0; i < prefixes.length; i++) {
    const affix = prefixes[i] as string;
    if (name.startsWith(affix)) addStrip(out, name.slice(affix.length), affix);
  }
  const suffixes = SUFFIXES_BY_LAST.get(name.charAt(name.length - 1)) ?? NONE;
  for (let i = 0; i < suffixes.length; i++) {
    const affix = suffixes[i] as string;
    if (name.endsWith(affix)) addStrip(out, name.slice(0, -affix.length), affix);
  }
  return out;
}

const NONE: readonly string[] = [];

function addStrip(out: AffixStrip[], core: string, affix: string): void {
  if (core.length >= 4 && !isSeparator(core.charAt(0)) && !isSeparator(core.charAt(core.length - 1)))
    out.push({ core, affix });
}

function isSeparator(character: string): boolean {
  return character === '-' || character === '_' || character === '.';
}

/** The spellings by their first (or last) character, in their order: most names need no comparison at all. */
function byCharacter(spellings: readonly string[], at: (spelling: string) => string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const spelling of spellings) {
    const list = map.get(at(spelling));
    if (list) list.push(spelling);
    else map.set(at(spelling), [spelling]);
  }
  return map;
}

const PREFIXES_BY_FIRST = byCharacter(PREFIX_SPELLINGS, (spelling) => spelling.charAt(0));
const SUFFIXES_BY_LAST = byCharacter(SUFFIX_SPELLINGS, (spelling) => spelling.charAt(spelling.length - 1));
