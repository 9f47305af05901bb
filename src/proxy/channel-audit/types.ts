/**
 * The channel-wide CVE map: for every package name of a conda channel that some advisory affects,
 * which versions and builds, by which advisories, and the lowest version that clears them; plus how
 * many names could be looked at at all. Plain data, sorted, so the JSON is stable between runs.
 */
import type { Severity } from '../../model/finding.ts';

export interface ChannelAuditResult {
  /** The channel as given (URL without trailing slash, or the directory). */
  channel: string;
  subdirs: SubdirSummary[];
  threatData: {
    /** The store, or the files loaded for this run. */
    label: string;
    /** Identifies the threat data and the matching logic: records are audited again when it changes. */
    version: string;
  };
  /** The time the engine considered "now" (freshness of the threat data). */
  generatedAt: string;
  /** `--since` as an instant, and `--newest N`, when given. */
  scope: { since?: string; newest?: number };
  totals: ChannelAuditTotals;
  coverage: ChannelCoverage;
  /** Names that advisories affect, by name. */
  packages: AffectedName[];
  /** Every advisory named in `packages`, by id. */
  advisories: Record<string, AdvisoryDetail>;
}

export interface SubdirSummary {
  subdir: string;
  /** The file read (URL or path). */
  source: string;
  /** Records in the file. */
  records: number;
  /** Records in scope (after `--since` / `--newest`). */
  inScope: number;
  /** Records audited in this run (not seen before under this threat data). */
  audited: number;
}

export interface ChannelAuditTotals {
  records: number;
  inScope: number;
  /** Audited in this run. */
  audited: number;
  /** Results reused from an earlier run (same file, same sha256, same threat data). */
  reused: number;
  skipped: { olderThanSince: number; notNewest: number; invalid: number };
  names: number;
  affectedNames: number;
  affectedRecords: number;
  advisories: number;
  maliciousRecords: number;
  kevRecords: number;
}

export interface ChannelCoverage {
  /** Distinct names in scope. */
  names: number;
  /** Names that map to an advisory source (upstream product, PyPI name, ...): they were looked at. */
  mapped: number;
  /** Names nothing could be looked up for: "nothing found" for them means "not looked at". */
  unmapped: number;
  /** Names per mapping kind (a name mapped two ways counts under both). */
  byKind: Record<string, number>;
  /** Unmapped names per reason, most first. */
  unmappedReasons: { reason: string; names: number }[];
  /** Kinds of threat data the store lacks, and how many names that left unchecked. */
  notChecked: { reason: string; names: number }[];
}

export interface AffectedName {
  name: string;
  /** How the engine mapped it (`product`, `name-map`, ...). */
  mappedBy: string[];
  /** Newest version in scope. */
  newestVersion: string;
  /**
   * The lowest version in scope above every affected one whose records no advisory affects; null
   * when the newest version is itself affected (no safe version in the channel yet).
   */
  lowestSafeVersion: string | null;
  /** Affected versions, newest first. */
  versions: AffectedVersion[];
}

export interface AffectedVersion {
  version: string;
  /** Advisory ids affecting any of its builds, sorted. */
  advisories: string[];
  /** The version the advisories' fixes lead to (the `vulnerability` check's remedy), when one is known. */
  fixedIn: string | null;
  malicious: boolean;
  kev: boolean;
  builds: AffectedBuild[];
}

export interface AffectedBuild {
  subdir: string;
  build: string;
  filename: string;
  sha256: string;
  /** ms since the epoch; absent when the record has none. */
  timestamp?: number;
  /** When the builds of a version differ in what affects them: this build's advisories. */
  advisories: string[];
}

export interface AdvisoryDetail {
  id: string;
  aliases: string[];
  severity: Severity;
  malicious: boolean;
  /** CISA KEV: the date it was added. */
  kev?: { dateAdded?: string };
  summary?: string;
  /** What it is filed under (`upstream:openssl`, `PyPI:litellm`). */
  target?: string;
}
