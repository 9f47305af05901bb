/**
 * OSV records (PyPA, GHSA, OSSF malicious packages, OSS-Fuzz, RustSec, the Go database) → Advisory.
 * `affected[]` entries of `PyPI` are kept, and those of `crates.io`, `Go` and `npm`, the ecosystems
 * of the command-line tools conda-forge repackages (npm only for packages the ecosystem-purl map
 * names: its export is mostly malware reports on names no conda package is). GIT ranges are dropped
 * (commit hashes are not versions, and some PyPA records carry malformed ones), ECOSYSTEM and SEMVER
 * ranges and the `versions` list are kept. Entries of the `OSS-Fuzz` ecosystem become entries of the
 * product-map product they are about (oss-fuzz.ts).
 */
import type { ErrorLocation } from '../../errors.ts';
import { mappedPackageKeys } from '../../mapping/ecosystem-purl.ts';
import { normalizePypiName } from '../../model/package.ts';
import { isToolEcosystem, toolPackageKey } from '../ecosystem-names.ts';
import type { Advisory, AffectedPackage, AffectedRange, FeedName, RangeEvent } from '../model.ts';
import { osvSeverity } from '../severity.ts';
import { feedForOsvId } from './feeds.ts';
import { distinct, referenceUrls, summarize } from './fields.ts';
import { isOssFuzzEntry, ossFuzzAffected } from './oss-fuzz.ts';
import { type AdvisorySink, advisoryImport, type PreparedImport, type ProducedAdvisories } from './prepared.ts';
import { asArray, asString, feedInvalid, isObject, type Json, strings } from './source.ts';

export function isOsvRecord(value: unknown): value is Json {
  return isObject(value) && typeof value.id === 'string' && typeof value.modified === 'string';
}

export interface LocatedRecord {
  value: unknown;
  location: ErrorLocation;
}

/**
 * Normalises OSV records into a sink as they arrive (an archive or a JSON-lines file is never held
 * whole). `feed` labels every record when given; otherwise each record's feed follows its id
 * prefix, and the source is recorded under that feed when all records share it, else `mixedFeed`.
 */
export class OsvCollector {
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
    const undecided: string[] = [];
    const dropped = { npm: 0 };
    const advisory = normalizeOsvRecord(value, this.#feed, location, (reason) => undecided.push(reason), dropped);
    this.#feeds.add(advisory.feed);
    // a withdrawn record is stored for its id and aliases only: nothing of it is undecided
    if (!advisory.withdrawn) for (const reason of undecided) this.#sink.note(reason, advisory.id);
    if (advisory.affected.length > 0) this.#sink.add(advisory);
    else if (asArray((value as Json).affected).some((entry) => isObject(entry) && isOssFuzzEntry(entry))) {
      this.#sink.skip('OSS-Fuzz project of no product in the product map', advisory.id);
    } else if (dropped.npm > 0) this.#sink.skip('no npm package the ecosystem-purl map names', advisory.id);
    else this.#sink.skip('no PyPI package in affected[]', advisory.id);
  }

  /** A record passed over unparsed (an npm export's record whose text names no mapped package). */
  skipUnread(id: string, reason: string): void {
    this.#count++;
    this.#sink.skip(reason, id);
  }

