/**
 * The typosquat score: the name's signals (`match.ts`) plus evidence about the suspect project,
 * each a signal with its weight, summed. The name alone cannot tell `pedantic` from `pydantic`;
 * the project's history can: squats are new, have one or two releases and are removed within days,
 * while a real project near a popular name has years of releases or a reviewed conda-forge package.
 * A name a malicious-package report names is critical whatever the sum.
 *
 * The weights were tuned on one half of the corpus's names (bench/typosquat-precision.ts) and are
 * measured on the other.
 */
import type { ProjectHistory, Severity } from '../model/finding.ts';
import { SHORT_PAIR, type Signal, type SquatMatch, sumOf } from './match.ts';

export type { ProjectHistory } from '../model/finding.ts';

const DAY = 86_400_000;

export interface SquatEvidence {
  /** Id of a malicious-package report naming the suspect. */
  knownMalicious?: string;
  /** The PyPI name is one conda-forge packages (parselmouth): a project with a reviewed recipe. */
  onCondaForge: boolean;
  history: ProjectHistory;
  /** ms since the epoch: ages are measured to it. */
  now: number;
}

export interface Band {
  /** The band holds values below this (days for ages, releases for counts). */
  below: number;
  weight: number;
  label: string;
}

export interface Weights {
  condaForge: number;
  /** By the age of the first upload, in days; the last band is open-ended. */
  age: readonly Band[];
  /** By the number of releases; the last band is open-ended. */
  releases: readonly Band[];
  /** The lock names a project its index no longer has. */
  absent: number;
}

export const WEIGHTS: Weights = {
  condaForge: -0.5,
  age: [
    { below: 90, weight: 0.2, label: 'new (under 90 days)' },
    { below: 365, weight: 0, label: 'under a year old' },
    { below: 3 * 365, weight: -0.2, label: 'over a year old' },
    { below: Number.POSITIVE_INFINITY, weight: -0.3, label: 'over 3 years old' },
  ],
  releases: [
    { below: 4, weight: 0.1, label: '1–3 releases' },
    { below: 20, weight: 0, label: '4–19 releases' },
    { below: Number.POSITIVE_INFINITY, weight: -0.1, label: '20 or more releases' },
  ],
  absent: 0.3,
};

/** Score thresholds: at or above `high` a finding is high (blocks by default); below `report` there is none. */
export const THRESHOLDS = { high: 0.8, medium: 0.6, report: 0.4 } as const;

export interface SquatScore {
  /** 0..1, the signals' sum; 1 for a known-malicious name. */
  score: number;
  /** Undefined when the evidence clears the name (score below `THRESHOLDS.report`). */
  severity?: Severity;
  signals: Signal[];
}

export function severityOfScore(score: number): Severity | undefined {
  if (score >= THRESHOLDS.high) return 'high';
  if (score >= THRESHOLDS.medium) return 'medium';
  return score >= THRESHOLDS.report ? 'low' : undefined;
}

export function scoreSquat(match: SquatMatch, evidence: SquatEvidence, weights: Weights = WEIGHTS): SquatScore {
  const signals: Signal[] = [...match.signals, ...evidenceSignals(evidence, weights)];
  if (evidence.knownMalicious) {
    signals.push({
      signal: 'known-malicious',
      weight: 1,
      detail: `named in malicious-package report ${evidence.knownMalicious}: critical whatever the other signals`,
    });
    return { score: 1, severity: 'critical', signals };
  }
  const score = sumOf(signals);
  return { score, severity: severityOfScore(score), signals };
}

/** The most the project history can add: a name that cannot reach the report threshold even so is not looked up. */
export function mostHistoryCanAdd(weights: Weights = WEIGHTS): number {
  const best = (bands: readonly Band[]) => Math.max(...bands.map((band) => band.weight));
  return Math.round(Math.max(weights.absent, best(weights.age) + best(weights.releases)) * 100) / 100;
}

function evidenceSignals(evidence: SquatEvidence, weights: Weights): Signal[] {
  const signals: Signal[] = [
    evidence.onCondaForge
      ? {
          signal: 'conda-forge',
          weight: weights.condaForge,
          detail: 'conda-forge packages this PyPI name (a reviewed recipe: a real project)',
        }
      : { signal: 'conda-forge', weight: 0, detail: 'no conda-forge package of this name' },
  ];
  const { history } = evidence;
  switch (history.status) {
    case 'found': {
      if (history.firstUpload === undefined) {
        signals.push({ signal: 'first-upload', weight: 0, detail: `${history.index} gives no upload times` });
      } else {
        const days = Math.max(0, Math.floor((evidence.now - history.firstUpload) / DAY));
        const band = bandOf(weights.age, days);
        const when = new Date(history.firstUpload).toISOString().slice(0, 10);
        signals.push({
          signal: 'first-upload',
          weight: band.weight,
          detail: `${when}, ${days} days ago: ${band.label}`,
        });
      }
      const band = bandOf(weights.releases, history.releases);
      signals.push({
        signal: 'releases',
        weight: band.weight,
        detail: `${history.releases} on ${history.index}: ${band.label}`,
      });
      break;
    }
    case 'absent':
      signals.push({
        signal: 'index',
        weight: weights.absent,
        detail: `${history.index} lists no file of this project: removed (as squats are) or never there`,
      });
      break;
    case 'unavailable':
      signals.push({
        signal: 'history',
        weight: 0,
        detail: history.offline
          ? 'offline: judged by name alone, the project history was not looked up'
          : `not looked up (${history.reason}): judged by name alone`,
      });
      break;
    case 'not-asked':
      signals.push({ signal: 'history', weight: 0, detail: history.reason });
      break;
  }
  return signals;
}

function bandOf(bands: readonly Band[], value: number): Band {
  return bands.find((band) => value < band.below) ?? (bands.at(-1) as Band);
}

/** The scoring in words, for the rule text. */
export function describeScoring(weights: Weights = WEIGHTS): string {
  const signed = (weight: number) => (weight > 0 ? `+${weight}` : `${weight}`);
  const bands = (list: readonly Band[]) => list.map((band) => `${band.label} ${signed(band.weight)}`).join(', ');
  return [
    'Score = the name signals (the technique, 0.5–0.9; the target popularity tier, +0.05 top 1,000 / 0 top 5,000 / -0.1 beyond; -0.1 for names of 6 characters or fewer;',
    `a pair too short to judge by name alone (one edit involving a name of 1–3 characters, between two 4-character names, or between a 4- and a 5-character name when the popular one is outside the top 1,000) counts ${SHORT_PAIR.score} by name, so only its history can block it)`,
    `plus the evidence: conda-forge packages the PyPI name ${signed(weights.condaForge)};`,
    `first upload ${bands(weights.age)}; ${bands(weights.releases)};`,
    `the index no longer lists the project ${signed(weights.absent)}.`,
    `A score of ${THRESHOLDS.high} or more is high (blocks by default), ${THRESHOLDS.medium} medium, ${THRESHOLDS.report} low; below ${THRESHOLDS.report} nothing is reported.`,
    'A name a malicious-package report names is critical whatever the score.',
    'Offline, or when the index cannot be asked, the project history is left out and the finding says so.',
  ].join(' ');
}
