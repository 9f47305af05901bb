/**
 * Whether a name looks like a typosquat of a popular one: each technique proposes targets from the
 * index, each proposal gets a confidence (the sum of its name signals: the technique's base, the
 * target's popularity tier, a short name, a pair too short to judge by name), and the most
 * confident (then most popular) target wins.
 */
import type { ScoreSignal } from '../model/finding.ts';
import { osaDistance, singleEdit } from './distance.ts';
import { type NameIndex, type PopularName, VERY_POPULAR_RANK } from './index.ts';
import { adjacentKeys, homoglyphPair, homoglyphVariants } from './lookalikes.ts';

export type Technique = 'edit-distance' | 'transposition' | 'separator' | 'affix' | 'homoglyph' | 'keyboard';

/** One term of a typosquat score: `technique`, `target-popularity`, `short-name`, then the evidence signals of `score.ts`. */
export type Signal = ScoreSignal;

export interface SquatMatch {
  target: PopularName;
  technique: Technique;
  /** OSA distance between the two keys (affix and homoglyph changes can span several characters). */
  distance: number;
  /** 0..1: how likely the name alone says it is a deliberate imitation of the target (the sum of `signals`). */
  confidence: number;
  /** What the confidence is made of, each term with its weight. */
  signals: Signal[];
  /** The change in words (`"e" → "3"`, `added "-python"`). */
  detail: string;
  /**
   * The pair is too short to be judged by name alone (a name of 1–3 characters, or one edit the
   * length rule of `allowedDistance` does not allow): only the project history can make it block.
   */
  needsEvidence: boolean;
}

/**
 * A pair whose shorter name has fewer characters is one edit from many real names by chance
 * (`jq` / `yq`, `fs` / `fsx`): it is judged only with its project's history (`SHORT_PAIR`).
 */
export const MIN_LENGTH_BY_NAME = 4;

const BASE: Record<Technique, number> = {
  homoglyph: 0.9,
  transposition: 0.9,
  keyboard: 0.85,
  separator: 0.85,
  'edit-distance': 0.75,
  affix: 0.6,
};

/** The best typosquat reading of `key` (already normalized), or undefined when it is popular or clean. */
export function findSquat(index: NameIndex, key: string): SquatMatch | undefined {
  if (key.length === 0 || index.get(key)) return undefined;
  const proposals: SquatMatch[] = [];
  const propose = (
    target: PopularName,
    technique: Technique,
    distance: number,
    detail: string,
    base?: number,
    needsEvidence = Math.min(key.length, target.key.length) < MIN_LENGTH_BY_NAME,
  ) => {
    const signals = nameSignals(technique, detail, base ?? BASE[technique], target, key, needsEvidence);
    proposals.push({ target, technique, distance, detail, confidence: sumOf(signals), signals, needsEvidence });
  };
  // lookalike and separator changes can span several characters: report their real distance
  const measured = (target: PopularName) => osaDistance(key, target.key, Math.max(key.length, target.key.length));
  for (const target of index.sameSkeleton(key)) {
    propose(target, 'separator', measured(target), `separators differ from ${target.key}`);
  }
  for (const variant of homoglyphVariants(key)) {
    const target = index.get(variant);
    if (target) propose(target, 'homoglyph', measured(target), 'lookalike characters');
  }
  // before the edit-distance proposals: `requests2` is better named an added affix than an insertion
  for (const { target, strip, change } of index.affixed(key)) {
    const distance = Math.abs(key.length - target.key.length);
    const base = distance === 1 ? BASE['edit-distance'] : undefined;
    propose(target, 'affix', distance, `${change} "${strip.affix}"`, base);
  }
  for (const { target, distance, needsEvidence } of index.neighbours(key)) {
    if (distance === 2) propose(target, 'edit-distance', 2, 'two edits', 0.5);
    else {
      const { technique, detail, base } = describeEdit(target.key, key);
      propose(target, technique, 1, detail, base, needsEvidence);
    }
  }
  proposals.sort((a, b) => b.confidence - a.confidence || a.target.rank - b.target.rank);
  return proposals[0];
}

