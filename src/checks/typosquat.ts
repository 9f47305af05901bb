/**
 * The `typosquat` check: packages whose name imitates a popular one (one typo, a swapped pair,
 * lookalike characters, other separators, an added or dropped affix), scored with what is known
 * about the suspect project: its first upload and releases on its index (PEP 691/700, cached as
 * the cooldown's lookups are), a conda-forge package of the name, the target's popularity, and
 * malicious-package reports (see `typosquat/score.ts`). One finding per name, not per platform:
 * the name is what was mistyped. Offline, the project history is left out and the finding and the
 * run's reason say so.
 */
import { lookupProjectPages, type ProjectAnswer, summarizeFiles } from '../cooldown/project-pages.ts';
import { displayIndex } from '../cooldown/simple-api.ts';
import { type LookupTuning, lookupOptionsFor } from '../cooldown/upload-times.ts';
import type { AdvisoryMatcher } from '../intel/matcher.ts';
import type { IntelStore } from '../intel/store-api.ts';
import { type Finding, type SquatReading, subjectOf, withFlags } from '../model/finding.ts';
import { normalizeCondaName, normalizePypiName, type Package } from '../model/package.ts';
import { zod } from '../policy/zod.ts';
import { findSquat, popularityTier, type SquatMatch } from '../typosquat/match.ts';
import { type PopularNames, popularNamesFor } from '../typosquat/popular.ts';
import {
  describeScoring,
  mostHistoryCanAdd,
  type ProjectHistory,
  type SquatEvidence,
  type SquatScore,
  scoreSquat,
  THRESHOLDS,
} from '../typosquat/score.ts';
import { type Check, type CheckContext, checkOptions, requireIntel } from './check.ts';
import { DEFAULT_PYPI_INDEX } from './cooldown.ts';

/** 3: names of 1–3 characters (and 4-character pairs) are judged too, blocking only with their history. */
export const TYPOSQUAT_CHECK_VERSION = 3;

/**
 * Only artifacts resolved by name from an index or channel can be typosquatted. A PyPI direct URL,
 * git, path or editable package is fetched from where the project says; a conda `url` record is a
 * channel on a non-HTTP URL (s3, oci), so still resolved by name.
 */
function resolvedByName(pkg: Package): boolean {
  return pkg.kind === 'registry' || (pkg.ecosystem === 'conda' && pkg.kind === 'url');
}

/**
 * conda-forge's namespace is curated (every new name passes staged-recipes review), so a package the
 * conda-forge channel serves is a real name even when feedstock-outputs.json, which started later,
 * does not list it (`openmp` 5.0.0, 2018). Squats can only come from channels anyone uploads to.
 */
function fromCondaForge(pkg: Package): boolean {
  return pkg.ecosystem === 'conda' && pkg.channel !== undefined && /(^|\/)conda-forge$/.test(pkg.channel);
}

export interface TyposquatSettings {
  /** Names never flagged as typosquats (compared after the ecosystem's normalization). */
  typosquatAllow: string[];
}

/** Network behaviour of the index lookups; tests shorten the timeouts. */
export type TyposquatOptions = Partial<LookupTuning>;

export function createTyposquatCheck(options: TyposquatOptions = {}): Check<TyposquatSettings> {
  return {
    id: 'typosquat',
    version: TYPOSQUAT_CHECK_VERSION,
    title: 'Typosquatted package names',
    requires: {
      intel: true,
      network: true,
      offline: 'offline: judged by name alone (no project history from the index)',
    },
    rules: {
      check: {
        title: 'Name one edit away from a popular package',
        help: `The package name is a near miss of a popular PyPI or conda-forge name (an edit, transposition, homoglyph, separator or affix), and what is known about the project does not clear it. Typosquats install attacker code under a name that looks right. Check the name is the one you meant; add it to the typosquat allow-list if it is. ${describeScoring()}`,
        cwes: ['CWE-1357'],
        tags: ['security', 'dependency', 'typosquat', 'supply-chain'],
      },
    },
    options: checkOptions({
      defaults: (): TyposquatSettings => ({ typosquatAllow: [] }),
      shape: () => ({ allow: zod().array(zod().string().min(1)) }),
      apply(values, settings) {
        if (values.allow) settings.typosquatAllow.push(...values.allow);
      },
    }),
    run(inventory, context) {
      const { store, matcher } = requireIntel(context, 'typosquat');
      const allowed = new Set(
        context.settings.typosquatAllow.flatMap((name) => [normalizePypiName(name), normalizeCondaName(name)]),
      );
      const byName = new Map<string, Package[]>();
      for (const pkg of inventory.packages) {
        if (!resolvedByName(pkg) || allowed.has(pkg.normalizedName)) continue;
        const key = `${pkg.ecosystem}:${pkg.normalizedName}`;
        const list = byName.get(key);
        if (list) list.push(pkg);
        else byName.set(key, [pkg]);
      }
      const candidates = { pypi: [] as string[], conda: [] as string[] };
      for (const [pkg] of byName.values()) {
        // a conda-forge package is a real name whatever it looks like (see fromCondaForge)
        if (pkg && !fromCondaForge(pkg))
          candidates[pkg.ecosystem === 'pypi' ? 'pypi' : 'conda'].push(pkg.normalizedName);
      }
      const names = popularNamesFor(store, candidates);
      const findings: Finding[] = missingData(names, [...byName.values()].flat());
      const suspects: Suspect[] = [];
      for (const packages of byName.values()) {
        const [pkg] = packages;
        const match = pkg && squatOf(pkg, names);
        if (!pkg || !match) continue;
        const onCondaForge = pkg.ecosystem === 'pypi' && names.pypiOnCondaForge.has(pkg.normalizedName);
        suspects.push({ pkg, packages, match, onCondaForge, knownMalicious: knownMalicious(packages, store, matcher) });
      }
      const judge = (histories: ProjectHistory[]): Finding[] => {
        suspects.forEach((suspect, i) => {
          const evidence: SquatEvidence = {
            knownMalicious: suspect.knownMalicious,
            onCondaForge: suspect.onCondaForge,
            history: histories[i] as ProjectHistory,
            now: context.now.getTime(),
          };
          const scored = scoreSquat(suspect.match, evidence);
          if (scored.severity) findings.push(typosquatFinding(suspect, evidence, scored));
        });
        return findings;
      };
      // with nothing to look up the run stays synchronous: an offline audit costs no turn of the event loop
      const histories = projectHistories(suspects, context, options);
      return Array.isArray(histories) ? judge(histories) : histories.then(judge);
    },
  };
}

