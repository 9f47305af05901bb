/**
 * `auditChannel`: every record of a conda channel (or the newest N versions of each name) through
 * the engine's `vulnerability` and `malicious` checks, in batches, so memory stays bounded whatever
 * the channel's size. Records are streamed from repodata (conda/repodata-stream.ts), those seen in
 * an earlier run under the same threat data are skipped (state.ts), and the result is assembled
 * from the state: only affected records, and the versions of affected names, are ever held.
 */

import { RepodataStream } from '../../conda/repodata-stream.ts';
import { createEngine, type Engine } from '../../engine/engine.ts';
import { CvebuildError, isCvebuildError } from '../../errors.ts';
import { assertFresh } from '../../intel/freshness.ts';
import { packageCoverage } from '../../intel/mapping-coverage.ts';
import { AdvisoryMatcher } from '../../intel/matcher.ts';
import type { OpenedIntel } from '../../intel/open.ts';
import type { Finding, Severity } from '../../model/finding.ts';
import { isAdvisoryFinding, isKnownExploited, isMaliciousRelease, isUnchecked } from '../../model/finding.ts';
import { compareText, type Package } from '../../model/package.ts';
import type { Download } from '../../net/download.ts';
import { defaultPolicy, type Policy } from '../../policy/policy.ts';
import { inventoryFromPackages } from '../../readers/packages.ts';
import { condaScheme } from '../../versions/conda.ts';
import { type RecordFacts, recordFacts, recordKey, recordPackage } from './records.ts';
import {
  type ChannelLocation,
  channelLocation,
  listedSubdirs,
  openRepodata,
  type RepodataSource,
  USUAL_SUBDIRS,
} from './source.ts';
import { ChannelAuditState, type NameCoverage, type RecordHit } from './state.ts';
import { threatDataVersion } from './threat-version.ts';
import type {
  AdvisoryDetail,
  AffectedBuild,
  AffectedName,
  AffectedVersion,
  ChannelAuditResult,
  ChannelAuditTotals,
  ChannelCoverage,
  SubdirSummary,
} from './types.ts';

export const DEFAULT_BATCH_SIZE = 10_000;
const CHECKS = ['vulnerability', 'malicious'] as const;

export interface ChannelAuditOptions {
  /** http(s) URL, `file:` URL or directory. */
  channel: string;
  /** Default: the subdirs `channeldata.json` lists, else those of the usual ones that exist. */
  subdirs?: readonly string[];
  /** Only records built after this instant (ms since the epoch); records without a build time are left out. */
  since?: number;
  /** Only the newest N versions of each name (per subdir). */
  newest?: number;
  /** The threat data, opened by the caller (and closed by it). */
  intel: OpenedIntel;
  /** Where results are kept between runs (a SQLite file, `:memory:` for none). */
  statePath: string;
  policy?: Policy;
  /** What the run considers "now" (freshness). */
  clock?: () => Date;
  /** Records per engine run. */
  batchSize?: number;
  http?: Download;
  /** Told as the audit goes (the CLI prints it on standard error). */
  onProgress?: (event: ChannelAuditProgress) => void;
  signal?: AbortSignal;
}

export type ChannelAuditProgress =
  | { type: 'subdir'; subdir: string; source: string }
  | { type: 'batch'; subdir: string; audited: number; read: number };

interface Pending {
  facts: RecordFacts;
  pkg: Package;
}

