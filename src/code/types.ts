/**
 * What the code scanners (SAST and secrets) exchange with the rest of cvebuild: the files a walk
 * selected, and the hits a scanner reports on them. The `sast` and `secrets` checks turn hits into
 * findings; scanners never see the policy.
 */
import type { Finding, Severity } from '../model/finding.ts';

/** The checks that read the project's own files (the tree) rather than its resolved packages. */
export const CODE_CHECK_IDS: readonly string[] = ['sast', 'secrets'];

/** A finding about a place in the project's files rather than about a package. */
export function isCodeFinding(finding: Finding): boolean {
  return !finding.subject && CODE_CHECK_IDS.includes(finding.check);
}

/** The part of a tree a code check reads. */
export interface CodeScanSettings {
  /** gitignore-style patterns relative to the project root, on top of .gitignore and .cvebuildignore. */
  exclude: string[];
  /** Files over this many bytes are not read (and are reported as not scanned). */
  maxFileSize: number;
}

/** A file selected for scanning (the walk already skipped ignored, binary and oversized files). */
export interface CodeFile {
  /** Relative to the scan root, `/`-separated: what reports show. */
  path: string;
  /** Absolute path, for reading. */
  absolute: string;
  size: number;
}

export type Confidence = 'low' | 'medium' | 'high';

/** Which engine produced a hit: ours, or an external tool whose results were merged in. */
export type CodeEngine = 'cvebuild' | 'secretlint' | 'bandit' | 'semgrep';

/** One match of one rule at one place. Lines and columns are 1-based (SARIF's convention). */
export interface CodeHit {
  engine: CodeEngine;
  /** Our rule id (`subprocess-shell-true`, `pypi-token`, ...); external rules keep theirs, prefixed (`bandit.B608`). */
  rule: string;
  /** One line saying what was found there (for secrets: never the secret itself). */
  message: string;
  severity: Severity;
  confidence: Confidence;
  /** `CWE-78` */
  cwe?: string;
  /** OWASP Top 10 (2021) category, `A03:2021-Injection`. */
  owasp?: string;
  /** The Bandit test id covering the same family (`B602`), where one exists. */
  bandit?: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The matched source, trimmed to one line (for secrets: masked). */
  snippet?: string;
  remedy?: string;
  /** Rule-specific facts (secrets: `masked`, `fingerprint`, `kind`). */
  extra?: Record<string, unknown>;
}

/** A file a walk or a scanner did not read, and why (`too-large`, `unreadable`, `not UTF-8`, ...). */
export interface NotScanned {
  path: string;
  reason: string;
}
