/**
 * NVD CVE API 2.0 records (a bare `cve` object, or the API response `{vulnerabilities:[{cve}]}`) →
 * Advisory (id = the CVE id, feed `nvd`) with one `upstream` affected entry per tracked product, found
 * by the CPE `vendor:product` pairs of data/conda-native.json. Application CPEs only (`cpe:2.3:a:`).
 *
 * Ranges: versionStartIncluding S → introduced S; versionEndExcluding E → fixed E; versionEndIncluding
 * E → last_affected E; no start → introduced 0; a concrete CPE version → `versions: [v]`.
 * Only `vulnerable: true` matches of application CPEs count: `cpe:2.3:o:` (operating systems) and the
 * `vulnerable: false` conditions of an AND configuration (running on Windows, inside a host
 * application) never make a product affected; negated nodes are skipped.
 * versionStartExcluding S has no OSV equivalent (OSV has no exclusive start): it becomes introduced S,
 * so the single release S is over-reported (fail closed) and the import notes it.
 *
 * A record without configurations yet (`vulnStatus: Received`, e.g. libxml2 CVE-2024-25062) is stored
 * with no affected entries (for id and KEV joins) and counted as skipped; a record whose
 * configurations name only products cvebuild does not track is skipped.
 *
 * A product whose conda packages do not ship the component the description names (zlib's
 * contrib/minizip) is left out of the record; a record left with no product is skipped with that reason.
 */
import type { ErrorLocation } from '../../errors.ts';
import { type NativeProduct, nativeProductForCpe } from '../../mapping/native.ts';
import type { Advisory, AffectedPackage, AffectedRange, FeedName, PlatformFamily, RangeEvent } from '../model.ts';
import { nvdSeverity } from '../severity.ts';
import { withoutUnshippedComponents } from './components.ts';
import { cweIds, referenceUrls, summarize } from './fields.ts';
import type { LocatedRecord } from './osv.ts';
import { advisoryImport, type PreparedImport } from './prepared.ts';
import { asArray, asString, feedInvalid, isObject, type Json } from './source.ts';

export function isNvdCve(value: unknown): value is Json {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.id.startsWith('CVE-') &&
    ('lastModified' in value || 'vulnStatus' in value || 'sourceIdentifier' in value)
  );
}

export function isNvdApiResponse(value: unknown): value is Json {
  if (!isObject(value) || !Array.isArray(value.vulnerabilities)) return false;
  const [first] = value.vulnerabilities;
  return isObject(first) ? isObject(first.cve) : 'totalResults' in value;
}

/** The `cve` objects of an API response, located by index. */
export function nvdApiRecords(response: Json, path: string): LocatedRecord[] {
  return asArray(response.vulnerabilities).map((item, index) => ({
    value: isObject(item) ? item.cve : undefined,
    location: { file: path, key: `vulnerabilities[${index}].cve` },
  }));
}

export function prepareNvdRecords(records: Iterable<LocatedRecord>, feed: FeedName | undefined): PreparedImport {
  return advisoryImport((sink) => {
    let count = 0;
    let startExcluding = 0;
    for (const { value, location } of records) {
      count++;
      const converted = normalizeNvdCve(value, feed ?? 'nvd', location);
      startExcluding += converted.startExcluding;
      if (converted.skip) sink.skip(converted.skip, converted.advisory.id);
      if (converted.store) sink.add(converted.advisory);
    }
    const note = {
      reason: 'versionStartExcluding imported as an inclusive start (that one release is over-reported)',
      count: startExcluding,
      examples: [],
      unit: 'CPE bound',
    };
    return { feed: feed ?? 'nvd', records: count, notes: startExcluding === 0 ? [] : [note] };
  });
}

interface Converted {
  advisory: Advisory;
  store: boolean;
  skip?: string;
  startExcluding: number;
}

function normalizeNvdCve(cve: unknown, feed: FeedName, location: ErrorLocation): Converted {
  if (!isNvdCve(cve)) throw feedInvalid('not an NVD CVE record (needs `id` CVE-… and `lastModified`)', location);
  const id = cve.id as string;
  const modified = asString(cve.lastModified) ?? asString(cve.published);
  if (!modified) throw feedInvalid(`${id} has no \`lastModified\``, location);
  const published = asString(cve.published);
  const description = asArray(cve.descriptions)
    .filter(isObject)
    .find((entry) => entry.lang === 'en')?.value;
  const summary = summarize(description);
  const configurations = asArray(cve.configurations);
  const matched = affectedProducts(configurations);
  const { startExcluding } = matched;
  const { kept: affected, unshipped } = withoutUnshippedComponents(matched.affected, asString(description) ?? '');
  const advisory: Advisory = {
    id,
    aliases: [],
    kind: 'vulnerability',
    ...(summary === undefined ? {} : { summary }),
    ...(published === undefined ? {} : { published }),
    modified,
    ...(cve.vulnStatus === 'Rejected' ? { withdrawn: modified } : {}),
    severity: nvdSeverity(cve.metrics),
    cwes: cweIds(
      ...asArray(cve.weaknesses)
        .filter(isObject)
        .flatMap((weakness) => asArray(weakness.description).filter(isObject))
        .map((description) => description.value),
    ),
    affected,
    references: referenceUrls(cve.references),
    feed,
  };
  if (configurations.length === 0) {
    const status = asString(cve.vulnStatus);
    return {
      advisory,
      store: true,
      skip: `no CPE configuration yet${status ? ` (vulnStatus ${status})` : ''}: stored without affected entries`,
      startExcluding,
    };
  }
  if (affected.length === 0 && unshipped) return { advisory, store: false, skip: unshipped, startExcluding };
  if (affected.length === 0) {
    return { advisory, store: false, skip: 'no CPE of a product cvebuild tracks', startExcluding };
  }
  return { advisory, store: true, startExcluding };
}