export async function auditChannel(options: ChannelAuditOptions): Promise<ChannelAuditResult> {
  const clock = options.clock ?? (() => new Date());
  const policy = options.policy ?? defaultPolicy();
  const now = clock();
  // fail closed before reading anything, even when nothing turns out to be new
  assertFresh(options.intel.store, policy.maxDbAgeMs, now);
  const threat = threatDataVersion(options.intel.store);
  const location = channelLocation(options.channel);
  const channel = location.url;
  const engine = createEngine({ intel: options.intel, clock, http: null });
  const state = new ChannelAuditState(options.statePath);
  try {
    const subdirs = await subdirsOf(location, options);
    const summaries: SubdirSummary[] = [];
    const totals: ChannelAuditTotals = {
      records: 0,
      inScope: 0,
      audited: 0,
      reused: 0,
      skipped: { olderThanSince: 0, notNewest: 0, invalid: 0 },
      names: 0,
      affectedNames: 0,
      affectedRecords: 0,
      advisories: 0,
      maliciousRecords: 0,
      kevRecords: 0,
    };
    const context: RunContext = { engine, state, policy, channel, threat, names: new Set(), totals, options };
    for (const { subdir, source } of subdirs) {
      try {
        options.onProgress?.({ type: 'subdir', subdir, source: source.source });
        summaries.push(await auditSubdir(context, subdir, source));
      } finally {
        source.close();
      }
    }
    if (summaries.length === 0)
      throw new CvebuildError(
        'INPUT_NOT_FOUND',
        `no repodata.json in any subdir (tried ${(options.subdirs ?? USUAL_SUBDIRS).join(', ')})`,
        { file: options.channel },
      );
    state.begin();
    try {
      return assemble(context, summaries, now);
    } finally {
      state.rollback();
    }
  } finally {
    state.close();
    engine.close();
  }
}

interface RunContext {
  engine: Engine;
  state: ChannelAuditState;
  policy: Policy;
  channel: string;
  threat: string;
  /** Names in scope: what the coverage counts (bounded by the channel's names, not its records). */
  names: Set<string>;
  totals: ChannelAuditTotals;
  options: ChannelAuditOptions;
}

async function subdirsOf(
  location: ChannelLocation,
  options: ChannelAuditOptions,
): Promise<{ subdir: string; source: RepodataSource }[]> {
  const named = options.subdirs && options.subdirs.length > 0 ? [...new Set(options.subdirs)] : undefined;
  const candidates = named ?? (await listedSubdirs(location, options.http)) ?? [...USUAL_SUBDIRS];
  const found: { subdir: string; source: RepodataSource }[] = [];
  try {
    for (const subdir of candidates) {
      const source = await openRepodata(location, subdir, options.http);
      if (source) found.push({ subdir, source });
      else if (named)
        throw new CvebuildError('NOT_FOUND', `the channel has no subdir ${subdir} (no repodata.json)`, {
          file: options.channel,
        });
    }
  } catch (error) {
    for (const { source } of found) source.close();
    throw error;
  }
  return found;
}

async function auditSubdir(context: RunContext, subdir: string, source: RepodataSource): Promise<SubdirSummary> {
  const { state, channel, threat, names, totals, options } = context;
  const newest = options.newest ? await newestVersions(subdir, source, options.newest) : undefined;
  const summary: SubdirSummary = { subdir, source: source.source, records: 0, inScope: 0, audited: 0 };
  let batch: Pending[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    await auditBatch(context, pending);
    state.commit();
    state.begin();
    summary.audited += pending.length;
    totals.audited += pending.length;
    options.onProgress?.({ type: 'batch', subdir, audited: summary.audited, read: summary.records });
  };
  state.begin();
  try {
    for await (const entry of readRecords(source)) {
      options.signal?.throwIfAborted();
      summary.records++;
      totals.records++;
      const facts = recordFacts(subdir, entry);
      if ('invalid' in facts) {
        totals.skipped.invalid++;
        continue;
      }
      if (options.since !== undefined && !(facts.timestamp > options.since)) {
        totals.skipped.olderThanSince++;
        continue;
      }
      if (newest && !newest.get(facts.name)?.has(facts.version)) {
        totals.skipped.notNewest++;
        continue;
      }
      const pkg = recordPackage(channel, facts, entry.record, source.source);
      if ('invalid' in pkg) {
        totals.skipped.invalid++;
        continue;
      }
      summary.inScope++;
      totals.inScope++;
      names.add(facts.name);
      if (state.markKnown(channel, facts, threat)) {
        totals.reused++;
        continue;
      }
      batch.push({ facts, pkg });
      if (batch.length >= (options.batchSize ?? DEFAULT_BATCH_SIZE)) await flush();
    }
    await flush();
    state.commit();
  } catch (error) {
    state.rollback();
    throw error;
  }
  return summary;
}

