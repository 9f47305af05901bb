/**
 * CVE JSON 5 records → Advisory (id = the CVE id) for the C/C++ products cvebuild tracks.
 * - OpenSSL's own records (openssl/release-metadata secjson) are feed `openssl`: one
 *   `{version, lessThan}` per release branch becomes an ECOSYSTEM range introduced/fixed
 *   (`lessThanOrEqual` → last_affected), compared with OpenSSL's letter-release ordering.
 * - Other CNAs' records are feed `cve5` (CVE List V5). Their CNA container's entries are `source: cna`,
 *   their ADP containers' (CISA "Vulnrichment": ranges and `cpes` where the CNA gave none) `source:
 *   adp`; the store merges them with the vendor's and NVD's statements of the same CVE and the matcher
 *   ranks them last (intel/precedence.ts). An entry naming a tracked product without any usable
 *   version is kept with no ranges: the CVE is then undecided, not dropped. Distribution package
 *   versions (`versionType` rpm/deb…) are ignored. Their `affected[]` styles vary: exact
 *   versions (xz), one `lessThanOrEqual` per version (curl), range expressions inside `version`
 *   (GitHub's `>= 2.0.0, < 2.0.7`: read when they use only >=, < and <=). An entry names a product by, in order: a CNA
 *   vendor/product pair the product map lists, a collectionURL/packageName pair it lists, an NVD CPE
 *   vendor:product pair, or the product's or a conda package's own name. Entries naming no tracked
 *   product are skipped, and so is a record left with none.
 * - A product whose conda packages do not ship the component the description names is left out.
 */
import type { ErrorLocation } from '../../errors.ts';
import {
  type NativeProduct,
  nativeProduct,
  nativeProductForCna,
  nativeProductForConda,
  nativeProductForCpe,
  nativeProductForPackage,
} from '../../mapping/native.ts';
import type {
  Advisory,
  AdvisorySeverity,
  AffectedPackage,
  AffectedRange,
  AffectedSource,
  FeedName,
  RangeEvent,
} from '../model.ts';
import { levelFromText, severityFromText, severityFromVectors } from '../severity.ts';
import { withoutUnshippedComponents } from './components.ts';
import { cweIds, distinct, referenceUrls, summarize } from './fields.ts';
import type { LocatedRecord } from './osv.ts';
import { type AdvisorySink, advisoryImport, type PreparedImport, type ProducedAdvisories } from './prepared.ts';
import { asArray, asString, feedInvalid, isObject, type Json } from './source.ts';

/** Records carry no modification date of their own (OpenSSL's): the epoch makes any dated copy newer. */
const UNDATED = '1970-01-01T00:00:00Z';

export function isCve5Record(value: unknown): value is Json {
  return (
    isObject(value) && (value.dataType === 'CVE_RECORD' || (isObject(value.cveMetadata) && isObject(value.containers)))
  );
}

export function isOpenSslRecord(record: Json): boolean {
  return cnaAffected(record).some(
    (entry) => typeof entry.vendor === 'string' && entry.vendor.toLowerCase() === 'openssl',
  );
}

function cna(record: Json): Json {
  const containers = isObject(record.containers) ? record.containers : {};
  return isObject(containers.cna) ? containers.cna : {};
}

function cnaAffected(record: Json): Json[] {
  return asArray(cna(record).affected).filter(isObject);
}

function adpContainers(record: Json): Json[] {
  const containers = isObject(record.containers) ? record.containers : {};
  return asArray(containers.adp).filter(isObject);
}

/** The `affected[]` entries of the ADP containers (CISA's "Vulnrichment" adds CPEs and ranges there). */
function adpAffected(record: Json): Json[] {
  return adpContainers(record).flatMap((adp) => asArray(adp.affected).filter(isObject));
}

export function prepareCve5Records(records: Iterable<LocatedRecord>, feed: FeedName | undefined): PreparedImport {
  return advisoryImport((sink) => {
    const collector = new Cve5Collector(feed, sink);
    for (const { value, location } of records) collector.add(value, location);
    return collector.produced();
  });
}

/**
 * Normalises CVE 5 records into a sink as they arrive (a cvelistV5 release zip holds ~300k: only those
 * naming a mapped product are written, one at a time). `feed` labels every record when given.
 */
export class Cve5Collector {
  readonly #feed: FeedName | undefined;
  readonly #sink: AdvisorySink;
  readonly #feeds = new Set<FeedName>();
  #count = 0;

  constructor(feed: FeedName | undefined, sink: AdvisorySink) {
    this.#feed = feed;
    this.#sink = sink;
  }