export const typosquatCheck: Check<TyposquatSettings> = createTyposquatCheck();

/** A name that looks like a squat, before the evidence about its project is weighed. */
interface Suspect {
  /** The first of `packages`: the name's spelling, index and channel. */
  pkg: Package;
  packages: Package[];
  match: SquatMatch;
  onCondaForge: boolean;
  knownMalicious?: string;
}

/**
 * A malicious-package report naming the suspect, as the `malicious` check decides it: an OSV MAL
 * record affecting one of its releases, or a name-only report the store has no full record of.
 */
function knownMalicious(packages: Package[], store: IntelStore, matcher: AdvisoryMatcher): string | undefined {
  for (const pkg of packages) {
    const group = matcher.match(pkg).groups.find((candidate) => candidate.malicious);
    if (group) return group.id;
  }
  const [pkg] = packages;
  if (pkg?.ecosystem !== 'pypi') return undefined;
  return store.maliciousNamesFor(pkg.normalizedName).find((entry) => !store.advisoryById(entry.id))?.id;
}

/**
 * What each suspect's index says about its project, in the order of the suspects. Only PyPI names
 * whose score the history could still carry over the report threshold are asked about.
 */
function projectHistories(
  suspects: Suspect[],
  context: CheckContext<TyposquatSettings>,
  options: TyposquatOptions,
): ProjectHistory[] | Promise<ProjectHistory[]> {
  const histories: ProjectHistory[] = [];
  const asked: { position: number; index: string; project: string }[] = [];
  suspects.forEach((suspect, position) => {
    const reason = notAskedBecause(suspect, context.now.getTime());
    if (reason) histories[position] = { status: 'not-asked', reason };
    else if (context.offline)
      histories[position] = { status: 'unavailable', reason: 'offline: the index was not asked', offline: true };
    else asked.push({ position, index: suspect.pkg.index ?? DEFAULT_PYPI_INDEX, project: suspect.pkg.normalizedName });
  });
  if (asked.length === 0) return histories;
  const lookups = lookupProjectPages(asked, lookupOptionsFor(context, options));
  return lookups.then((answers) => {
    asked.forEach((query, i) => {
      histories[query.position] = historyOf(answers[i] as ProjectAnswer, query.index, query.project);
    });
    return histories;
  });
}

function notAskedBecause(suspect: Suspect, now: number): string | undefined {
  if (suspect.pkg.ecosystem !== 'pypi') return 'conda channels publish no project history: judged by name alone';
  if (suspect.knownMalicious) return 'not looked up: a malicious-package report names it';
  const withoutHistory = scoreSquat(suspect.match, {
    onCondaForge: suspect.onCondaForge,
    history: { status: 'not-asked', reason: '' },
    now,
  });
  if (withoutHistory.score + mostHistoryCanAdd() < THRESHOLDS.report)
    return 'not looked up: no project history could make it reportable';
  return undefined;
}

function historyOf(answer: ProjectAnswer, index: string, project: string): ProjectHistory {
  const shown = displayIndex(index);
  switch (answer.status) {
    case 'found': {
      if (answer.files.length === 0) return { status: 'absent', index: shown };
      return { status: 'found', index: shown, ...summarizeFiles(project, answer.files), from: answer.from };
    }
    case 'absent':
      return { status: 'absent', index: shown };
    case 'unavailable':
      return answer;
  }
}

function squatOf(pkg: Package, names: PopularNames): SquatMatch | undefined {
  if (pkg.ecosystem === 'pypi') return findSquat(names.pypi, pkg.normalizedName);
  // without the conda-forge name list an unknown name cannot be told from a real one
  if (!names.hasCondaForge || names.condaForge.has(pkg.normalizedName)) return undefined;
  if (fromCondaForge(pkg)) return undefined;
  return findSquat(names.conda, pkg.normalizedName);
}

