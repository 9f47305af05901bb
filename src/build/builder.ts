/**
 * Running the builder: a fresh work directory, an environment holding only what the build needs
 * (PATH, HOME = the work directory, LANG, the four build variables and the `--pass-env` names;
 * never the caller's tokens), a time limit that kills the builder's whole process group, and the
 * `.conda` / `.tar.bz2` files it left in the output directory.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CONDA_ARTIFACT } from '../attest/statement.ts';
import { CvebuildError } from '../errors.ts';
import type { BuilderOptions } from './types.ts';

export const DEFAULT_BUILDER = 'rattler-build';

export interface BuildDirectories {
  recipeDir: string;
  workDir: string;
  outputDir: string;
  logFile: string;
  targetPlatform: string;
}

/** The builder's environment: nothing of the caller's but PATH, LANG and the names passed. */
export function scrubbedEnvironment(
  options: Pick<BuilderOptions, 'passEnv'>,
  dirs: Omit<BuildDirectories, 'logFile'>,
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: from.PATH ?? '/usr/bin:/bin',
    HOME: dirs.workDir,
    LANG: from.LANG ?? 'C.UTF-8',
  };
  for (const name of options.passEnv) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    RECIPE_DIR: dirs.recipeDir,
    WORK_DIR: dirs.workDir,
    OUTPUT_DIR: dirs.outputDir,
    TARGET_PLATFORM: dirs.targetPlatform,
  };
}

/**
 * The command that builds: `--build-command`, else rattler-build when it is on PATH, given the
 * recipe, the output directory, the channels the requirements were solved against (so it resolves
 * from the same ones), and the target platform unless it is noarch, which the recipe decides.
 */
export function builderCommand(
  options: BuilderOptions,
  dirs: BuildDirectories,
  channels: readonly string[] = [],
): string {
  if (options.command !== undefined) return options.command;
  if (!onPath(DEFAULT_BUILDER))
    throw new CvebuildError('BUILD_FAILED', `no builder: install ${DEFAULT_BUILDER} or give --build-command`);
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  return [
    `${DEFAULT_BUILDER} build --recipe ${quote(dirs.recipeDir)} --output-dir ${quote(dirs.outputDir)}`,
    ...(dirs.targetPlatform === 'noarch' ? [] : [`--target-platform ${quote(dirs.targetPlatform)}`]),
    ...channels.map((channel) => `--channel ${quote(channel)}`),
  ].join(' ');
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => statSync(join(dir, command), { throwIfNoEntry: false })?.isFile() === true);
}

/** Runs the build; resolves with the archives it produced, or throws the one line that says why not. */
export async function runBuilder(
  options: BuilderOptions,
  dirs: BuildDirectories,
  command: string = builderCommand(options, dirs),
): Promise<string[]> {
  rmSync(dirs.workDir, { recursive: true, force: true });
  rmSync(dirs.outputDir, { recursive: true, force: true });
  mkdirSync(dirs.workDir, { recursive: true });
  mkdirSync(dirs.outputDir, { recursive: true });
  const log = createWriteStream(dirs.logFile);
  const status = await new Promise<{ code: number | null; timedOut: boolean }>((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: dirs.workDir,
      env: scrubbedEnvironment(options, dirs),
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group, so the time limit stops everything the builder started
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, options.timeoutMs);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut });
    });
  });
  await new Promise<void>((resolve) => log.end(resolve));
  if (status.timedOut)
    throw new CvebuildError('BUILD_FAILED', `the builder ran past its time limit (${options.timeoutMs / 1000} s)`, {
      file: dirs.logFile,
    });
  if (status.code !== 0)
    throw new CvebuildError(
      'BUILD_FAILED',
      `the builder failed (exit ${status.code ?? 'signal'}); its output is in this log`,
      {
        file: dirs.logFile,
      },
    );
  const archives = findArchives(dirs.outputDir);
  if (archives.length === 0)
    throw new CvebuildError('BUILD_FAILED', 'the builder left no .conda or .tar.bz2 file in the output directory', {
      file: dirs.outputDir,
    });
  return archives;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Archives in the output directory and its subdir folders (rattler-build writes `OUTPUT/<subdir>/`). */
export function findArchives(outputDir: string): string[] {
  if (!existsSync(outputDir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(outputDir, { withFileTypes: true })) {
    const path = join(outputDir, entry.name);
    if (entry.isFile() && CONDA_ARTIFACT.test(entry.name)) found.push(path);
    else if (entry.isDirectory())
      for (const inner of readdirSync(path, { withFileTypes: true }))
        if (inner.isFile() && CONDA_ARTIFACT.test(inner.name)) found.push(join(path, inner.name));
  }
  return found.sort();
}
