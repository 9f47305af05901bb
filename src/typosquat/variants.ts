/** Name variants the index keys on: deletion neighbourhoods, separator-free skeletons, affixes. */

/** Every string obtained by deleting one character (symmetric-delete keys), without repeats. */
export function deletions(name: string): string[] {
  const out: string[] = [];
  // deleting either of two equal neighbours gives the same string: only the first of a run counts
  for (let i = 0; i < name.length; i++)
    if (i === 0 || name[i] !== name[i - 1]) out.push(name.slice(0, i) + name.slice(i + 1));
  return out;
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
  const add = (core: string, affix: string) => {
    if (core.length >= 4 && !/^[-_.]|[-_.]$/.test(core)) out.push({ core, affix });
  };
  for (const affix of PREFIX_SPELLINGS) if (name.startsWith(affix)) add(name.slice(affix.length), affix);
  for (const affix of SUFFIX_SPELLINGS) if (name.endsWith(affix)) add(name.slice(0, -affix.length), affix);
  return out;
}
