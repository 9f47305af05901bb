/**
 * The proxy's judge on the engine: a batch of packages an upstream offers becomes an inventory,
 * the engine runs the policy's package checks on it (the same checks and verdict rules as the
 * gate), and every package a blocking finding names is withheld, as is every package a quarantine
 * entry matches. Cooldown comes from the upstream's configuration, as pixi's `exclude-newer` would
 * state it. A run that cannot judge (stale threat data, a check that failed, a policy requirement
 * no check enforces) throws: the proxy then refuses to serve rather than serve unjudged packages.
 */
import { createHash } from 'node:crypto';
import type { Engine } from '../engine/engine.ts';
import { CvebuildError, isCvebuildError } from '../errors.ts';
import { assertFresh } from '../intel/freshness.ts';
import type { IntelStore } from '../intel/store-api.ts';
import type { Finding } from '../model/finding.ts';
import { type ExcludeNewer, emptyManifest } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import type { Policy } from '../policy/policy.ts';
import { inventoryFromPackages } from '../readers/packages.ts';
import { threatDataVersion } from './channel-audit/threat-version.ts';
import type { BlockReason, Judge, Judgement, JudgeScope, QuarantineEntry, QuarantineTarget } from './types.ts';

/** The package checks a proxy runs by default: what can be decided from a record or a file entry. */
export const PROXY_CHECKS = [
  'malicious',
  'vulnerability',
  'cooldown',
  'typosquat',
  'confusion',
  'attestation',
  'sources',
] as const;

/** The checks a channel audit runs, whose stored results a view may reuse. */
export const REUSABLE_CHECKS = ['vulnerability', 'malicious'] as const;

/**
 * Earlier results of the REUSABLE_CHECKS for an upstream's packages (a channel audit's state): the
 * packages of a batch those checks are known to find nothing in, under the given threat-data stamp
 * (threatDataVersion). Anything it cannot prove (no result, other data, an error) leaves a package
 * out, and the engine checks it.
 */
export interface StoredResults {
  clean(packages: readonly Package[], threat: string): ReadonlySet<Package>;
}

/** Cooldown for one upstream, in pixi's terms: a cutoff for all, per-package cutoffs, exemptions. */
export interface UpstreamCooldown {
  excludeNewer?: string;
  packages?: ReadonlyMap<string, string>;
  /** Package name → exempted spec (`*` or a version spec). */
  exemptions?: ReadonlyMap<string, string>;
}

/** The quarantine list as a node sees it (kept current by the state watcher). */
export interface QuarantineView {
  readonly revision: number;
  matches(target: QuarantineTarget): QuarantineEntry[];
  /** Ids of the entries in force at `now`, sorted (an expiry changes them without a new revision). */
  activeIds?(now: Date): string[];
}

export interface EngineJudgeOptions {
  engine: Engine;
  policy: Policy;
  /** Identifies the policy's content (sha256 of the file), for versions and ETags. */
  policyDigest: string;
  /** The threat data the engine reads; its feeds' import stamps go into the version. */
  intel: IntelStore;
  quarantine: QuarantineView;
  cooldown: ReadonlyMap<string, UpstreamCooldown>;
  /** Check ids to run (default: PROXY_CHECKS the policy enables). */
  checks?: readonly string[];
  /** Decisions that depend on the time are taken at the start of a bucket of this length. */
  bucketMs: number;
  offline: boolean;
  clock?: () => Date;
  /** Where the policy file lives, for messages. */
  policySource?: string;
  /** Per upstream name: stored results of the REUSABLE_CHECKS, so the engine runs them only on the rest. */
  storedResults?: ReadonlyMap<string, StoredResults>;
}

