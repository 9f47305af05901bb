/**
 * The shape every check has: an id, a logic version (bumped when its behaviour changes, so a
 * finding says which logic produced it), what it needs, and one `run`. Front doors (CLI, gate,
 * proxy, agent) call checks; they never re-implement one.
 */
import type { z } from 'zod';
import type { TrustedPublisher } from '../attest/types.ts';
import type { CodeScanSettings } from '../code/types.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../code/walk.ts';
import { CvebuildError } from '../errors.ts';
import type { AdvisoryMatcher } from '../intel/matcher.ts';
import type { IntelStore } from '../intel/store-api.ts';
import type { Finding } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import type { SourceLocation } from '../model/package.ts';
import type { Download } from '../net/download.ts';

export type { CodeScanSettings, TrustedPublisher };

/** Settings the checks read; the policy (cvebuild.toml) fills them, flags override. */
export interface CheckSettings {
  /** Names never flagged as typosquats (compared after the ecosystem's normalization). */
  typosquatAllow: string[];
  /** A cooldown replacing the manifest's workspace `exclude-newer` (pixi syntax: `7d`, a date, RFC 3339). */
  cooldown?: string;
  /** Conda records without a timestamp: pixi keeps them, so the default is to warn. */
  cooldownUnknownTimestamp: 'warn' | 'fail' | 'ignore';
  /** Channel / index URL prefixes that are private (in addition to every non-public source). */
  privateSources: string[];
  /** Package names that must only resolve from private sources. */
  privateNames: string[];
  /** Directories with package archives (.conda / .tar.bz2) to inspect for link scripts. */
  packageDirs: string[];
  /** Channels packages may come from (names or URLs); empty = any channel. */
  trustedChannels: string[];
  /** PyPI indexes packages may come from; empty = any index. */
  trustedIndexes: string[];
  /** Where attestations are required and whose signatures are trusted (read by the attestation check). */
  attestationRequirements: AttestationRequirement[];
  /** Directories with attestation sidecars (`<artifact>.sigs`, `.v0.sigs`, `.sigstore.json`), read before channels. */
  attestationBundleDirs: string[];
  /** A trusted_root.json to verify against instead of Sigstore's production root. */
  attestationTrustedRoot?: string;
  /** What the SAST check scans and which external engines it merges in. */
  sast: SastSettings;
  /** What the secrets check scans. */
  secrets: CodeScanSettings;
}

export interface SastSettings extends CodeScanSettings {
  /** External engines to run as well when on PATH; enabled but missing fails closed. */
  engines: ('bandit' | 'semgrep')[];
  /** `semgrep --config` value (a registry name needs the network; a local rules file does not). */
  semgrepConfig?: string;
  /** Hits below this confidence are dropped. */
  minConfidence: 'low' | 'medium' | 'high';
}

export interface AttestationRequirement {
  /** Packages from this channel (name or URL, matched like pixi does) ... */
  channel?: string;
  /** ... and/or with this name must carry a valid attestation ... */
  package?: string;
  /** ... signed by one of these publishers. */
  publishers: TrustedPublisher[];
  origin: SourceLocation;
}

export function defaultCheckSettings(): CheckSettings {
  return {
    typosquatAllow: [],
    cooldownUnknownTimestamp: 'warn',
    privateSources: [],
    privateNames: [],
    packageDirs: [],
    trustedChannels: [],
    trustedIndexes: [],
    attestationRequirements: [],
    attestationBundleDirs: [],
    sast: { exclude: [], maxFileSize: DEFAULT_MAX_FILE_SIZE, engines: [], minConfidence: 'low' },
    secrets: { exclude: [], maxFileSize: DEFAULT_MAX_FILE_SIZE },
  };
}

export interface CheckContext {
  /** The threat-intel store and its matcher; present when a selected check requires intel. */
  intel?: { store: IntelStore; matcher: AdvisoryMatcher };
  /** The time the audit considers "now" (fixed in tests). */
  now: Date;
  /** No network: checks that would look something up say what they could not check instead. */
  offline: boolean;
  /** Where checks may cache lookups (e.g. PyPI upload times). */
  cacheDir: string;
  settings: CheckSettings;
  /** The project directory the code checks (SAST, secrets) scan; absent when there is no tree to scan (a lock diff). */
  root?: string;
  /** The HTTP client for network lookups (absent: the project's own `download`); unused when offline. */
  http?: Download;
  /** Aborts the run: long work (walks, lookups) stops early rather than finish unread. */
  signal?: AbortSignal;
}

export interface Check {
  id: string;
  version: number;
  title: string;
  requires: CheckRequirements;
  /** The check's own keys under `[checks.<id>]` in the policy, and how they fill the settings. */
  options?: CheckOptions;
  /** Policy settings this check consumes, so the gate knows a requirement has a check to enforce it. */
  enforces?: readonly PolicyRequirement[];
  run(inventory: Inventory, context: CheckContext): Finding[] | Promise<Finding[]>;
}

/**
 * What a check needs from the run. The engine honours each: intel is opened (and must be fresh),
 * a network check runs in its offline mode without network, and a check whose tree or package
 * contents are absent is recorded as skipped rather than passing silently.
 */
export interface CheckRequirements {
  intel: boolean;
  network: boolean;
  /** The project tree (`CheckContext.root`). */
  tree?: boolean;
  /** Package contents: archives in `settings.packageDirs`, or an installed prefix in the inventory. */
  archives?: boolean;
}

export type PolicyRequirement = 'attestation' | 'trusted-sources';

export interface CheckOptions {
  /** zod schemas of the check's keys (kebab-case, as written in TOML); each is optional. */
  shape: Record<string, z.ZodType>;
  /** Copies validated values into the settings; paths are resolved against `baseDir` (the policy file's). */
  apply(values: Record<string, unknown>, settings: CheckSettings, baseDir: string): void;
}

/** The intel a check declared it requires; the audit opens it before running such checks. */
export function requireIntel(context: CheckContext, check: string): { store: IntelStore; matcher: AdvisoryMatcher } {
  if (!context.intel) throw new CvebuildError('DB_MISSING', `the ${check} check needs the threat-intel store`);
  return context.intel;
}
