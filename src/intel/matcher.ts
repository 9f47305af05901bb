/**
 * Matching an inventory package against the store: every advisory that affects one of the
 * package's targets (see mapping/resolve.ts), grouped so that records describing the same issue
 * under different ids (MAL ↔ PYSEC ↔ GHSA ↔ CVE, linked by aliases in either direction) make one
 * finding. Results are cached per target and version: the same artifact sits on many platforms.
 */
import { targetsFor, whyUnmapped } from '../mapping/resolve.ts';
import type { UpstreamTarget } from '../mapping/types.ts';
import type { Package } from '../model/package.ts';
import type { Advisory, AffectedEcosystem, AffectedPackage, KevEntry, PlatformFamily } from './model.ts';
import { decidingEntries, overruledByVendor } from './precedence.ts';
import { type AffectedMatch, isAffected, isAffectedMatch } from './ranges.ts';
import { fixedVersions, safeVersion } from './safe-version.ts';
import type { IntelStore, StoreHoldings } from './store-api.ts';

export interface AdvisoryHit {
  advisory: Advisory;
  entry: AffectedPackage;
  match: AffectedMatch;
}

export interface MatchGroup {
  /** The id shown: MAL over GHSA over PYSEC over CVE over others. */
  id: string;
  /** Every other id and alias of the group, sorted. */
  aliases: string[];
  hits: AdvisoryHit[];
  malicious: boolean;
  target: UpstreamTarget;
  kev: KevEntry[];
  fixed: string[];
  /** Lowest version ≥ the current one that no known advisory for the target affects. */
  safeVersion?: string;
}

/** An advisory that could not say whether the version is affected: reported, never guessed. */
export interface Undecided {
  target: UpstreamTarget;
  advisoryId: string;
  reason: 'unparseable' | 'unknown-range';
}

interface Deciding {
  advisory: Advisory;
  entries: AffectedPackage[];
}

/** What decides for one name on one platform, whatever the version: the advisories, all their entries, and which candidate fixes escape them all. */
interface DecidingSet {
  deciding: Deciding[];
  entries: AffectedPackage[];
  safe: Map<string, boolean>;
}

/** What matching needs of a package beyond its platform: the same for each of its platforms. */
interface Identity {
  targets: UpstreamTarget[];
  unmapped?: string;
}

export interface PackageMatches {
  groups: MatchGroup[];
  undecided: Undecided[];
}

export class AdvisoryMatcher {
  private readonly advisoryCache = new Map<string, Advisory[]>();
  private readonly resultCache = new Map<string, { groups: MatchGroup[]; undecided: Undecided[] }>();
  /** Every check of an audit asks about every package: answer each package once. */
  private readonly packageCache = new Map<Package, PackageMatches>();
  private readonly nameMapCache = new Map<string, string[] | undefined>();
  private readonly store: IntelStore;

  constructor(store: IntelStore) {
    this.store = store;
  }

  #holdings: StoreHoldings | undefined;

  /** What kinds of data the store holds, asked once per audit. */
  holdings(): StoreHoldings {
    this.#holdings ??= this.store.holdings();
    return this.#holdings;
  }

  /**
   * Ask the store about every name of an inventory in two queries instead of one per name (the
   * audit of a 4,000-record lock would otherwise spend most of its time in SQLite round trips).
   */
  prefetch(packages: readonly Package[]): void {
    const condaNames = [
      ...new Set(packages.filter((pkg) => pkg.ecosystem === 'conda').map((pkg) => pkg.normalizedName)),
    ];
    const known = this.store.pypiNamesForCondaMany(condaNames);
    for (const name of condaNames) if (!this.nameMapCache.has(name)) this.nameMapCache.set(name, known.get(name));
    const wanted = new Map<AffectedEcosystem, Set<string>>();
    for (const pkg of packages) {
      for (const target of this.targetsOf(pkg)) {
        const names = wanted.get(target.ecosystem) ?? new Set<string>();
        names.add(target.normalizedName);
        wanted.set(target.ecosystem, names);
      }
    }
    for (const [ecosystem, wantedNames] of wanted) {
      const names = [...wantedNames].filter((name) => !this.advisoryCache.has(`${ecosystem}\u0000${name}`));
      const found = this.store.advisoriesForMany(ecosystem, names);
      for (const name of names) this.advisoryCache.set(`${ecosystem}\u0000${name}`, found.get(name) ?? []);
    }
  }

  /** Per package: its identity's targets, and why it has none (worked out on first ask). */
  private readonly targetCache = new Map<Package, Identity>();
  private readonly identities = new Map<string, Identity>();

  private identityOf(pkg: Package): Identity {
    let identity = this.targetCache.get(pkg);
    if (!identity) {
      // The same artifact sits on every platform of a lock, as a separate Package each time.
      const key = identityKey(pkg);
      identity = this.identities.get(key);
      if (!identity) {
        identity = { targets: targetsFor(pkg, this.nameMap) };
        this.identities.set(key, identity);
      }
      this.targetCache.set(pkg, identity);
    }
    return identity;
  }