  produced(mixedFeed: FeedName = 'osv-pypi'): ProducedAdvisories {
    const [only] = this.#feeds;
    const feed = this.#feed ?? (this.#feeds.size === 1 && only ? only : mixedFeed);
    return { feed, records: this.#count };
  }
}

/** Records are read (and written) only when the import writes: a lazy iterable streams. */
export function prepareOsvRecords(records: Iterable<LocatedRecord>, feed: FeedName | undefined): PreparedImport {
  return advisoryImport((sink) => {
    const collector = new OsvCollector(feed, sink);
    for (const { value, location } of records) collector.add(value, location);
    return collector.produced();
  });
}

/**
 * One OSV record → Advisory (with no affected entries when none is of a kept ecosystem or a mapped
 * OSS-Fuzz project). `note` hears why an entry was kept only as undecided; `dropped.npm` counts the npm
 * entries left out because the map names no such package.
 */
export function normalizeOsvRecord(
  record: unknown,
  feed: FeedName | undefined,
  location: ErrorLocation,
  note: (reason: string) => void = () => {},
  dropped: { npm: number } = { npm: 0 },
): Advisory {
  if (!isOsvRecord(record)) throw feedInvalid('not an OSV record (needs string `id` and `modified`)', location);
  const id = record.id as string;
  const databaseSpecific = isObject(record.database_specific) ? record.database_specific : {};
  const malicious = id.startsWith('MAL-') || 'malicious-packages-origins' in databaseSpecific;
  const summary = asString(record.summary) ?? summarize(record.details);
  const published = asString(record.published);
  const withdrawn = asString(record.withdrawn);
  return {
    id,
    aliases: distinct(strings(record.aliases)).filter((alias) => alias !== id),
    kind: malicious ? 'malicious' : 'vulnerability',
    ...(summary === undefined ? {} : { summary }),
    ...(published === undefined ? {} : { published }),
    modified: record.modified as string,
    ...(withdrawn === undefined ? {} : { withdrawn }),
    severity: osvSeverity(record, malicious),
    cwes: strings(databaseSpecific.cwe_ids),
    affected: asArray(record.affected)
      .filter(isObject)
      .flatMap((entry) => {
        if (!isOssFuzzEntry(entry)) return keptAffected(entry, dropped);
        const found = ossFuzzAffected(entry);
        if (found?.undecided) note(`OSS-Fuzz entry kept as undecided: ${found.undecided}`);
        return found ? [found.entry] : [];
      }),
    references: referenceUrls(record.references),
    feed: feed ?? feedForOsvId(id),
  };
}

function keptAffected(entry: Json, dropped: { npm: number }): AffectedPackage[] {
  const pkg = isObject(entry.package) ? entry.package : {};
  const name = asString(pkg.name);
  if (!name) return [];
  const ranges = () => asArray(entry.ranges).filter(isObject).flatMap(versionRange);
  if (pkg.ecosystem === 'PyPI') {
    return [
      {
        ecosystem: 'PyPI',
        name,
        normalizedName: normalizePypiName(name),
        scheme: 'pep440',
        ranges: ranges(),
        versions: strings(entry.versions),
      },
    ];
  }
  if (!isToolEcosystem(pkg.ecosystem)) return [];
  const normalizedName = toolPackageKey(pkg.ecosystem, name);
  if (pkg.ecosystem === 'npm' && !npmKeys().has(normalizedName)) {
    dropped.npm++;
    return [];
  }
  // All three order releases by SemVer 2.0; Go's pseudo-versions are SemVer pre-releases by design.
  return [
    {
      ecosystem: pkg.ecosystem,
      name,
      normalizedName,
      scheme: 'semver',
      ranges: ranges(),
      versions: strings(entry.versions),
    },
  ];
}

let npmNames: ReadonlySet<string> | undefined;

function npmKeys(): ReadonlySet<string> {
  npmNames ??= mappedPackageKeys('npm');
  return npmNames;
}

/** The npm names an import keeps (the archive reader skips records naming none of them unread). */
export function keptNpmNames(): ReadonlySet<string> {
  return npmKeys();
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function versionRange(range: Json): AffectedRange[] {
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return [];
  const events = asArray(range.events).filter(isObject).flatMap(rangeEvent);
  return events.length > 0 ? [{ type: range.type, events }] : [];
}

function rangeEvent(event: Json): RangeEvent[] {
  for (const key of EVENT_KEYS) {
    const version = asString(event[key]);
    if (version !== undefined) return [{ [key]: version } as RangeEvent];
  }
  return [];
}
