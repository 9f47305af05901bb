/**
 * `cvebuild build RECIPE_DIR`: the flags into a build request, the engine every stage calls, the
 * progress on a terminal (`build/progress.ts`), and the reports: `--format` on stdout and each
 * `--output [FORMAT=]FILE` in the format its name says, read as the gate's audit reads them (a
 * `.json` name still gets the JSON it always did; a name that tells no format is refused). Exit 0
 * when every stage passed or surfaced, 1 when one halted, 2 when the build could not run (bad
 * recipe, unsatisfiable requirements, no builder, a build past its time limit, missing threat data).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BuildRun, DEFAULT_OUTPUT_DIR, runBuild } from '../build/pipeline.ts';
import { progressWanted, stageProgress } from '../build/progress.ts';
import { applyRecipeDiff } from '../build/recipe-pins.ts';
import { BUILD_FORMATS, loadBuildRenderer } from '../build/report-formats.ts';
import { solveChannel } from '../build/resolve/channels.ts';
import { threatDataStamp } from '../build/threat-data-stamp.ts';
import type { BuildEvent } from '../build/types.ts';
import { isKnownSubdir } from '../conda/platforms.ts';
import { createEngine } from '../engine/engine.ts';
import { CvebuildError } from '../errors.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { projectRootOf } from '../fs/project-root.ts';
import { openIntelStore } from '../intel/open.ts';
import { toJson } from '../text/json.ts';
import { commandPolicy, parseNow } from './audit.ts';
import { parseOutputs } from './outputs.ts';

export interface BuildCommandOptions {
  outputDir?: string;
  buildCommand?: string;
  passEnv?: string[];
  timeout?: string;
  resume?: string;
  targetPlatform?: string;
  key?: string;
  sign?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  /** Channels to solve against (repeatable); the first is also the signing channel without --target-channel. */
  channel?: string[];
  targetChannel?: string;
  apply?: boolean;
  format?: string;
  output?: string[];
  events?: string;
  db?: string;
  policy?: string;
  maxDbAge?: string;
  offline?: boolean;
  now?: string;
}

export interface BuildCommandResult {
  text: string;
  exitCode: 0 | 1;
}

/** An hour: long enough for a real compile, short enough that a hung builder does not hold CI. */
export const DEFAULT_BUILD_TIMEOUT_S = 3600;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function buildCommand(recipeDir: string, options: BuildCommandOptions): Promise<BuildCommandResult> {
  // `--format F` for stdout; each `--output [FORMAT=]FILE` one more report, as the gate's
  const outputs = parseOutputs(options, BUILD_FORMATS, 'table');
  const timeoutMs = parseTimeout(options.timeout);
  const passEnv = options.passEnv ?? [];
  const bad = passEnv.find((name) => !ENV_NAME.test(name));
  if (bad !== undefined) throw new CvebuildError('USAGE', `--pass-env: not a variable name: ${JSON.stringify(bad)}`);
  if (options.sign !== undefined && options.sign !== 'keyless')
    throw new CvebuildError('USAGE', `--sign: only "keyless" is a mode (sign with a key through --key FILE)`);
  const keyless = options.sign === 'keyless';
  if (keyless && options.key) throw new CvebuildError('USAGE', '--sign keyless and --key: give one or the other');
  const channels = (options.channel ?? []).map(solveChannel);
  const targetChannel = options.targetChannel ?? options.channel?.[0];
  if ((options.key || keyless) && !targetChannel)
    throw new CvebuildError(
      'USAGE',
      `${options.key ? '--key' : '--sign keyless'} needs --target-channel (or a --channel): the channel URL the package is published to`,
    );
  const targetPlatform = options.targetPlatform ?? 'noarch';
  if (!isKnownSubdir(targetPlatform) || targetPlatform === 'unknown')
    throw new CvebuildError('USAGE', `--target-platform: not a conda platform: ${JSON.stringify(targetPlatform)}`);
  for (const file of [...outputs.files.map((output) => output.file), options.events])
    if (file) checkOutputFile(file, { untrusted: [recipeDir] });
  const now = options.now ? parseNow(options.now) : new Date();
  const policy = commandPolicy(recipeDir, options);
  if (options.events) writeFileSync(options.events, '');
  const progress = progressWanted(process.stderr, process.env, outputs.stdout)
    ? await stageProgress(process.stderr, process.env)
    : undefined;
  const events = options.events;
  const onEvent =
    events || progress
      ? (event: BuildEvent) => {
          if (events) appendFileSync(events, `${toJson(event, { indent: 0 })}\n`);
          progress?.onEvent(event);
        }
      : undefined;
  const engine = createEngine({ intel: () => openIntelStore({ db: options.db }), clock: () => now });
  try {
    const run = await runBuild({
      recipeDir,
      outputDir: options.outputDir ?? DEFAULT_OUTPUT_DIR,
      ...(options.resume ? { resume: options.resume } : {}),
      build: { ...(options.buildCommand ? { command: options.buildCommand } : {}), passEnv, timeoutMs },
      sign: {
        ...(options.key ? { keyFile: resolve(options.key) } : {}),
        ...(keyless
          ? {
              keyless: {
                ...(options.identityToken ? { identityToken: options.identityToken } : {}),
                ...(options.fulcioUrl ? { fulcioUrl: options.fulcioUrl } : {}),
                ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
              },
            }
          : {}),
        ...(targetChannel ? { channel: targetChannel } : {}),
      },
      targetPlatform,
      channels,
      engine,
      policy,
      offline: options.offline ?? false,
      now,
      inputs: { db: threatDataStamp(options.db), policy: policy.source ?? null },
      ...(onEvent ? { onEvent } : {}),
    }).catch((error: unknown) => {
      progress?.abort();
      throw error;
    });
    const context = { generatedAt: now, root: projectRootOf(recipeDir) };
    for (const { format, file } of outputs.files)
      writeOutputFile(file, (await loadBuildRenderer(format))(run, context), { untrusted: [recipeDir] });
    const text = (await loadBuildRenderer(outputs.stdout))(run, context);
    if (options.apply) applyPins(run);
    return { text, exitCode: run.outcome === 'fail' ? 1 : 0 };
  } finally {
    engine.close();
  }
}

/** `--apply`: the CVE audit's pins go into the recipe after the run; the next run builds with them. */
function applyPins(run: BuildRun): void {
  const audit = run.stages.find((record) => record.stage === 'cve-audit');
  const diff = audit?.details?.recipeDiff;
  if (typeof diff === 'string') {
    applyRecipeDiff(run.recipeFile, diff);
    process.stderr.write(
      `cvebuild: --apply: wrote the safe pins into ${run.recipeFile}; build again to build with them\n`,
    );
    return;
  }
  const why =
    audit?.outcome === 'skipped'
      ? `the CVE audit did not run: ${audit.reason ?? 'skipped'}`
      : 'the CVE audit proposed none';
  process.stderr.write(`cvebuild: --apply: no pins written (${why})\n`);
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BUILD_TIMEOUT_S * 1000;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0))
    throw new CvebuildError('USAGE', `--timeout: not a number of seconds: ${JSON.stringify(text)}`);
  return seconds * 1000;
}