/** The records, with a broken compressed stream reported as the file's error rather than zlib's. */
async function* readRecords(source: RepodataSource) {
  try {
    yield* new RepodataStream(source.open(), { source: source.source });
  } catch (error) {
    if (isCvebuildError(error)) throw error;
    throw new CvebuildError('INPUT_UNREADABLE', `cannot read: ${(error as Error).message}`, { file: source.source });
  }
}

/** First pass for `--newest N`: each name's N newest distinct versions (conda order). */
async function newestVersions(subdir: string, source: RepodataSource, n: number): Promise<Map<string, Set<string>>> {
  const kept = new Map<string, string[]>();
  for await (const entry of readRecords(source)) {
    const facts = recordFacts(subdir, entry);
    if ('invalid' in facts) continue;
    const versions = kept.get(facts.name) ?? [];
    if (versions.includes(facts.version)) continue;
    versions.push(facts.version);
    versions.sort((a, b) => compareVersions(b, a));
    if (versions.length > n) versions.length = n;
    kept.set(facts.name, versions);
  }
  return new Map([...kept].map(([name, versions]) => [name, new Set(versions)]));
}

/** conda (CEP-33) order; a version rattler cannot read sorts below every readable one. */
export function compareVersions(a: string, b: string): number {
  const aValid = condaScheme.isValid(a);
  const bValid = condaScheme.isValid(b);
  if (aValid && bValid) return condaScheme.compare(a, b);
  if (aValid !== bValid) return aValid ? 1 : -1;
  return compareText(a, b);
}

/** One engine run over a batch of new records; what it finds is kept in the state, by record. */
async function auditBatch(context: RunContext, pending: readonly Pending[]): Promise<void> {
  const { engine, state, policy, channel, threat, options } = context;
  const inventory = inventoryFromPackages(pending.map(({ pkg }) => pkg));
  const result = await engine.audit(
    { inventory, policy, checks: CHECKS, offline: true },
    options.signal ? { signal: options.signal } : {},
  );
  const failed = result.checks.find((check) => check.status !== 'ok');
  if (failed)
    throw new CvebuildError(
      'DATA_INVALID',
      `the ${failed.id} check ${failed.status}${failed.error ? `: ${failed.error}` : ''}; the channel was not fully audited`,
      { file: options.channel },
    );
  const hits = new Map<string, Map<string, string | null>>();
  const gaps = new Map<string, Set<string>>();
  for (const finding of result.findings) {
    if (isUnchecked(finding)) {
      for (const name of uncheckedNames(finding)) {
        const reasons = gaps.get(name) ?? new Set();
        reasons.add(String(finding.evidence.reason ?? finding.message));
        gaps.set(name, reasons);
      }
      continue;
    }
    if (!isAdvisoryFinding(finding) || !finding.location?.file) continue;
    const ids = hits.get(finding.location.file) ?? new Map();
    const safe = finding.evidence.safeVersion;
    ids.set(finding.rule, typeof safe === 'string' ? safe : null);
    hits.set(finding.location.file, ids);
    state.saveAdvisory(threat, finding.rule, advisoryDetail(finding));
  }
  const matcher = new AdvisoryMatcher(result.intel?.store ?? options.intel.store);
  matcher.prefetch(inventory.packages);
  const coverage = new Map<string, NameCoverage>();
  for (const { pkg } of pending) {
    const row = packageCoverage(pkg, matcher);
    const name = pkg.name;
    let entry = coverage.get(name);
    if (!entry) {
      entry = state.nameCoverage(channel, name, threat) ?? { kinds: [], gaps: [] };
      coverage.set(name, entry);
    }
    mergeCoverage(entry, row.kinds, row.reason, [...(gaps.get(name) ?? [])]);
  }
  for (const { facts } of pending) {
    const found = hits.get(recordKey(facts));
    const list: RecordHit[] = found ? [...found].sort((a, b) => compareText(a[0], b[0])) : [];
    state.saveRecord(channel, facts, threat, list);
  }
  for (const [name, entry] of coverage) state.saveName(channel, name, threat, entry);
}