export function createEngineJudge(options: EngineJudgeOptions): Judge {
  const clock = options.clock ?? (() => new Date());
  const checks = options.checks ?? PROXY_CHECKS.filter((id) => options.policy.checks.get(id)?.enabled !== false);
  const stableChecks = checks.filter((id) => !TIME_CHECKS.has(id));
  const timeChecks = checks.filter((id) => TIME_CHECKS.has(id));
  let generation: Generation | undefined;

  // Time enters a decision through cooldown (a release leaves it), quarantine expiry and waiver
  // expiry (by day). Views are rebuilt when the time key changes, so it is as coarse as it can be:
  // the cooldown bucket only where a cooldown applies, else the day.
  const timed = (upstream: string) =>
    options.policy.settings.cooldown !== undefined ||
    options.cooldown.get(upstream)?.excludeNewer !== undefined ||
    (options.cooldown.get(upstream)?.packages?.size ?? 0) > 0;
  const timeKey = (upstream: string, now: Date) =>
    timed(upstream) ? `b${Math.floor(now.getTime() / options.bucketMs)}` : `d${now.toISOString().slice(0, 10)}`;
  // which quarantine entries are in force (an expiry changes it without a new revision): once a second
  let active: { at: number; revision: number; digest: string } | undefined;
  const activeDigest = (now: Date) => {
    if (!active || active.revision !== options.quarantine.revision || Math.abs(now.getTime() - active.at) >= 1000) {
      const ids = options.quarantine.activeIds?.(now) ?? [];
      active = {
        at: now.getTime(),
        revision: options.quarantine.revision,
        digest: createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16),
      };
    }
    return active.digest;
  };
  // what identifies the threat data, as a channel audit stamps its results: read at most once a
  // second (every request asks for a version)
  let stamp: { text: string; at: number } | undefined;
  const intelStamp = () => {
    const now = Date.now();
    if (!stamp || now - stamp.at >= 1000) stamp = { text: threatDataVersion(options.intel), at: now };
    return stamp.text;
  };
  const versions = new Map<string, string>();
  const versionAt = (upstream: string, now: Date) => {
    const key = [
      options.policyDigest,
      intelStamp(),
      String(options.quarantine.revision),
      activeDigest(now),
      timeKey(upstream, now),
      upstream,
    ].join('\0');
    let version = versions.get(key);
    if (!version) {
      version = createHash('sha256').update(key).digest('hex').slice(0, 24);
      if (versions.size > 1000) versions.clear();
      versions.set(key, version);
    }
    return version;
  };
  // a view built while the data was fresh must not outlive it: every version asks, once a second
  let freshness: { at: number; error?: unknown } | undefined;
  const assertStillFresh = () => {
    const now = clock();
    if (!freshness || Math.abs(now.getTime() - freshness.at) >= 1000) {
      try {
        assertFresh(options.intel, options.policy.maxDbAgeMs, now);
        freshness = { at: now.getTime() };
      } catch (error) {
        freshness = { at: now.getTime(), error };
      }
    }
    if (freshness.error) throw freshness.error;
  };
  return {
    async version(upstream) {
      assertStillFresh();
      return versionAt(upstream, clock());
    },
    async judge(packages, scope) {
      const now = clock();
      const version = versionAt(scope.upstream, now);
      const blocked = new Map<Package, BlockReason[]>();
      const add = (pkg: Package, reasons: readonly BlockReason[]) => {
        if (reasons.length === 0) return;
        const known = blocked.get(pkg);
        if (known) known.push(...reasons);
        else blocked.set(pkg, [...reasons]);
      };
      for (const pkg of packages) add(pkg, options.quarantine.matches(targetOf(pkg, scope)).map(quarantineReason));
      if (packages.length === 0) return { blocked, version };

      // Checks whose answer depends only on the package, the policy and the threat data are run once
      // per package and remembered: a view rebuilt for a quarantine or a cooldown bucket re-runs only
      // the time-dependent checks, so a 450k-record subdir is not re-audited every minute.
      const generation = stableGeneration(now);
      if (generation.failure) throw generation.failure;
      const unknown = packages.filter((pkg) => !generation.decided.has(identityOf(pkg, scope)));
      if (unknown.length > 0 && stableChecks.length > 0) {
        let found: Map<Package, BlockReason[]>;
        try {
          found = await runStableChecks(unknown, scope);
        } catch (error) {
          // a policy-level failure (an expired waiver, a requirement no check enforces) holds for
          // every package under this policy and data: the cached decisions must not hide it
          if (isCvebuildError(error)) generation.failure = error;
          throw error;
        }
        if (generation.decided.size + unknown.length > MAX_REMEMBERED) generation.decided.clear();
        for (const pkg of unknown) generation.decided.set(identityOf(pkg, scope), found.get(pkg) ?? NONE);
      }
      for (const pkg of packages) add(pkg, generation.decided.get(identityOf(pkg, scope)) ?? []);
      if (timeChecks.length > 0 && timed(scope.upstream)) {
        for (const [pkg, reasons] of await runChecks(packages, scope, timeChecks, true)) add(pkg, reasons);
      }
      return { blocked, version } satisfies Judgement;
    },
  };

  /** The stable decisions for the current policy, threat data and day (waivers expire by day). */
  function stableGeneration(now: Date): Generation {
    const key = [options.policyDigest, intelStamp(), now.toISOString().slice(0, 10)].join('\0');
    if (generation?.key !== key) generation = { key, decided: new Map() };
    return generation;
  }

  /**
   * The stable checks over a batch. Packages an upstream's stored results prove clean under the
   * threat data read now are not given to the REUSABLE_CHECKS (every other check, and the policy,
   * still see them); should the data change during the run, the run is done again without them.
   */
  async function runStableChecks(
    packages: readonly Package[],
    scope: JudgeScope,
  ): Promise<Map<Package, BlockReason[]>> {
    const stored = options.storedResults?.get(scope.upstream);
    const reusable = stableChecks.filter((id) => (REUSABLE_CHECKS as readonly string[]).includes(id));
    if (!stored || reusable.length === 0) return runChecks(packages, scope, stableChecks, false);
    const threat = threatDataVersion(options.intel);
    const clean = stored.clean(packages, threat);
    if (clean.size === 0) return runChecks(packages, scope, stableChecks, false);
    const found = await runChecks(packages, scope, stableChecks, false, { checks: reusable, packages: clean });
    if (threatDataVersion(options.intel) === threat) return found;
    return runChecks(packages, scope, stableChecks, false);
  }

  /** One engine run over a batch: the packages its blocking findings name, with why. */
  async function runChecks(
    packages: readonly Package[],
    scope: JudgeScope,
    checkIds: readonly string[],
    timeOnly: boolean,
    skip?: { checks: readonly string[]; packages: ReadonlySet<Package> },
  ): Promise<Map<Package, BlockReason[]>> {
    // each package's origin names its place in the batch, so a finding leads back to it
    const batch = packages.map((pkg, index) => ({
      ...pkg,
      environments: [],
      origin: { file: `${scope.upstream}`, line: index + 1 },
    }));
    const inventory = inventoryFromPackages(batch, { environment: scope.upstream });
    inventory.manifest = {
      ...emptyManifest(),
      excludeNewer: excludeNewerOf(options.cooldown.get(scope.upstream), scope),
    };
    const result = await options.engine.audit(
      {
        inventory,
        policy: options.policy,
        checks: checkIds,
        offline: options.offline,
        ...(skip ? { skip: inventorySkip(skip, packages, inventory.packages) } : {}),
      },
      { signal: scope.signal },
    );
    const found = new Map<Package, BlockReason[]>();
    const bySubject = subjectIndex(packages);
    const byNameVersion = nameVersionIndex(packages);
    for (const finding of result.findings) {
      if (!finding.blocking) continue;
      // the policy's own findings are the stable run's to report (when there is one)
      if (timeOnly && stableChecks.length > 0 && finding.check === 'policy') continue;
      const line = finding.location?.file === scope.upstream ? finding.location.line : undefined;
      const owners =
        line !== undefined
          ? [packages[line - 1]]
          : finding.subject
            ? (bySubject.get(subjectKey(finding)) ?? [])
            : namedIn(finding, byNameVersion);
      const known = owners.filter((pkg): pkg is Package => pkg !== undefined);
      if (known.length === 0) throw cannotJudge(finding, options.policySource);
      for (const pkg of known) {
        const reasons = found.get(pkg);
        if (reasons) reasons.push(findingReason(finding, pkg));
        else found.set(pkg, [findingReason(finding, pkg)]);
      }
    }
    return found;
  }
}

