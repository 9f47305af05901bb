/**
 * The policy: how findings become one verdict. Where it came from, the threshold, the always-fail
 * classes (malicious, KEV, what could not be checked) and whether each is relaxed, per-check
 * enablement and severity mapping, the settings the checks read, and the waivers.
 */
import type { Check } from '../checks/check.ts';
import { type CheckSettings, defaultCheckSettings, defaultSettingsOf } from '../checks/registry.ts';
import { DEFAULT_MAX_DB_AGE_MS } from '../intel/freshness.ts';
import type { Severity } from '../model/finding.ts';
import type { SourceLocation } from '../model/package.ts';

export interface CheckPolicy {
  enabled: boolean;
  /** Every finding of the check gets this severity. */
  severity?: Severity;
  /** Rule id → severity; wins over `severity`. A Map: rule ids are advisory ids from outside. */
  rules: ReadonlyMap<string, Severity>;
}

export interface Waiver {
  /** Advisory or rule id (also matched against the finding's aliases). */
  id?: string;
  /** Package name, or `name@version`. */
  package?: string;
  /** Limit the waiver to one check's findings. */
  check?: string;
  reason: string;
  by?: string;
  /** `YYYY-MM-DD`; the waiver holds through that day (UTC). */
  expires: string;
  origin: SourceLocation;
}

export interface Policy {
  /** The file the policy was read from; null for the built-in defaults. */
  source: string | null;
  failOn: Severity;
  /** Malicious releases fail whatever their (mapped) severity; false relaxes them to the threshold. */
  failOnMalicious: boolean;
  /** Known-exploited (CISA KEV) vulnerabilities fail whatever their severity. */
  failOnKev: boolean;
  /** A check that could not look something up (offline, missing data, unreadable archive) fails. */
  failOnUnchecked: boolean;
  maxDbAgeMs: number;
  /** Per check id; checks not listed run with their defaults. */
  checks: Map<string, CheckPolicy>;
  settings: CheckSettings;
  waivers: Waiver[];
}

/** The defaults; `checks` adds the default settings of checks beyond the registered ones. */
export function defaultPolicy(checks?: readonly Check[]): Policy {
  return {
    source: null,
    failOn: 'high',
    failOnMalicious: true,
    failOnKev: true,
    failOnUnchecked: true,
    maxDbAgeMs: DEFAULT_MAX_DB_AGE_MS,
    checks: new Map(),
    settings: checks ? { ...defaultSettingsOf(checks), ...defaultCheckSettings() } : defaultCheckSettings(),
    waivers: [],
  };
}
