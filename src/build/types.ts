/**
 * The build pipeline's vocabulary: its stages in order, how each ended, and what a run records.
 * A stage's record is what `--resume` reads back, so it holds everything later stages need.
 */
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { Finding, Severity } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Policy } from '../policy/policy.ts';

export const STAGE_NAMES = [
  'typosquat',
  'threat-intel',
  'resolve',
  'cve-audit',
  'sast',
  'secrets',
  'build',
  'artifact-scan',
  'sign',
  'sbom',
  'provenance',
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** `halted` stops the pipeline and fails the run; `surfaced` reports findings and goes on. */
export type StageOutcome = 'passed' | 'halted' | 'surfaced' | 'skipped';

/** One finding as the build report shows it (the full finding is the engine's report's). */
export interface StageFinding {
  check: string;
  rule: string;
  severity: Severity;
  package?: string;
  message: string;
  blocking: boolean;
  file?: string;
  line?: number;
}

/** A built package archive: its path in the run directory and its digest. */
export interface BuiltArtifact {
  file: string;
  sha256: string;
}

export interface StageResult {
  outcome: StageOutcome;
  findings: StageFinding[];
  reason?: string;
  /** Stage-specific facts: safe pins, artifacts, bundles, the SBOM's path. */
  details?: Record<string, unknown>;
}

export interface StageRecord extends StageResult {
  stage: StageName;
  ms: number;
  /** Digest of everything the stage's result depends on; `--resume` skips the stage while it is unchanged. */
  inputs: string;
  /** When resumed: the outcome the earlier run recorded (`outcome` is then `skipped`). */
  recorded?: StageOutcome;
}

export type BuildEvent =
  | { type: 'stage-start'; stage: StageName }
  | { type: 'stage-end'; stage: StageName; outcome: StageOutcome; ms: number; findings: number; reason?: string }
  | ({ stage: StageName } & EngineEvent);

/** What every stage runs with. Later stages read what earlier ones left (`artifacts`). */
export interface BuildContext {
  recipeDir: string;
  recipeFile: string;
  /** What the recipe digest leaves out: the run directories, when they sit inside the recipe directory. */
  recipeExclude: string[];
  runDir: string;
  /** The run's digest (recipe and inputs): the provenance's invocation id. */
  runDigest: string;
  outputDir: string;
  engine: Engine;
  policy: Policy;
  offline: boolean;
  targetPlatform: string;
  /** The recipe's requirements as packages (pinned ones with their version). */
  requirements: Inventory;
  /** A pixi.lock beside the recipe, read as it is. */
  lock?: { file: string; inventory: Inventory };
  /** Channel URLs the requirements are solved against (`--channel`), in priority order. */
  channels: string[];
  /** The build / host / run environments the resolve stage solved, one inventory. */
  solved?: Inventory;
  build: BuilderOptions;
  sign: SignOptions;
  now: Date;
  artifacts: BuiltArtifact[];
  /** The records of the stages before this one, in order (the provenance states what they did). */
  stages: readonly StageRecord[];
  emit(event: BuildEvent): void;
}

/** How the sign stage signs: with a key file, keyless through Fulcio and Rekor, or not at all. */
export interface SignOptions {
  keyFile?: string;
  /** Keyless: the OIDC token (else the ambient one) and the Sigstore endpoints (else the public ones). */
  keyless?: { identityToken?: string; fulcioUrl?: string; rekorUrl?: string };
  /** The channel the package is published to, which the attestation names. */
  channel?: string;
}

export interface BuilderOptions {
  /** A shell command; absent: rattler-build from PATH. */
  command?: string;
  passEnv: string[];
  timeoutMs: number;
}

export interface Stage {
  name: StageName;
  run(context: BuildContext): Promise<StageResult>;
  /** When resuming: takes back what a recorded run left for later stages; false if that is gone. */
  restore?(record: StageRecord, context: BuildContext): Promise<boolean>;
}

export function stageFinding(finding: Finding): StageFinding {
  const subject = finding.subject;
  return {
    check: finding.check,
    rule: finding.rule,
    severity: finding.severity,
    ...(subject ? { package: `${subject.name}${subject.version ? ` ${subject.version}` : ''}` } : {}),
    message: finding.message,
    blocking: finding.blocking === true,
    ...(finding.location?.file ? { file: finding.location.file } : {}),
    ...(finding.location?.line ? { line: finding.location.line } : {}),
  };
}