function mergeCoverage(entry: NameCoverage, kinds: readonly string[], reason: string | undefined, gaps: string[]) {
  const mapped = new Set(entry.kinds.filter((kind) => kind !== 'none'));
  for (const kind of kinds) if (kind !== 'none') mapped.add(kind);
  entry.kinds = mapped.size > 0 ? [...mapped].sort() : ['none'];
  if (mapped.size > 0) delete entry.reason;
  else entry.reason ??= reason;
  entry.gaps = [...new Set([...entry.gaps, ...gaps])].sort();
}

/** The names a "not checked" finding lists (`name version` strings in its evidence). */
function uncheckedNames(finding: Finding): string[] {
  const packages = finding.evidence.packages;
  if (!Array.isArray(packages)) return [];
  return packages.flatMap((entry) => (typeof entry === 'string' ? [entry.split(' ')[0] ?? entry] : []));
}

function advisoryDetail(finding: Finding): AdvisoryDetail {
  const summary = finding.evidence.summary;
  const target = finding.evidence.target;
  return {
    id: finding.rule,
    aliases: [...(finding.flags?.aliases ?? [])].sort(),
    severity: (finding.originalSeverity ?? finding.severity) as Severity,
    malicious: isMaliciousRelease(finding),
    ...(isKnownExploited(finding) ? { kev: { ...finding.flags?.kev } } : {}),
    ...(typeof summary === 'string' ? { summary } : {}),
    ...(typeof target === 'string' ? { target } : {}),
  };
}

