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
  /**
   * Whether a squat with no record (a name-index entry only) is given the history of a record that
   * lists no version (new, `unknownReleases` releases) instead of none: off by default, so those
   * names are judged by name alone even online.
   */
  noRecordHistory?: boolean;
  weights?: Weights;
}

export const DEFAULT_PRECISION: PrecisionOptions = {
  half: 'test',
  age: 30,
  unknownReleases: 1,
  noRecordHistory: false,
};

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
  /** The match is a pair too short to judge by name alone (only its history can block it). */
  needsEvidence: boolean;
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
    return { severity, needsEvidence: false };
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
  return { severity, needsEvidence: match.needsEvidence };
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
  const historyOfSquat = (squat: SquatName): ApproximateHistory | undefined =>
    squat.history ??
    (options.noRecordHistory
      ? { firstUpload: PYPA_SNAPSHOT, from: 'no record: as a record listing no version' }
      : undefined);
  const judgedSquat = (filter: (squat: SquatName) => boolean, age = options.age) =>
    squats.filter(filter).map((squat) => {
      const history = historyOfSquat(squat);
      return judge(names, squat.name, history, history ? squatAuditTime(history, age) : PYPA_SNAPSHOT, options);
    });
  const legit = data.legit.filter((name) => name.half === options.half);
  const judgedLegit = (filter: (name: LegitName) => boolean) =>
    legit.filter(filter).map((name) => judge(names, name.name, name.history, PYPA_SNAPSHOT, options));
  const oneEdit = squats.filter((s) => s.oneEditFromTop1000);
  const oneEditAll = squats.filter((s) => s.oneEditFromTop);
  return {
    rows: [
      {
        label: 'squats 1 edit from a top-1,000 name',
        kind: 'recall',
        judged: judgedSquat((s) => s.oneEditFromTop1000),
      },
      { label: 'squats 1 edit from a top-15,000 name', kind: 'recall', judged: judgedSquat((s) => s.oneEditFromTop) },
      {
        label: '  of which with a record (history approximated)',
        kind: 'recall',
        judged: judgedSquat((s) => s.oneEditFromTop && s.history !== undefined),
      },
      {
        label: options.noRecordHistory
          ? '  of which with no record (history assumed)'
          : '  of which with no record (no history: name alone)',
        kind: 'recall',
        judged: judgedSquat((s) => s.oneEditFromTop && s.history === undefined),
      },
      {
        label: 'squats 2 edits from a top-1,000 name',
        kind: 'recall',
        judged: judgedSquat((s) => s.twoEditsFromTop1000),
      },
      {
        label: 'squats 2 edits from a top-15,000 name (none at 1)',
        kind: 'recall',
        judged: judgedSquat((s) => s.twoEditsFromTop),
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
    coverage: [
      `history approximated from the advisories for ${oneEdit.filter((s) => s.history).length}/${oneEdit.length} one-edit (top-1,000) squats, ${oneEditAll.filter((s) => s.history).length}/${oneEditAll.length} one-edit (top-15,000) squats and ${legit.filter((n) => n.history).length}/${legit.length} legitimate names;`,
      options.noRecordHistory
        ? `squats with no record are given the history of a record listing no version (new, ${options.unknownReleases} release(s)): an assumption, not corpus data`
        : 'the rest are judged without it (squats with no record by name alone, even online)',
    ].join(' '),
  };
}