  /** A package's targets (what its advisories are filed under), worked out once: prefetch, match and coverage need them. */
  targetsOf(pkg: Package): UpstreamTarget[] {
    return this.identityOf(pkg).targets;
  }

  /** Why a package has no targets (so no advisory can be looked up for it); undefined when it has some. */
  unmappedReason(pkg: Package): string | undefined {
    const identity = this.identityOf(pkg);
    if (identity.targets.length > 0) return undefined;
    identity.unmapped ??= whyUnmapped(pkg, this.holdings().nameMap);
    return identity.unmapped;
  }

  /** The same conda name sits on every platform of a lock: ask the store once per name. */
  private readonly nameMap = (condaName: string): string[] | undefined => {
    if (this.nameMapCache.has(condaName)) return this.nameMapCache.get(condaName);
    const names = this.store.pypiNamesForConda(condaName);
    this.nameMapCache.set(condaName, names);
    return names;
  };

  match(pkg: Package): PackageMatches {
    const cached = this.packageCache.get(pkg);
    if (cached) return cached;
    const result = this.matchUncached(pkg);
    this.packageCache.set(pkg, result);
    return result;
  }

  private matchUncached(pkg: Package): PackageMatches {
    const targets = this.targetsOf(pkg);
    if (targets.length === 0) return { groups: [], undecided: [] };
    const family = platformFamily(pkg.platform);
    const results = targets.map((target) => this.matchTargetCached(target, family));
    // one target's groups are distinct already (alias groups are disjoint); copies keep the cache unshared
    if (results.length === 1) {
      const [only] = results as [PackageMatches];
      return { groups: [...only.groups], undecided: [...only.undecided] };
    }
    return {
      groups: mergeAcrossTargets(results.flatMap((result) => result.groups)),
      undecided: results.flatMap((result) => result.undecided),
    };
  }

  private matchTargetCached(target: UpstreamTarget, family: PlatformFamily | undefined): PackageMatches {
    // the answer depends on the platform only where an entry is limited to some: ask once per version otherwise
    const asked = this.limitedByPlatform(target) ? family : undefined;
    const key = `${target.ecosystem}\u0000${target.normalizedName}\u0000${target.version}\u0000${asked ?? ''}`;
    let result = this.resultCache.get(key);
    if (!result) {
      result = this.matchTarget(target, asked);
      this.resultCache.set(key, result);
    }
    return result;
  }

  private readonly platformLimited = new Map<string, boolean>();

  /** Whether any advisory entry for the target applies to some operating systems only. */
  private limitedByPlatform(target: UpstreamTarget): boolean {
    const key = `${target.ecosystem}\u0000${target.normalizedName}`;
    let limited = this.platformLimited.get(key);
    if (limited === undefined) {
      limited = this.advisoriesFor(target).some((advisory) =>
        advisory.affected.some(
          (entry) =>
            entry.platforms !== undefined &&
            entry.ecosystem === target.ecosystem &&
            entry.normalizedName === target.normalizedName,
        ),
      );
      this.platformLimited.set(key, limited);
    }
    return limited;
  }

  private advisoriesFor(target: UpstreamTarget): Advisory[] {
    const key = `${target.ecosystem}\u0000${target.normalizedName}`;
    let advisories = this.advisoryCache.get(key);
    if (!advisories) {
      advisories = this.store.advisoriesFor(target.ecosystem, target.normalizedName);
      this.advisoryCache.set(key, advisories);
    }
    return advisories;
  }

  private readonly decidingCache = new Map<string, DecidingSet>();

  /**
   * The target's advisories, each with the entries that decide for it, less those a vendor overrules.
   * They depend on the name and platform, not on the version: worked out once for every version asked.
   */
  private decidingFor(target: UpstreamTarget, family: PlatformFamily | undefined): DecidingSet {
    const key = `${target.ecosystem}\u0000${target.normalizedName}\u0000${family ?? ''}`;
    let set = this.decidingCache.get(key);
    if (!set) {
      const all = this.advisoriesFor(target).map((advisory) => {
        const own = advisory.affected.filter(
          (entry) =>
            entry.ecosystem === target.ecosystem &&
            entry.normalizedName === target.normalizedName &&
            // an entry limited to other operating systems does not apply; an unknown platform keeps it
            (family === undefined || entry.platforms === undefined || entry.platforms.includes(family)),
        );
        // one CVE, one product, several sources that disagree: the highest-ranked one with a range decides
        return { advisory, entries: decidingEntries(advisory, own) };
      });
      const overruled = overruledByVendor(all);
      const deciding = all.filter(({ advisory }) => !overruled.has(advisory));
      set = { deciding, entries: deciding.flatMap(({ entries }) => entries), safe: new Map() };
      this.decidingCache.set(key, set);
    }
    return set;
  }