/** Says which names could not be judged because the store lacks the list they are judged against. */
function missingData(names: PopularNames, packages: Package[]): Finding[] {
  const gaps: { ecosystem: 'pypi' | 'conda'; source: string; missing: boolean }[] = [
    { ecosystem: 'pypi', source: 'top-pypi', missing: !names.hasTopPypi },
    { ecosystem: 'conda', source: 'conda-forge-names', missing: !names.hasCondaForge },
  ];
  return gaps
    .filter((gap) => gap.missing && packages.some((pkg) => pkg.ecosystem === gap.ecosystem && !fromCondaForge(pkg)))
    .map((gap) =>
      withFlags(
        {
          check: 'typosquat',
          checkVersion: TYPOSQUAT_CHECK_VERSION,
          rule: 'typosquat/no-data',
          severity: 'info',
          message: `${gap.ecosystem === 'pypi' ? 'PyPI' : 'conda'} names were not checked for typosquats: the intel store has no ${gap.source} list`,
          evidence: { ecosystem: gap.ecosystem, source: gap.source },
          remedy: 'run `cvebuild db update` (or `cvebuild db import` the list)',
        } satisfies Finding,
        { unchecked: true },
      ),
    );
}

function typosquatFinding(suspect: Suspect, evidence: SquatEvidence, scored: SquatScore): Finding {
  const { pkg, packages, match } = suspect;
  const { target, technique, distance, confidence, detail } = match;
  const squat: SquatReading = {
    target: target.name,
    targetRank: target.rank,
    targetTier: popularityTier(target.rank).label,
    technique,
    distance,
    detail,
    nameScore: confidence,
    score: scored.score,
    onCondaForge: evidence.onCondaForge,
    ...(evidence.knownMalicious ? { knownMalicious: evidence.knownMalicious } : {}),
    history: evidence.history,
    signals: scored.signals,
  };
  const popularity =
    pkg.ecosystem === 'pypi'
      ? `#${target.rank} on PyPI by downloads`
      : `a conda-forge package whose PyPI name ranks #${target.rank} by downloads`;
  return {
    check: 'typosquat',
    checkVersion: TYPOSQUAT_CHECK_VERSION,
    rule: `typosquat/${technique}`,
    severity: scored.severity ?? 'low',
    subject: subjectOf(pkg, [...new Set(packages.flatMap((p) => p.environments))].sort()),
    message: `${pkg.name} looks like a typosquat of ${target.name} (${popularity}): ${technique}, ${detail}; score ${scored.score} (${inWords(evidence, match.needsEvidence)})`,
    evidence: {
      target: target.name,
      targetRank: target.rank,
      technique,
      distance,
      confidence,
      detail,
      // not `score`: reports read that key as a CVSS score
      squatScore: scored.score,
      signals: scored.signals,
      history: historyEvidence(evidence.history),
      source: pkg.ecosystem === 'pypi' ? 'top-pypi' : 'conda-forge-names+parselmouth+top-pypi',
      platforms: [...new Set(packages.map((p) => p.platform))].sort(),
    },
    remedy: `if you meant ${target.name}, depend on ${target.name} instead and remove ${pkg.name}; if ${pkg.name} is intended, allow the name (typosquat allow-list)`,
    location: pkg.origin,
    flags: { squat },
  };
}

/** The evidence beyond the name, in a few words for the message. */
function inWords(evidence: SquatEvidence, needsEvidence: boolean): string {
  const parts: string[] = [];
  if (evidence.knownMalicious) parts.push(`named in malicious-package report ${evidence.knownMalicious}`);
  if (evidence.onCondaForge) parts.push('packaged by conda-forge');
  const { history } = evidence;
  switch (history.status) {
    case 'found': {
      const first =
        history.firstUpload === undefined
          ? 'no upload times'
          : `first upload ${new Date(history.firstUpload).toISOString().slice(0, 10)}`;
      parts.push(`${first}, ${history.releases} release${history.releases === 1 ? '' : 's'} on ${history.index}`);
      break;
    }
    case 'absent':
      parts.push(`${history.index} no longer lists it`);
      break;
    case 'unavailable':
      parts.push(
        history.offline ? 'judged by name alone: offline' : 'judged by name alone: the index could not be asked',
      );
      break;
    case 'not-asked':
      if (!evidence.knownMalicious) parts.push('judged by name alone');
      break;
  }
  // a short pair blocks only on its history: without it the finding must not read as a verdict
  if (needsEvidence && !evidence.knownMalicious && history.status !== 'found' && history.status !== 'absent')
    parts.push('a short name, which only its project history can block: that evidence was not looked at');
  return parts.join('; ');
}

function historyEvidence(history: ProjectHistory): Record<string, unknown> {
  if (history.status !== 'found') return history;
  const { firstUpload, ...rest } = history;
  return { ...rest, firstUpload: firstUpload === undefined ? null : new Date(firstUpload).toISOString() };
}