/** The skip sets over the inventory's copies of the packages (each copy's origin line is its place in the batch). */
function inventorySkip(
  skip: { checks: readonly string[]; packages: ReadonlySet<Package> },
  packages: readonly Package[],
  copies: readonly Package[],
): Map<string, ReadonlySet<Package>> {
  const skipped = new Set(
    copies.filter((copy) => {
      const line = copy.origin?.line;
      return line !== undefined && skip.packages.has(packages[line - 1] as Package);
    }),
  );
  return new Map(skip.checks.map((id) => [id, skipped]));
}

/** Checks whose findings change with the clock alone. */
const TIME_CHECKS = new Set(['cooldown']);
/** Stable decisions remembered per generation (about 100 bytes each); past this the memory starts over. */
const MAX_REMEMBERED = 2_000_000;
const NONE: readonly BlockReason[] = [];

interface Generation {
  key: string;
  decided: Map<string, readonly BlockReason[]>;
  failure?: CvebuildError;
}

/**
 * What makes a package the same package to the stable checks: its upstream, its file name and its
 * bytes' digest (short keys: a conda-forge subdir remembers ~450k of them), else its location.
 */
function identityOf(pkg: Package, scope: JudgeScope): string {
  const location = pkg.url ?? pkg.location;
  if (!pkg.sha256) return `${scope.upstream}\0${location}\0${pkg.timestamp ?? ''}`;
  return `${scope.upstream}\0${location.slice(location.lastIndexOf('/') + 1)}\0${pkg.sha256}`;
}