  private matchTarget(
    target: UpstreamTarget,
    family: PlatformFamily | undefined,
  ): { groups: MatchGroup[]; undecided: Undecided[] } {
    const { deciding, entries, safe: safeMemo } = this.decidingFor(target, family);
    if (deciding.length === 0) return { groups: [], undecided: [] };
    const hits: AdvisoryHit[] = [];
    const undecided: Undecided[] = [];
    for (const { advisory, entries: decidingOnes } of deciding) {
      for (const entry of decidingOnes) {
        const verdict = isAffected(target.version, entry);
        if (isAffectedMatch(verdict)) hits.push({ advisory, entry, match: verdict });
        else if (verdict) undecided.push({ target, advisoryId: advisory.id, reason: verdict.undecided });
      }
    }
    // An advisory that affects the version through another entry is decided.
    const decided = new Set(hits.map(({ advisory }) => advisory.id));
    const seen = new Set<string>();
    // one per advisory and reason: a CVE whose sources all name the product without a range is one question
    const open = undecided.filter((item) => {
      const key = `${item.advisoryId}\u0000${item.reason}`;
      if (decided.has(item.advisoryId) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (hits.length === 0) return { groups: [], undecided: open };
    const scheme = hits[0]?.entry.scheme ?? 'pep440';
    const safe = safeVersion(target.version, entries, scheme, safeMemo);
    const groups = groupByAlias(hits).map((group) =>
      this.describe(group, target, 'version' in safe ? safe.version : undefined),
    );
    return { groups, undecided: open };
  }

  private readonly kevCache = new Map<string, KevEntry | null>();

  /** The store's KEV entries for these CVEs, each looked up once per audit (groups on many targets share CVEs). */
  private kevFor(cveIds: readonly string[]): KevEntry[] {
    const unknown = cveIds.filter((id) => !this.kevCache.has(id));
    if (unknown.length > 0) {
      const found = new Map(this.store.kevFor(unknown).map((entry) => [entry.cveId, entry]));
      for (const id of unknown) this.kevCache.set(id, found.get(id) ?? null);
    }
    const entries: KevEntry[] = [];
    for (const id of [...new Set(cveIds)].sort()) {
      const entry = this.kevCache.get(id);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  private describe(hits: AdvisoryHit[], target: UpstreamTarget, safe: string | undefined): MatchGroup {
    const ids = new Set<string>();
    for (const { advisory } of hits) {
      ids.add(advisory.id);
      for (const alias of advisory.aliases) ids.add(alias);
    }
    const id = [...ids].sort(byIdPreference)[0] ?? hits[0]?.advisory.id ?? '';
    const fixed = new Set<string>();
    for (const { entry } of hits) for (const version of fixedVersions(entry)) fixed.add(version);
    return {
      id,
      aliases: [...ids].filter((other) => other !== id).sort(),
      hits,
      malicious: hits.some(({ advisory }) => advisory.kind === 'malicious'),
      target,
      kev: this.kevFor([...ids].filter((other) => other.startsWith('CVE-'))),
      fixed: [...fixed],
      safeVersion: safe,
    };
  }
}

/**
 * What targets depend on, as one string. Each field is prefixed by its length, which keeps the
 * fields apart whatever a hostile lock writes in them (a NUL in a name or purl) without the cost of
 * JSON-encoding every package.
 */
function identityKey(pkg: Package): string {
  let key = `${pkg.ecosystem}${pkg.purlsKnown === true ? '+' : '-'}${pkg.normalizedName.length}:${pkg.normalizedName}${pkg.version.length}:${pkg.version}`;
  for (const purl of pkg.purls) key += `${purl.length}:${purl}`;
  return key;
}

/** The operating system of a conda subdir (`noarch` and anything unknown: undefined). */
function platformFamily(platform: string): PlatformFamily | undefined {
  const prefix = platform.split('-', 1)[0];
  return prefix === 'win' || prefix === 'osx' || prefix === 'linux' ? prefix : undefined;
}

/** Connected components of the "same issue" relation: ids and aliases shared in either direction. */
function groupByAlias(hits: AdvisoryHit[]): AdvisoryHit[][] {
  const parent = hits.map((_, index) => index);
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root] ?? root;
    parent[index] = root;
    return root;
  };
  const owner = new Map<string, number>();
  hits.forEach(({ advisory }, index) => {
    for (const id of [advisory.id, ...advisory.aliases]) {
      const other = owner.get(id);
      if (other === undefined) owner.set(id, index);
      else parent[find(index)] = find(other);
    }
  });
  const groups = new Map<number, AdvisoryHit[]>();
  hits.forEach((hit, index) => {
    const root = find(index);
    const group = groups.get(root);
    if (group) group.push(hit);
    else groups.set(root, [hit]);
  });
  return [...groups.values()];
}

/** One package reached through two targets (purl and name map) can hit the same issue twice. */
function mergeAcrossTargets(groups: MatchGroup[]): MatchGroup[] {
  const byId = new Map<string, MatchGroup>();
  for (const group of groups) if (!byId.has(group.id)) byId.set(group.id, group);
  return [...byId.values()];
}

const ID_PREFERENCE = ['MAL-', 'GHSA-', 'PYSEC-', 'CVE-'];

function byIdPreference(a: string, b: string): number {
  const rank = (id: string) => {
    const index = ID_PREFERENCE.findIndex((prefix) => id.startsWith(prefix));
    return index === -1 ? ID_PREFERENCE.length : index;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