  add(value: unknown, location: ErrorLocation): void {
    this.#count++;
    const advisory = normalizeCve5Record(value, this.#feed, location, this.#sink);
    if (!advisory) return;
    this.#feeds.add(advisory.feed);
    this.#sink.add(advisory);
  }

  produced(): ProducedAdvisories {
    const [only] = this.#feeds;
    return { feed: this.#feed ?? (this.#feeds.size === 1 && only ? only : 'cve5'), records: this.#count };
  }
}

function normalizeCve5Record(
  record: unknown,
  feed: FeedName | undefined,
  location: ErrorLocation,
  notes: Pick<AdvisorySink, 'skip'>,
): Advisory | undefined {
  if (!isCve5Record(record)) throw feedInvalid('not a CVE JSON 5 record', location);
  const metadata = isObject(record.cveMetadata) ? record.cveMetadata : {};
  const id = asString(metadata.cveId);
  if (!id) throw feedInvalid('CVE JSON 5 record without `cveMetadata.cveId`', location);
  const openssl = isOpenSslRecord(record);
  const container = cna(record);
  const description = asString(
    asArray(container.descriptions)
      .filter(isObject)
      .find((entry) => entry.lang === 'en' || entry.lang === 'eng')?.value,
  );
  const stated = [
    ...cnaAffected(record).flatMap((entry) => affectedProduct(entry, openssl, openssl ? 'vendor' : 'cna')),
    ...(openssl ? [] : adpAffected(record).flatMap((entry) => affectedProduct(entry, false, 'adp'))),
  ];
  const { kept: affected, unshipped } = withoutUnshippedComponents(mergeByProduct(stated), description ?? '');
  if (affected.length === 0 && unshipped) {
    notes.skip(unshipped, id);
    return undefined;
  }
  if (affected.length === 0) {
    notes.skip('no affected product cvebuild tracks (by vendor/product or package name)', id);
    return undefined;
  }
  const modified =
    asString(metadata.dateUpdated) ?? asString(metadata.datePublished) ?? asString(container.datePublic) ?? UNDATED;
  const published = asString(metadata.datePublished) ?? asString(container.datePublic);
  const summary = asString(container.title) ?? summarize(description);
  return {
    id,
    aliases: [],
    kind: 'vulnerability',
    ...(summary === undefined ? {} : { summary }),
    ...(published === undefined ? {} : { published }),
    modified,
    ...(metadata.state === 'REJECTED' ? { withdrawn: modified } : {}),
    severity: cve5Severity(container, openssl, adpContainers(record)),
    cwes: cweIds(
      ...asArray(container.problemTypes)
        .filter(isObject)
        .flatMap((problem) => asArray(problem.descriptions).filter(isObject))
        .map((description) => description.cweId),
    ),
    affected,
    references: referenceUrls(container.references),
    feed: feed ?? (openssl ? 'openssl' : 'cve5'),
  };
}

function productOf(entry: Json, openssl: boolean): NativeProduct | undefined {
  if (openssl) return nativeProduct('openssl');
  const vendor = asString(entry.vendor)?.toLowerCase();
  const product = asString(entry.product)?.toLowerCase();
  const collectionUrl = asString(entry.collectionURL);
  const packageName = asString(entry.packageName)?.toLowerCase();
  const listed =
    (vendor && product ? nativeProductForCna(vendor, product) : undefined) ??
    (collectionUrl && packageName ? nativeProductForPackage(collectionUrl, packageName) : undefined);
  if (listed) return listed;
  if (product) {
    const named =
      (vendor ? nativeProductForCpe(vendor, product) : undefined) ??
      nativeProduct(product) ??
      nativeProductForConda(product);
    if (named) return named;
  }
  if (packageName) {
    const named = nativeProduct(packageName) ?? nativeProductForConda(packageName);
    if (named) return named;
  }
  return productOfCpes(entry);
}

/** ADP entries carry NVD-style `cpes`; application CPEs only (an ADP lists distributions as `o:`). */
function productOfCpes(entry: Json): NativeProduct | undefined {
  for (const cpe of asArray(entry.cpes)) {
    if (typeof cpe !== 'string') continue;
    const [prefix, , part, vendor, product] = cpe.split(/(?<!\\):/);
    if (prefix !== 'cpe' || part !== 'a' || !vendor || !product) continue;
    const found = nativeProductForCpe(vendor, product);
    if (found) return found;
  }
  return undefined;
}

/** Distribution package versions (rpm/deb epochs and revisions) say nothing about the upstream release. */
const DISTRIBUTION_VERSION_TYPES = new Set(['rpm', 'deb', 'dpkg', 'apk', 'ebuild']);

const NOT_A_VERSION = new Set(['*', '-', 'n/a', 'unspecified', 'unknown']);

/**
 * One entry per product that a container names, even with no usable range: the product is named, so
 * the CVE must come out undecided rather than vanish (unless another source gives a range).
 */
function affectedProduct(entry: Json, openssl: boolean, source: AffectedSource): AffectedPackage[] {
  const product = productOf(entry, openssl);
  if (!product) return [];
  const ranges: AffectedRange[] = [];
  const versions: string[] = [];
  for (const item of asArray(entry.versions).filter(isObject)) {
    if (item.status !== 'affected') continue;
    const versionType = asString(item.versionType)?.toLowerCase();
    if (versionType && DISTRIBUTION_VERSION_TYPES.has(versionType)) continue;
    const version = asString(item.version);
    if (!version || NOT_A_VERSION.has(version.toLowerCase())) continue;
    if (/[<>=,\s]/.test(version)) {
      const range = comparatorRange(version);
      if (range) ranges.push(range);
      continue;
    }
    const lessThan = asString(item.lessThan);
    const lessThanOrEqual = asString(item.lessThanOrEqual);
    if (lessThan && !NOT_A_VERSION.has(lessThan)) {
      ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: version }, { fixed: lessThan }] });
    } else if (lessThanOrEqual && lessThanOrEqual !== version && !NOT_A_VERSION.has(lessThanOrEqual)) {
      ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: version }, { last_affected: lessThanOrEqual }] });
    } else {
      versions.push(version);
    }
  }
  return [
    {
      ecosystem: 'upstream',
      name: product.product,
      normalizedName: product.product.toLowerCase(),
      scheme: product.scheme,
      ranges,
      versions: distinct(versions),
      ...(openssl ? {} : { source }),
    },
  ];
}

