/**
 * The typosquat score on the labelled real names of `typosquat-corpus.ts`: each name judged by name
 * alone, with the store's lists (offline), and with its approximated project history (online),
 * for bench/typosquat-precision.ts and test/corpus/typosquat-evidence.test.ts. A malicious-package
 * report would make every squat here critical, so that signal is withheld.
 */
import { summarizeFiles } from '../../src/cooldown/project-pages.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { openStore } from '../../src/intel/store.ts';
import { findSquat, type SquatMatch } from '../../src/typosquat/match.ts';
import { buildPopularNames, type PopularNames } from '../../src/typosquat/popular.ts';
import {
  type ProjectHistory,
  type SquatEvidence,
  scoreSquat,
  severityOfScore,
  WEIGHTS,
  type Weights,
} from '../../src/typosquat/score.ts';
import { corpus } from './paths.ts';
import {
  type ApproximateHistory,
  filesOf,
  type Half,
  type LegitName,
  PYPA_SNAPSHOT,
  type SquatName,
  squatAuditTime,
  typosquatCorpus,
} from './typosquat-corpus.ts';

export interface PrecisionOptions {
  half: Half;
  /** Days between a squat's first upload and its audit. */
  age: number;
  /** Releases of a squat whose record lists no version. */
  unknownReleases: number;
  weights?: Weights;
}

export const DEFAULT_PRECISION: PrecisionOptions = { half: 'test', age: 30, unknownReleases: 1 };

let popular: PopularNames | undefined;

async function popularNames(): Promise<PopularNames> {
  if (popular) return popular;
  const store = openStore(':memory:', { create: true });
  await importSources(
    store,
    [
      'top-pypi-packages.min.json',
      'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json',
      'conda-forge/feedstock-outputs.json',
    ].map((file) => ({ path: corpus(`intel/${file}`) })),
  );
  popular = buildPopularNames(store);
  return popular;
}

export type Mode = 'name alone' | 'offline (store lists)' | 'online (with history)';
export const MODES: Mode[] = ['name alone', 'offline (store lists)', 'online (with history)'];

export interface Judged {
  /** The severity each mode gives; undefined: not reported. */
  severity: Record<Mode, string | undefined>;
}

function historyOf(name: string, history: ApproximateHistory | undefined, unknownReleases: number): ProjectHistory {
  if (!history) return { status: 'unavailable', reason: 'no record in the corpus', offline: false };
  const { firstUpload, releases } = summarizeFiles(name, filesOf(name, history, unknownReleases));
  return { status: 'found', index: 'corpus', firstUpload, releases, from: 'index' };
}

function judge(
  names: PopularNames,
  name: string,
  history: ApproximateHistory | undefined,
  now: number,
  options: PrecisionOptions,
): Judged {
  const match: SquatMatch | undefined = findSquat(names.pypi, name);
  const severity = {} as Record<Mode, string | undefined>;
  if (!match) {
    for (const mode of MODES) severity[mode] = undefined;
    return { severity };
  }
  const weights = options.weights ?? WEIGHTS;
  const offline: SquatEvidence = {
    onCondaForge: names.pypiOnCondaForge.has(name),
    history: { status: 'unavailable', reason: 'offline', offline: true },
    now,
  };
  const online = { ...offline, history: historyOf(name, history, options.unknownReleases) };
  severity['name alone'] = severityOfScore(match.confidence);
  severity['offline (store lists)'] = scoreSquat(match, offline, weights).severity;
  severity['online (with history)'] = scoreSquat(match, online, weights).severity;
  return { severity };
}

export const blocks = (severity: string | undefined): boolean => severity === 'high' || severity === 'critical';
export const reports = (severity: string | undefined): boolean => severity !== undefined;

export function share(judged: Judged[], mode: Mode, test: (severity: string | undefined) => boolean) {
  const hits = judged.filter((item) => test(item.severity[mode])).length;
  return { hits, of: judged.length, rate: judged.length === 0 ? 0 : hits / judged.length };
}

export interface PrecisionRows {
  rows: { label: string; kind: 'recall' | 'fp'; judged: Judged[] }[];
  /** Recall of one-edit (top-1,000) squats, by the age at which they are audited. */
  byAge: { days: number; judged: Judged[] }[];
  /** How many names have an approximated history. */
  coverage: string;
}

export async function precisionRows(options: PrecisionOptions = DEFAULT_PRECISION): Promise<PrecisionRows> {
  const names = await popularNames();
  const data = typosquatCorpus();
  const squats = data.squats.filter((squat) => squat.half === options.half);
  const judgedSquat = (filter: (squat: SquatName) => boolean, age = options.age) =>
    squats
      .filter(filter)
      .map((squat) =>
        judge(
          names,
          squat.name,
          squat.history,
          squat.history ? squatAuditTime(squat.history, age) : PYPA_SNAPSHOT,
          options,
        ),
      );
  const legit = data.legit.filter((name) => name.half === options.half);
  const judgedLegit = (filter: (name: LegitName) => boolean) =>
    legit.filter(filter).map((name) => judge(names, name.name, name.history, PYPA_SNAPSHOT, options));
  const oneEdit = squats.filter((s) => s.oneEditFromTop1000);
  return {
    rows: [
      {
        label: 'squats 1 edit from a top-1,000 name',
        kind: 'recall',
        judged: judgedSquat((s) => s.oneEditFromTop1000),
      },
      { label: 'squats 1 edit from a top-15,000 name', kind: 'recall', judged: judgedSquat((s) => s.oneEditFromTop) },
      {
        label: 'squats 2 edits from a top-1,000 name',
        kind: 'recall',
        judged: judgedSquat((s) => s.twoEditsFromTop1000),
      },
      { label: 'legit: all outside the top list', kind: 'fp', judged: judgedLegit(() => true) },
      { label: 'legit: PyPI names conda-forge packages', kind: 'fp', judged: judgedLegit((n) => n.onCondaForge) },
      {
        label: 'legit: PyPA-advisory projects off conda-forge',
        kind: 'fp',
        judged: judgedLegit((n) => !n.onCondaForge),
      },
    ],
    byAge: [1, 30, 89, 180, 365, 1100].map((days) => ({
      days,
      judged: judgedSquat((s) => s.oneEditFromTop1000, days),
    })),
    coverage: `history approximated from the advisories for ${oneEdit.filter((s) => s.history).length}/${oneEdit.length} one-edit squats and ${legit.filter((n) => n.history).length}/${legit.length} legitimate names; the rest are judged without it`,
  };
}
