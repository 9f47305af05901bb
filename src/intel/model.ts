/**
 * The threat-intel model every feed is normalised into: advisories with affected packages and
 * OSV-style ranges, KEV entries, name maps, popularity lists and per-feed metadata.
 * Plain data, no I/O; the store persists it and the audit reads it.
 */
import type { Severity } from '../model/finding.ts';

export type { VersionSchemeName } from '../versions/scheme.ts';

import type { VersionSchemeName } from '../versions/scheme.ts';

/**
 * The ecosystem an affected entry belongs to: `PyPI` (OSV), `upstream` for C/C++ products
 * named by their upstream project (`openssl`, `curl`, `libxml2`, `expat`, `sqlite`, `zlib`, `xz`,
 * `libwebp`, `cpython` …), which conda packages reach through the native table in src/mapping/,
 * or one of OSV's `crates.io`, `Go` and `npm`, which repackaged Rust, Go and Node command-line
 * tools reach through the ecosystem-purl map (data/conda-ecosystems.json).
 */
export type AffectedEcosystem = 'PyPI' | 'upstream' | ToolEcosystem;

/** OSV ecosystems of the command-line tools conda-forge repackages, spelt as OSV spells them. */
export type ToolEcosystem = 'crates.io' | 'Go' | 'npm';

/** Every ecosystem the store keys advisories by, in the order reports list them. */
export const AFFECTED_ECOSYSTEMS: readonly AffectedEcosystem[] = ['PyPI', 'upstream', 'crates.io', 'Go', 'npm'];

export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface AffectedRange {
  /** OSV range type; GIT ranges are dropped at import (commit hashes are not versions). */
  type: 'ECOSYSTEM' | 'SEMVER';
  /** In the order the source gave them; evaluated as OSV specifies. */
  events: RangeEvent[];
}

export interface AffectedPackage {
  ecosystem: AffectedEcosystem;
  /** As the source wrote it (`Pillow`, `jupyter_server`, `openssl`). */
  name: string;
  /** PEP 503 for PyPI, lowercase for upstream products: the lookup key. */
  normalizedName: string;
  scheme: VersionSchemeName;
  ranges: AffectedRange[];
  /** Explicitly listed affected versions (OSV `versions`), unsorted as given. */
  versions: string[];
  /**
   * Who stated this entry, for upstream products several sources describe (absent: the record's own
   * feed says; see intel/precedence.ts). No ranges and no versions means the source names the product
   * but gives no usable range: the matcher reports the CVE as undecided unless a source ranked above
   * it decides.
   */
  source?: AffectedSource;
  /** The feed the entry came from, in a record merged from several feeds' statements about one CVE. */
  feed?: FeedName;
  /**
   * Only on these conda platform families (an NVD AND configuration conditioned on an operating
   * system: Node.js on Windows); absent: on every platform.
   */
  platforms?: PlatformFamily[];
}

/** A conda subdir's operating system: `win-64` → `win`, `osx-arm64` → `osx`, `linux-aarch64` → `linux`. */
export type PlatformFamily = 'win' | 'osx' | 'linux';

/**
 * Who said which versions of an upstream product a CVE affects. When they disagree on one CVE for
 * one product, the first that gives a usable range decides: `vendor` (the product's own feed:
 * OpenSSL, curl) > `nvd` (NVD's CPE configuration) > `cna` (the CVE record's CNA container) > `adp`
 * (an ADP container of the CVE record, CISA's "Vulnrichment").
 */
export type AffectedSource = 'vendor' | 'nvd' | 'cna' | 'adp';

export type AdvisoryKind = 'vulnerability' | 'malicious';

export interface AdvisorySeverity {
  /** Level as cvebuild uses it; undefined when the source gives nothing to derive one from. */
  level?: Severity;
  /** Base score of the highest-version vector (CVSS 4.0 over 3.x), computed from the vector. */
  score?: number;
  /** The CVSS vectors as published (`CVSS:3.1/AV:N/…`, `CVSS:4.0/…`). */
  vectors: string[];
  /** Where the level came from: `cvss`, `ghsa`, `openssl`, `curl`, `nvd`, `oss-fuzz`, `malicious`. */
  basis?: string;
}

export interface Advisory {
  /** OSV id (PYSEC-…, GHSA-…, MAL-…, OSV-…), or the CVE id for vendor feeds (OpenSSL, curl, NVD). */
  id: string;
  aliases: string[];
  kind: AdvisoryKind;
  summary?: string;
  published?: string;
  /** RFC 3339 as given (may lie in the future: see intel.md, clamp before comparing). */
  modified: string;
  withdrawn?: string;
  severity: AdvisorySeverity;
  cwes: string[];
  affected: AffectedPackage[];
  references: string[];
  /** The feed it came from (see FeedName); in a merged record, the most authoritative one. */
  feed: FeedName;
  /**
   * Set when the store merged several feeds' records of one CVE (vendor, NVD, CVE List V5): each
   * feed's own `modified` and `withdrawn`, so a newer copy from one feed replaces only its entries.
   */
  merged?: MergedPart[];
}

export interface MergedPart {
  feed: FeedName;
  modified: string;
  withdrawn?: string;
}

/** Feeds cvebuild knows; each import and update records its metadata under one of these names. */
export type FeedName =
  | 'osv-pypi' // osv.dev PyPI all.zip: PYSEC, GHSA and MAL records together
  | 'pypa'
  | 'ghsa'
  | 'malicious'
  | 'malicious-names'
  | 'kev'
  | 'parselmouth'
  | 'top-pypi'
  | 'conda-forge-names'
  | 'openssl'
  | 'curl'
  | 'nodejs' // Node.js security-wg core feed
  | 'nvd'
  | 'cve5' // CVE List V5 records (CNA and ADP containers), for CVEs NVD has not analysed
  | 'oss-fuzz'
  | 'osv-crates-io' // osv.dev crates.io all.zip (RustSec and GHSA)
  | 'osv-go' // osv.dev Go all.zip (the Go vulnerability database and GHSA)
  | 'osv-npm' // osv.dev npm all.zip, kept only for the npm packages the ecosystem-purl map names
  | 'local'; // records imported by hand (e.g. an example's own data)

export interface KevEntry {
  cveId: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
  cwes: string[];
}

export interface FeedMetadata {
  name: FeedName;
  /** Where it came from: a URL for `db update`, a path for `db import`. */
  url: string;
  /** Where the last download really came from, when the server redirected (no query or user info). */
  finalUrl?: string;
  fetchedAt: string;
  /** Records the feed contributed (advisories, KEV entries, map entries…). */
  count: number;
  /** sha256 of the bytes imported. */
  checksum: string;
  /** HTTP validators for conditional requests. */
  etag?: string;
  lastModified?: string;
  /**
   * Where an incremental feed stands, as that feed's fetcher writes it (JSON): for `nvd` the CPE
   * pairs fetched in full and the instant the data is current through; for `cve5` the release applied.
   */
  state?: string;
}

/** A name reported malicious without a full OSV record (depgate index): no version data. */
export interface MaliciousName {
  ecosystem: 'PyPI';
  normalizedName: string;
  id: string;
}