function targetOf(pkg: Package, scope: JudgeScope): QuarantineTarget {
  return {
    ecosystem: pkg.ecosystem,
    upstream: scope.upstream,
    name: pkg.normalizedName,
    version: pkg.version,
    file: fileNameOf(pkg.url ?? pkg.location),
  };
}

function fileNameOf(location: string): string {
  const path = location.split(/[?#]/, 1)[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

function quarantineReason(entry: QuarantineEntry): BlockReason {
  const what = entry.file ?? (entry.version ? `${entry.name} ${entry.version}` : entry.name);
  const until = entry.expiresAt ? ` until ${entry.expiresAt}` : '';
  return {
    source: 'quarantine',
    id: entry.id,
    message: `${what} quarantined by ${entry.by}${until}: ${entry.reason}`,
  };
}

function findingReason(finding: Finding, pkg: Package): BlockReason {
  const until = finding.check === 'cooldown' ? cooldownEnd(finding) : undefined;
  return {
    source: finding.check,
    id: finding.rule,
    message: `${pkg.name} ${pkg.version}: ${finding.message}`,
    ...(until !== undefined ? { until } : {}),
  };
}

/** When a too-new package leaves cooldown (a relative window: its time plus the window). */
function cooldownEnd(finding: Finding): number | undefined {
  const leaves = (finding.evidence as { leavesWindowAt?: unknown }).leavesWindowAt;
  const at = typeof leaves === 'string' ? Date.parse(leaves) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}

function subjectIndex(packages: readonly Package[]): Map<string, Package[]> {
  const index = new Map<string, Package[]>();
  for (const pkg of packages) {
    const key = [pkg.ecosystem, pkg.name, pkg.version, pkg.build ?? '', pkg.platform].join('\0');
    const list = index.get(key);
    if (list) list.push(pkg);
    else index.set(key, [pkg]);
  }
  return index;
}

/** `name version` → packages, for findings that name several packages (what a check could not look at). */
function nameVersionIndex(packages: readonly Package[]): Map<string, Package[]> {
  const index = new Map<string, Package[]>();
  for (const pkg of packages) {
    const key = `${pkg.name} ${pkg.version}`;
    const list = index.get(key);
    if (list) list.push(pkg);
    else index.set(key, [pkg]);
  }
  return index;
}

/**
 * The packages a subject-less finding lists in `evidence.packages` (`name version`): a check that
 * could not look at them (no advisories for their ecosystem). They are withheld one by one, as the
 * gate would fail on them, rather than the whole upstream refused.
 */
function namedIn(finding: Finding, index: Map<string, Package[]>): Package[] {
  const listed = finding.evidence.packages;
  if (!Array.isArray(listed)) return [];
  return listed.flatMap((entry) => (typeof entry === 'string' ? (index.get(entry) ?? []) : []));
}

function subjectKey(finding: Finding): string {
  const subject = finding.subject;
  if (!subject) return '';
  return [subject.ecosystem, subject.name, subject.version, subject.build ?? '', subject.platform ?? ''].join('\0');
}

/** A blocking finding about no package of the batch (a check that failed, a policy requirement). */
function cannotJudge(finding: Finding, policySource: string | undefined): CvebuildError {
  const where = policySource ? ` (policy ${policySource})` : '';
  return new CvebuildError('USAGE', `cannot judge packages${where}: ${finding.check}: ${finding.message}`);
}

function excludeNewerOf(cooldown: UpstreamCooldown | undefined, scope: JudgeScope): ExcludeNewer {
  const origin = { file: `proxy config: ${scope.upstream}` };
  const setting = (value: string) => ({ value, origin });
  const packages = new Map([...(cooldown?.packages ?? [])].map(([name, value]) => [name, setting(value)]));
  const exemptions = new Map(cooldown?.exemptions ?? []);
  const workspace = cooldown?.excludeNewer === undefined ? undefined : setting(cooldown.excludeNewer);
  const conda = scope.ecosystem === 'conda';
  return {
    ...(conda && workspace ? { workspace } : {}),
    ...(!conda && workspace ? { pypiWorkspace: workspace } : {}),
    channels: new Map(),
    packages: conda ? packages : new Map(),
    pypiPackages: conda ? new Map() : packages,
    exemptions: conda ? exemptions : new Map(),
    pypiExemptions: conda ? new Map() : exemptions,
  };
}
