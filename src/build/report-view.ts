/**
 * What every form of the build report reads off a run: the stages' titles, the halted stage, the
 * findings across stages, and the stage details a reader wants (artifacts, bundles, SBOM, safe
 * pins). Details come back from run-directory files on `--resume`, so their shapes are checked
 * here rather than trusted.
 */
import { compareSeverity } from '../model/finding.ts';
import type { BuildRun } from './pipeline.ts';
import type { BuiltArtifact, StageFinding, StageName, StageOutcome, StageRecord } from './types.ts';

/** What each stage is, for a reader who does not know the pipeline's ids. */
export const STAGE_TITLES: Record<StageName, string> = {
  typosquat: 'Typosquat check',
  'threat-intel': 'Threat intel',
  resolve: 'Resolve dependencies',
  'cve-audit': 'CVE audit',
  sast: 'SAST',
  secrets: 'Secret scan',
  build: 'Build',
  'artifact-scan': 'Post-build artifact scan',
  sign: 'Sign and attest',
  sbom: 'SBOM',
  provenance: 'Provenance',
};

export const OUTCOMES: readonly StageOutcome[] = ['passed', 'surfaced', 'halted', 'skipped'];

export interface StageFindingRow extends StageFinding {
  stage: StageName;
}

/** The stage that stopped the run, if one did. */
export function haltedStage(run: BuildRun): StageRecord | undefined {
  return run.stages.find((record) => record.outcome === 'halted');
}

/** Every stage's findings in pipeline order, tagged with their stage. */
export function stageFindingRows(run: BuildRun): StageFindingRow[] {
  return run.stages.flatMap((record) => record.findings.map((finding) => ({ stage: record.stage, ...finding })));
}

/** Blocking findings first, then by severity, highest first; otherwise in the order the checks gave them. */
export function byImportance(findings: readonly StageFinding[]): StageFinding[] {
  return [...findings].sort(
    (a, b) => Number(b.blocking) - Number(a.blocking) || compareSeverity(b.severity, a.severity),
  );
}

/** `package`, else `file:line`, else nothing. */
export function findingWhere(finding: StageFinding): string {
  return finding.package ?? (finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}` : '');
}

export function countOutcomes(run: BuildRun): Record<StageOutcome, number> {
  const counts: Record<StageOutcome, number> = { passed: 0, surfaced: 0, halted: 0, skipped: 0 };
  for (const record of run.stages) counts[record.outcome]++;
  return counts;
}

export function totalMs(run: BuildRun): number {
  return run.stages.reduce((sum, record) => sum + record.ms, 0);
}

/** `34 ms`, `2.2 s`, `3 min 12 s`: milliseconds while they are readable, then coarser. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 600_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** What the run produced, from the stages that produce it: packages, signature bundles, the SBOM, the build log, safe pins. */
export interface RunOutputs {
  artifacts: BuiltArtifact[];
  bundles: string[];
  sbom?: string;
  log?: string;
  safePins: string[];
}

export function runOutputs(run: BuildRun): RunOutputs {
  const outputs: RunOutputs = { artifacts: [], bundles: [], safePins: [] };
  for (const record of run.stages) {
    const details = record.details ?? {};
    outputs.artifacts.push(...artifactList(details.artifacts));
    outputs.bundles.push(...stringList(details.bundles));
    outputs.safePins.push(...stringList(details.safePins));
    if (typeof details.sbom === 'string') outputs.sbom = details.sbom;
    if (typeof details.log === 'string') outputs.log = details.log;
  }
  return outputs;
}

export function safePins(run: BuildRun): string[] {
  return runOutputs(run).safePins;
}

export function artifactList(value: unknown): BuiltArtifact[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is BuiltArtifact =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as BuiltArtifact).file === 'string' &&
      typeof (item as BuiltArtifact).sha256 === 'string',
  );
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
