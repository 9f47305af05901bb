/**
 * `cvebuild build RECIPE_DIR`: the flags into a build request, the engine every stage calls, and
 * the report. Exit 0 when every stage passed or surfaced, 1 when one halted, 2 when the build
 * could not run (bad recipe, unsatisfiable requirements, no builder, a build past its time limit,
 * missing threat data).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_OUTPUT_DIR, runBuild } from '../build/pipeline.ts';
import { buildJson, buildMarkdown, buildTable } from '../build/report.ts';
import { solveChannel } from '../build/resolve/channels.ts';
import { threatDataStamp } from '../build/threat-data-stamp.ts';
import type { BuildEvent } from '../build/types.ts';
import { isKnownSubdir } from '../conda/platforms.ts';
import { createEngine } from '../engine/engine.ts';
import { CvebuildError } from '../errors.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { openIntelStore } from '../intel/open.ts';
import { toJson } from '../text/json.ts';
import { commandPolicy, parseNow } from './audit.ts';

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
  format?: 'table' | 'json' | 'markdown';
  output?: string;
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
  for (const file of [options.output, options.events]) if (file) checkOutputFile(file, { untrusted: [recipeDir] });
  const now = options.now ? parseNow(options.now) : new Date();
  const policy = commandPolicy(recipeDir, options);
  if (options.events) writeFileSync(options.events, '');
  const onEvent = options.events
    ? (event: BuildEvent) => appendFileSync(options.events as string, `${toJson(event, { indent: 0 })}\n`)
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
    });
    const text =
      options.format === 'json' ? buildJson(run) : options.format === 'markdown' ? buildMarkdown(run) : buildTable(run);
    if (options.output) writeOutputFile(options.output, buildJson(run), { untrusted: [recipeDir] });
    return { text, exitCode: run.outcome === 'fail' ? 1 : 0 };
  } finally {
    engine.close();
  }
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BUILD_TIMEOUT_S * 1000;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0))
    throw new CvebuildError('USAGE', `--timeout: not a number of seconds: ${JSON.stringify(text)}`);
  return seconds * 1000;
}
