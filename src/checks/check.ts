/**
 * The shape every check has: an id, a logic version (bumped when its behaviour changes, so a
 * finding says which logic produced it), what it needs, and one `run`. Front doors (CLI, gate,
 * proxy, agent) call checks; they never re-implement one. A check owns its settings (their type,
 * defaults and policy keys: `options`) and the text of its rules (`rules`).
 */
import type { z } from 'zod';
import type { AttestationHistoryStore } from '../attest/history.ts';
import type { TrustedPublisher } from '../attest/types.ts';
import type { CodeScanSettings } from '../code/types.ts';
import { CvebuildError } from '../errors.ts';
import type { AdvisoryMatcher } from '../intel/matcher.ts';
import type { IntelStore } from '../intel/store-api.ts';
import type { Finding, RuleText } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Download } from '../net/download.ts';
import type { CheckSettings } from './registry.ts';

export type { CheckSettings, CodeScanSettings, TrustedPublisher };

/** What a check runs with; `settings` typed as the check's own (the audit passes every check's). */
export interface CheckContext<S extends object = CheckSettings> {
  /** The threat-intel store and its matcher; present when a selected check requires intel. */
  intel?: { store: IntelStore; matcher: AdvisoryMatcher };
  /** The time the audit considers "now" (fixed in tests). */
  now: Date;
  /** No network: checks that would look something up say what they could not check instead. */
  offline: boolean;
  /** Where checks may cache lookups (e.g. PyPI upload times). */
  cacheDir: string;
  /** What verified before, for the attestation check's downgrade test; default: a file in `cacheDir`. */
  history?: AttestationHistoryStore;
  settings: S;
  /** The project directory the code checks (SAST, secrets) scan; absent when there is no tree to scan (a lock diff). */
  root?: string;
  /** The HTTP client for network lookups (absent: the project's own `download`); unused when offline. */
  http?: Download;
  /** Aborts the run: long work (walks, lookups) stops early rather than finish unread. */
  signal?: AbortSignal;
}

/** `S`: the check's settings, a slice of `CheckSettings`. */
export interface Check<S extends object = object> {
  id: string;
  version: number;
  title: string;
  requires: CheckRequirements;
  /** The check's settings: their defaults, and its own keys under `[checks.<id>]` in the policy. */
  options?: CheckOptions<S>;
  /** Policy settings this check consumes, so the gate knows a requirement has a check to enforce it. */
  enforces?: readonly PolicyRequirement[];
  /** What the check's rules are, for readers who did not write them (SARIF rule metadata, HTML, Markdown). */
  rules: CheckRules;
  run(inventory: Inventory, context: CheckContext<S>): Finding[] | Promise<Finding[]>;
}

/**
 * What a check needs from the run. The engine honours each: intel is opened (and must be fresh),
 * a network check runs in its offline mode without network, and a check whose tree or package
 * contents are absent is recorded as skipped rather than passing silently.
 */
export interface CheckRequirements {
  intel: boolean;
  network: boolean;
  /** How a network check runs without network, for its run's reason (default: `offline: no network lookups`). */
  offline?: string;
  /** The project tree (`CheckContext.root`). */
  tree?: boolean;
  /** Package contents: archives in `settings.packageDirs`, or an installed prefix in the inventory. */
  archives?: boolean;
}

export type PolicyRequirement = 'attestation' | 'trusted-sources';

export interface CheckRules {
  /** Every finding of the check, unless `rule` gives its rule more. */
  check: RuleText;
  /** A rule's own text, merged over `check`; undefined when the rule is just the check's. */
  rule?(id: string): Partial<RuleText> | undefined;
}

type OptionShape = Record<string, z.ZodType>;

export interface CheckOptions<S extends object, Shape extends OptionShape = OptionShape> {
  /** The settings when neither the policy nor a flag sets them. */
  defaults(): S;
  /**
   * zod schemas of the check's keys (kebab-case, as written in TOML); each is optional. Built when a
   * policy file is validated (zod loads then: `policy/zod.ts`).
   */
  shape?: () => Shape;
  /** Copies a validated `[checks.<id>]` table into the settings; paths resolve against `baseDir` (the policy file's). */
  apply?(values: { [K in keyof Shape]?: z.output<Shape[K]> }, settings: S, baseDir: string): void;
}

/** Types `apply`'s values by `shape` (inside the check's object literal they could not be inferred). */
export function checkOptions<S extends object, Shape extends OptionShape>(
  options: CheckOptions<S, Shape>,
): CheckOptions<S> {
  return options;
}

/** The intel a check declared it requires; the audit opens it before running such checks. */
export function requireIntel(
  context: CheckContext<object>,
  check: string,
): { store: IntelStore; matcher: AdvisoryMatcher } {
  if (!context.intel) throw new CvebuildError('DB_MISSING', `the ${check} check needs the threat-intel store`);
  return context.intel;
}