/**
 * One entry per (product, source): a container often lists a product once per branch or version.
 * An entry without a range is dropped when the same source gives one for that product elsewhere.
 */
function mergeByProduct(entries: AffectedPackage[]): AffectedPackage[] {
  const merged = new Map<string, AffectedPackage>();
  for (const entry of entries) {
    const key = `${entry.normalizedName}\u0000${entry.source ?? ''}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...entry, ranges: [...entry.ranges], versions: [...entry.versions] });
      continue;
    }
    for (const range of entry.ranges) {
      if (!into.ranges.some((known) => JSON.stringify(known) === JSON.stringify(range))) into.ranges.push(range);
    }
    into.versions = distinct([...into.versions, ...entry.versions]);
  }
  return [...merged.values()];
}

/**
 * GitHub's range expressions in `version` (`< 1.19.1`, `>= 2.0.0, < 2.0.7`, `<= 1.2`) as one range;
 * any other comparator (`>`, `!=`, `||`) is left unparsed, as before.
 */
function comparatorRange(expression: string): AffectedRange | undefined {
  let introduced = '0';
  let end: RangeEvent | undefined;
  for (const part of expression.split(',')) {
    const match = /^\s*(>=|<=|<)\s*([0-9][\w.+-]*)\s*$/.exec(part);
    if (!match) return undefined;
    const [, operator, bound] = match as unknown as [string, string, string];
    if (operator === '>=') introduced = bound;
    else if (operator === '<') end = { fixed: bound };
    else end = { last_affected: bound };
  }
  return end ? { type: 'ECOSYSTEM', events: [{ introduced }, end] } : undefined;
}

const CVSS_KEYS = ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0'] as const;

/**
 * OpenSSL's own level (Low/Moderate/High/Critical) for its records; CVSS vectors for other CNAs, or,
 * when the CNA gave none, the ADP containers' (CISA scores CVEs whose CNA did not).
 */
function cve5Severity(container: Json, openssl: boolean, adp: Json[] = []): AdvisorySeverity {
  const own = asArray(container.metrics).filter(isObject);
  const hasVector = own.some((metric) => CVSS_KEYS.some((key) => isObject(metric[key])));
  const metrics =
    hasVector || openssl ? own : [...own, ...adp.flatMap((item) => asArray(item.metrics).filter(isObject))];
  const vectors = distinct(
    metrics.flatMap((metric) =>
      CVSS_KEYS.map((key) => (isObject(metric[key]) ? asString(metric[key].vectorString) : undefined)).filter(
        (vector) => vector !== undefined,
      ),
    ),
  );
  if (openssl) {
    const text = metrics
      .map((metric) =>
        isObject(metric.other) && isObject(metric.other.content) ? metric.other.content.text : undefined,
      )
      .find((value) => levelFromText(value) !== undefined);
    if (text !== undefined) return severityFromText(text, 'openssl', vectors);
  }
  return severityFromVectors(vectors) ?? { vectors };
}