/** Which technique one edit is, in words; a doubled letter (`reqquests`) is a likelier slip than a random one. */
function describeEdit(target: string, key: string): { technique: Technique; detail: string; base?: number } {
  const edit = singleEdit(target, key);
  switch (edit?.kind) {
    case 'transposition':
      return { technique: 'transposition', detail: 'adjacent characters swapped' };
    case 'substitution': {
      const detail = `"${edit.expected}" → "${edit.actual}"`;
      if (homoglyphPair(edit.expected, edit.actual)) return { technique: 'homoglyph', detail };
      if (adjacentKeys(edit.expected, edit.actual))
        return { technique: 'keyboard', detail: `${detail} (adjacent keys)` };
      return { technique: 'edit-distance', detail };
    }
    case 'insertion':
      return {
        technique: 'edit-distance',
        detail: `"${edit.actual}" inserted`,
        ...(edit.doubled ? { base: 0.8 } : {}),
      };
    case 'deletion':
      return { technique: 'edit-distance', detail: `"${edit.expected}" dropped` };
    default:
      return { technique: 'edit-distance', detail: 'one edit' };
  }
}

/** Popularity tiers of the target: a squat aims at a name many people type. */
export const POPULARITY_TIERS: readonly { upTo: number; weight: number; label: string }[] = [
  { upTo: VERY_POPULAR_RANK, weight: 0.05, label: 'top 1,000' },
  { upTo: 5000, weight: 0, label: 'top 5,000' },
  { upTo: Number.POSITIVE_INFINITY, weight: -0.1, label: 'below the top 5,000' },
];

/** The popularity tier of a target ranked `rank` by PyPI downloads. */
export function popularityTier(rank: number): { weight: number; label: string } {
  return (
    POPULARITY_TIERS.find((candidate) => rank <= candidate.upTo) ??
    (POPULARITY_TIERS.at(-1) as { weight: number; label: string })
  );
}

/** Names of this many characters or fewer collide with popular ones by chance. */
export const SHORT_NAME = { length: 6, weight: -0.1 };

/**
 * A pair too short to judge by name alone (`needsEvidence`) counts this much by name, whatever its
 * technique and target: below the blocking threshold (0.8), so the name alone never blocks it,
 * and at the report threshold (0.4) or above, so an audit without its history reports it instead of
 * passing it. A young project (+0.2) with few releases (+0.1), or one its index no longer lists
 * (+0.3), then blocks it; an old one, or one conda-forge packages, is cleared.
 */
export const SHORT_PAIR = { score: 0.5 };

/** The technique's base, raised for very popular targets and lowered for obscure ones and short names. */
function nameSignals(
  technique: Technique,
  detail: string,
  base: number,
  target: PopularName,
  key: string,
  needsEvidence: boolean,
): Signal[] {
  const tier = popularityTier(target.rank);
  const short = key.length <= SHORT_NAME.length;
  const signals: Signal[] = [
    { signal: 'technique', weight: base, detail: `${technique}: ${detail}` },
    {
      signal: 'target-popularity',
      weight: tier.weight,
      detail: `${target.key} ranks #${target.rank} by PyPI downloads (${tier.label})`,
    },
    {
      signal: 'short-name',
      weight: short ? SHORT_NAME.weight : 0,
      detail: `${key.length} characters${short ? ` (≤ ${SHORT_NAME.length}: chance collisions are common)` : ''}`,
    },
  ];
  if (!needsEvidence) return signals;
  const byName = signals.reduce((sum, signal) => sum + signal.weight, 0);
  signals.push({
    signal: 'short-pair',
    weight: Math.round((SHORT_PAIR.score - byName) * 100) / 100,
    detail: `${key} and ${target.key} are too short to judge by name alone: they count ${SHORT_PAIR.score} whatever the technique and target, and block only when the project history says new with few releases, or removed`,
  });
  return signals;
}

/** The signals' sum, within 0..1, to two decimals. */
export function sumOf(signals: readonly Signal[]): number {
  const total = signals.reduce((sum, signal) => sum + signal.weight, 0);
  return Math.round(Math.min(1, Math.max(0, total)) * 100) / 100;
}