/** The report, from the state: the affected records of this run, and the versions of their names. */
function assemble(context: RunContext, subdirs: SubdirSummary[], now: Date): ChannelAuditResult {
  const { state, channel, threat, names, totals, options } = context;
  const coverage: ChannelCoverage = {
    names: 0,
    mapped: 0,
    unmapped: 0,
    byKind: {},
    unmappedReasons: [],
    notChecked: [],
  };
  const reasons = new Map<string, number>();
  const gaps = new Map<string, number>();
  const kindsOf = new Map<string, string[]>();
  for (const name of [...names].sort(compareText)) {
    const entry = state.nameCoverage(channel, name, threat);
    coverage.names++;
    const kinds = entry?.kinds ?? ['none'];
    const mapped = !kinds.includes('none');
    if (mapped) coverage.mapped++;
    else {
      coverage.unmapped++;
      const reason = entry?.reason ?? 'not audited';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    for (const kind of kinds) coverage.byKind[kind] = (coverage.byKind[kind] ?? 0) + 1;
    for (const gap of entry?.gaps ?? []) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
    if (mapped) kindsOf.set(name, kinds);
  }
  coverage.unmappedReasons = countsMostFirst(reasons).map(([reason, names]) => ({ reason, names }));
  coverage.notChecked = countsMostFirst(gaps).map(([reason, names]) => ({ reason, names }));
  coverage.byKind = Object.fromEntries(Object.entries(coverage.byKind).sort(([a], [b]) => compareText(a, b)));
  totals.names = coverage.names;

  const advisories: Record<string, AdvisoryDetail> = {};
  const packages: AffectedName[] = [];
  let current: { name: string; records: { facts: RecordFacts; hits: RecordHit[] }[] } | undefined;
  const close = () => {
    if (current) packages.push(affectedName(context, current.name, current.records, kindsOf, advisories));
  };
  for (const record of state.affected(channel)) {
    totals.affectedRecords++;
    if (current?.name !== record.name) {
      close();
      current = { name: record.name, records: [] };
    }
    current.records.push({ facts: record, hits: record.hits });
    for (const [id] of record.hits) {
      if (!(id in advisories)) {
        const detail = state.advisory(threat, id) as AdvisoryDetail | undefined;
        advisories[id] = detail ?? { id, aliases: [], severity: 'unknown', malicious: false };
      }
    }
    const details = record.hits.map(([id]) => advisories[id]);
    if (details.some((detail) => detail?.malicious)) totals.maliciousRecords++;
    if (details.some((detail) => detail?.kev)) totals.kevRecords++;
  }
  close();
  packages.sort((a, b) => compareText(a.name, b.name));
  totals.affectedNames = packages.length;
  totals.advisories = Object.keys(advisories).length;
  const sortedAdvisories = Object.fromEntries(
    Object.keys(advisories)
      .sort(compareText)
      .map((id) => [id, advisories[id] as AdvisoryDetail]),
  );
  return {
    channel,
    subdirs: subdirs.sort((a, b) => compareText(a.subdir, b.subdir)),
    threatData: { label: options.intel.label, version: threat },
    generatedAt: now.toISOString(),
    scope: {
      ...(options.since !== undefined ? { since: new Date(options.since).toISOString() } : {}),
      ...(options.newest !== undefined ? { newest: options.newest } : {}),
    },
    totals,
    coverage,
    packages,
    advisories: sortedAdvisories,
  };
}

function affectedName(
  context: RunContext,
  name: string,
  records: { facts: RecordFacts; hits: RecordHit[] }[],
  kindsOf: Map<string, string[]>,
  advisories: Record<string, AdvisoryDetail>,
): AffectedName {
  const byVersion = new Map<string, { facts: RecordFacts; hits: RecordHit[] }[]>();
  for (const record of records) {
    const list = byVersion.get(record.facts.version) ?? [];
    list.push(record);
    byVersion.set(record.facts.version, list);
  }
  const versions: AffectedVersion[] = [...byVersion].map(([version, list]) => {
    const ids = [...new Set(list.flatMap(({ hits }) => hits.map(([id]) => id)))].sort(compareText);
    const fixes = [...new Set(list.flatMap(({ hits }) => hits.map(([, safe]) => safe)))];
    const builds: AffectedBuild[] = list
      .map(({ facts, hits }) => ({
        subdir: facts.subdir,
        build: facts.build,
        filename: facts.filename,
        sha256: facts.sha256,
        ...(facts.timestamp > 0 ? { timestamp: facts.timestamp } : {}),
        advisories: hits.map(([id]) => id),
      }))
      .sort((a, b) => compareText(a.subdir, b.subdir) || compareText(a.filename, b.filename));
    return {
      version,
      advisories: ids,
      fixedIn: highestFix(fixes),
      malicious: ids.some((id) => advisories[id]?.malicious),
      kev: ids.some((id) => advisories[id]?.kev !== undefined),
      builds,
    };
  });
  versions.sort((a, b) => compareVersions(b.version, a.version));
  const all = context.state.versionsOf(context.channel, name).sort((a, b) => compareVersions(a.version, b.version));
  const newestVersion = all.at(-1)?.version ?? versions[0]?.version ?? '';
  let lowestSafeVersion: string | null = null;
  for (let index = all.length - 1; index >= 0; index--) {
    const candidate = all[index];
    if (!candidate || candidate.affected) break;
    lowestSafeVersion = candidate.version;
  }
  return { name, mappedBy: kindsOf.get(name) ?? ['none'], newestVersion, lowestSafeVersion, versions };
}

/** Builds of one version may name different fixes (one per advisory set): the one clearing them all is the highest. */
function highestFix(fixes: readonly (string | null)[]): string | null {
  if (fixes.length === 0 || fixes.includes(null)) return null;
  return (fixes as string[]).sort(compareVersions).at(-1) ?? null;
}

function countsMostFirst(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
}
