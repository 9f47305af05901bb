/**
 * What every report renders: the findings (after the policy: mapped severities, waivers, which
 * ones block), the verdict, and, for SBOMs and package details, the inventory they were found in.
 * Renderers take this and nothing else, so the CLI, the gate and later the proxy draw the same page.
 */

import type { UnmappedPackages } from '../checks/intel-coverage.ts';
import type { Finding, Severity, Verdict } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import { readPackageFile } from '../package-files.ts';

export interface ReportCheck {
  id: string;
  version: number;
  title: string;
}

export interface ReportFeed {
  name: string;
  /** Source URL with credentials removed. */
  url: string;
  fetchedAt: string;
  count: number;
}

/** What the policy that decided says, for readers of the report. */
export interface ReportPolicy {
  source: string | null;
  failOn: Severity;
  /** Classes that fail whatever their severity. */
  failOnMalicious: boolean;
  failOnKev: boolean;
  failOnUnchecked: boolean;
}

/** "malicious, known-exploited and unchecked findings always": the classes that fail regardless. */
export function alwaysFailing(policy: ReportPolicy): string {
  const classes = [
    policy.failOnMalicious ? 'malicious' : undefined,
    policy.failOnKev ? 'known-exploited' : undefined,
    policy.failOnUnchecked ? 'not-checked' : undefined,
  ].filter((text): text is string => text !== undefined);
  if (classes.length === 0) return 'no class of finding regardless of severity';
  const list = classes.length === 1 ? classes[0] : `${classes.slice(0, -1).join(', ')} and ${classes.at(-1)}`;
  return `${list} findings always`;
}

export interface ReportInput {
  tool: { name: string; version: string; informationUri: string };
  /** When the audit ran (the audit's "now"). */
  generatedAt: Date;
  /** The path the user asked about, as given. */
  target: string;
  /** Directory that report file URIs are made relative to (the repository / project root). */
  root: string;
  inventory: Inventory;
  findings: Finding[];
  verdict: Verdict;
  checks: ReportCheck[];
  /** The policy that decided: its file (or null for the built-in defaults) and threshold. */
  policy: ReportPolicy;
  /** The threat-intel store the findings came from, when one was opened. */
  intel?: { label: string; schemaVersion: number; feeds: ReportFeed[] };
  /** Advisories that could not decide for a package (`name@version: ID (reason)`). */
  undecided: string[];
  /** Packages the vulnerability check could not look up (they map to no advisory source), when it ran. */
  notCheckedForCves?: UnmappedPackages;
}

export const TOOL = {
  name: 'cvebuild',
  // the package's manifest is the one place the version is written
  version: (JSON.parse(readPackageFile('package.json')) as { version: string }).version,
  informationUri: 'https://github.com/cvebuild/cvebuild',
} as const;
