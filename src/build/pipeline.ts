/**
 * `cvebuild build`: the stages in order, each through the engine, each recorded in the run
 * directory with its outcome and time. A halted stage stops the pipeline (the rest are recorded as
 * skipped, saying why) and fails the run; anything that keeps a stage from running at all (a bad
 * recipe, no builder, a build past its time limit) is a `CvebuildError`: exit 2.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { readInventory } from '../engine/read-project.ts';
import { CvebuildError } from '../errors.ts';
import type { Policy } from '../policy/policy.ts';
import { findRecipe, recipeRequirements } from './recipe.ts';
import {
  checkResumable,
  digestOf,
  readStageRecord,
  recipeDigest,
  runDirectoryFor,
  writeStageRecord,
} from './run-dir.ts';
import { artifactScanStage } from './stages/artifact-scan.ts';
import { buildStage } from './stages/build.ts';
import { cveAuditStage } from './stages/cve-audit.ts';
import { provenanceStage } from './stages/provenance.ts';
import { resolveStage } from './stages/resolve.ts';
import { sastStage } from './stages/sast.ts';
import { sbomStage } from './stages/sbom.ts';
import { secretsStage } from './stages/secrets.ts';
import { signStage } from './stages/sign.ts';
import { threatIntelStage } from './stages/threat-intel.ts';
import { typosquatStage } from './stages/typosquat.ts';
import type { BuildContext, BuildEvent, BuilderOptions, SignOptions, Stage, StageName, StageRecord } from './types.ts';

export const STAGES: readonly Stage[] = [
  typosquatStage,
  threatIntelStage,
  resolveStage,
  cveAuditStage,
  sastStage,
  secretsStage,
  buildStage,
  artifactScanStage,
  signStage,
  sbomStage,
  provenanceStage,
];

/** Stages that look at the built archives: their inputs include the archives' digests. */
const AFTER_BUILD = new Set<StageName>(['artifact-scan', 'sign', 'sbom', 'provenance']);

/** Stages whose result depends on how the run signs. */
const SIGNED = new Set<StageName>(['sign', 'provenance']);

export interface BuildRequest {
  recipeDir: string;
  /** Where run directories go (default `./cvebuild-runs`). */
  outputDir?: string;
  /** An earlier run's directory: stages whose inputs are unchanged are not run again. */
  resume?: string;
  build: BuilderOptions;
  sign: SignOptions;
  targetPlatform: string;
  /** Channel URLs to solve the requirements against, in priority order. */
  channels: string[];
  engine: Engine;
  policy: Policy;
  offline: boolean;
  now: Date;
  /** Everything else that changes results (the threat data, the policy's source): part of the run's digest. */
  inputs: Record<string, unknown>;
  onEvent?: (event: BuildEvent) => void;
}

export interface BuildRun {
  runDir: string;
  recipeFile: string;
  digest: string;
  stages: StageRecord[];
  outcome: 'pass' | 'fail';
}

export const DEFAULT_OUTPUT_DIR = 'cvebuild-runs';

export async function runBuild(request: BuildRequest): Promise<BuildRun> {
  const recipeDir = resolve(request.recipeDir);
  const recipeFile = findRecipe(recipeDir);
  const outputDir = resolve(request.outputDir ?? DEFAULT_OUTPUT_DIR);
  if (request.resume !== undefined) checkResumable(request.resume);
  const lockFile = join(recipeDir, 'pixi.lock');
  const lock = existsSync(lockFile) ? { file: lockFile, inventory: readInventory(lockFile) } : undefined;
  if (!lock && request.channels.length > 0 && request.offline)
    throw new CvebuildError(
      'USAGE',
      `--offline: solving the requirements against ${request.channels.join(', ')} needs the network; drop --offline, or put a pixi.lock beside the recipe`,
    );
  const requirements = recipeRequirements(recipeFile, request.targetPlatform).inventory;
  const exclude = [outputDir, ...(request.resume ? [resolve(request.resume)] : [])];
  const digest = digestOf(recipeDigest(recipeDir, exclude), {
    ...request.inputs,
    buildCommand: request.build.command ?? null,
    passEnv: [...request.build.passEnv].sort(),
    targetPlatform: request.targetPlatform,
    offline: request.offline,
    channel: request.sign.channel ?? null,
    channels: request.channels,
    // what the solver is told about the platform (conda's variables, as pixi and mamba read them)
    ...(request.channels.length > 0
      ? {
          condaOverrides: Object.entries(process.env)
            .filter(([name]) => name.startsWith('CONDA_OVERRIDE_'))
            .sort(),
        }
      : {}),
  });
  const runDir = request.resume ? resolve(request.resume) : runDirectoryFor(outputDir, digest);
  mkdirSync(runDir, { recursive: true });
  const records: StageRecord[] = [];
  const context: BuildContext = {
    recipeDir,
    recipeFile,
    recipeExclude: exclude,
    runDir,
    runDigest: digest,
    outputDir: join(runDir, 'output'),
    engine: request.engine,
    policy: request.policy,
    offline: request.offline,
    targetPlatform: request.targetPlatform,
    requirements,
    ...(lock ? { lock } : {}),
    channels: request.channels,
    build: request.build,
    sign: request.sign,
    now: request.now,
    artifacts: [],
    stages: records,
    emit: (event) => request.onEvent?.(event),
  };
  let haltedAt: StageName | undefined;
  for (const stage of STAGES) {
    const inputs = digestOf(
      digest,
      stage.name,
      // how it signs (never the token itself): a run that now signs does not resume an unsigned one
      SIGNED.has(stage.name) ? signMode(request.sign) : null,
      AFTER_BUILD.has(stage.name) ? context.artifacts.map((artifact) => artifact.sha256) : [],
    );
    context.emit({ type: 'stage-start', stage: stage.name });
    const started = performance.now();
    let record: StageRecord;
    if (haltedAt) {
      record = { stage: stage.name, outcome: 'skipped', findings: [], reason: `halted at ${haltedAt}`, ms: 0, inputs };
    } else {
      const earlier = request.resume ? readStageRecord(runDir, stage.name) : undefined;
      const resumable =
        earlier !== undefined &&
        earlier.inputs === inputs &&
        earlier.outcome !== 'halted' &&
        (stage.restore ? await stage.restore(earlier, context) : true);
      if (resumable && earlier) {
        const recorded = earlier.recorded ?? earlier.outcome;
        record = {
          ...earlier,
          outcome: 'skipped',
          recorded,
          reason: `resumed: ${recorded} in an earlier run with the same inputs`,
          ms: Math.round(performance.now() - started),
        };
      } else {
        const result = await stage.run(context);
        record = { stage: stage.name, ...result, ms: Math.round(performance.now() - started), inputs };
        writeStageRecord(runDir, record);
      }
      if (record.outcome === 'halted') haltedAt = stage.name;
    }
    records.push(record);
    context.emit({
      type: 'stage-end',
      stage: stage.name,
      outcome: record.outcome,
      ms: record.ms,
      findings: record.findings.length,
      ...(record.reason ? { reason: record.reason } : {}),
    });
  }
  return { runDir, recipeFile, digest, stages: records, outcome: haltedAt ? 'fail' : 'pass' };
}

function signMode(sign: SignOptions): string {
  if (sign.keyFile !== undefined) return 'keyed';
  if (sign.keyless) return `keyless ${sign.keyless.fulcioUrl ?? ''} ${sign.keyless.rekorUrl ?? ''}`;
  return 'none';
}