interface CpeMatch {
  product: NativeProduct;
  platforms?: PlatformFamily[];
  range?: AffectedRange;
  version?: string;
  startExcluding: boolean;
}

function affectedProducts(configurations: unknown[]): { affected: AffectedPackage[]; startExcluding: number } {
  const matches = configurations
    .filter(isObject)
    .filter((configuration) => configuration.negate !== true)
    .flatMap((configuration) => {
      // a negated node says "not this": it never makes a product affected
      const nodes = asArray(configuration.nodes)
        .filter(isObject)
        .filter((node) => node.negate !== true);
      const platforms = configuration.operator === 'AND' ? platformCondition(nodes) : undefined;
      return (
        nodes
          .flatMap((node) => asArray(node.cpeMatch).filter(isObject))
          // in an AND configuration the other nodes (a platform, a host application) are conditions,
          // marked `vulnerable: false`: only the vulnerable matches name an affected product
          .filter((match) => match.vulnerable === true)
          .flatMap(cpeMatch)
          .map((match) => (platforms ? { ...match, platforms } : match))
      );
    });
  const byProduct = new Map<string, AffectedPackage>();
  for (const match of matches) {
    const { product } = match;
    const key = `${product.product}\u0000${match.platforms?.join(',') ?? ''}`;
    let entry = byProduct.get(key);
    if (!entry) {
      entry = {
        ecosystem: 'upstream',
        name: product.product,
        normalizedName: product.product.toLowerCase(),
        scheme: product.scheme,
        ranges: [],
        versions: [],
        source: 'nvd',
        ...(match.platforms ? { platforms: match.platforms } : {}),
      };
      byProduct.set(key, entry);
    }
    if (match.version !== undefined && !entry.versions.includes(match.version)) entry.versions.push(match.version);
    const range = match.range;
    if (range && !entry.ranges.some((known) => JSON.stringify(known) === JSON.stringify(range)))
      entry.ranges.push(range);
  }
  return {
    affected: [...byProduct.values()],
    startExcluding: matches.filter((match) => match.startExcluding).length,
  };
}

/** Operating-system CPEs (`vendor:product` prefixes) and the conda platform family each stands for. */
const OS_FAMILIES: readonly [prefix: string, family: PlatformFamily][] = [
  ['microsoft:windows', 'win'],
  ['apple:mac_os', 'osx'],
  ['apple:macos', 'osx'],
  ['linux:linux_kernel', 'linux'],
];

/**
 * The platforms an AND configuration limits its vulnerable products to, when its conditions are
 * operating systems only (curl on Windows CE, Node.js on Windows): `['win']`. Any other condition (a
 * host application, hardware) cannot be checked against a conda package, so the products stay
 * unconditional: over-reported rather than missed.
 */
function platformCondition(nodes: Json[]): PlatformFamily[] | undefined {
  const conditions = nodes
    .flatMap((node) => asArray(node.cpeMatch).filter(isObject))
    .filter((match) => match.vulnerable !== true)
    .map((match) => asString(match.criteria) ?? '');
  if (conditions.length === 0) return undefined;
  const families = new Set<PlatformFamily>();
  for (const criteria of conditions) {
    const [prefix, , part, vendor, product] = cpeFields(criteria);
    if (prefix !== 'cpe' || part !== 'o') return undefined;
    const family = OS_FAMILIES.find(([name]) => `${vendor}:${product}`.startsWith(name))?.[1];
    if (!family) return undefined;
    families.add(family);
  }
  return [...families].sort();
}

/** CPE 2.3 formatted string fields; `\:` escapes a colon inside a field. */
function cpeFields(criteria: string): string[] {
  return criteria.split(/(?<!\\):/).map((field) => field.replace(/\\(.)/g, '$1'));
}

const ANY = new Set(['*', '-', '']);

function cpeMatch(match: Json): CpeMatch[] {
  const criteria = asString(match.criteria);
  if (!criteria) return [];
  const [prefix, , part, vendor, productName, version, update] = cpeFields(criteria);
  if (prefix !== 'cpe' || part !== 'a' || !vendor || !productName) return [];
  const product = nativeProductForCpe(vendor, productName);
  if (!product) return [];
  if (version !== undefined && !ANY.has(version)) {
    const exact = update !== undefined && !ANY.has(update) ? `${version}-${update}` : version;
    return [{ product, version: exact, startExcluding: false }];
  }
  const startIncluding = asString(match.versionStartIncluding);
  const startExcluding = asString(match.versionStartExcluding);
  const endExcluding = asString(match.versionEndExcluding);
  const endIncluding = asString(match.versionEndIncluding);
  const events: RangeEvent[] = [{ introduced: startIncluding ?? startExcluding ?? '0' }];
  if (endExcluding) events.push({ fixed: endExcluding });
  else if (endIncluding) events.push({ last_affected: endIncluding });
  return [
    {
      product,
      range: { type: 'ECOSYSTEM', events },
      startExcluding: startIncluding === undefined && startExcluding !== undefined,
    },
  ];
}
