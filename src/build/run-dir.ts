/**
 * The run directory: named by the digest of the recipe directory's files and the inputs that
 * change results, so the same recipe with the same flags lands in the same place and `--resume`
 * can tell which stages have nothing new to look at. Each stage's record is one JSON file there.
 */
import { createHash } from 'node:crypto';
import { type Dirent, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { toJson } from '../text/json.ts';
import { STAGE_NAMES, type StageName, type StageRecord } from './types.ts';

/** A recipe directory is a handful of files; more than this is the wrong directory. */
const MAX_RECIPE_FILES = 10_000;

/**
 * sha256 over every file's relative path and content (a symlink: its target, never followed).
 * Paths under `exclude` (the run directories, when they sit inside the recipe) are left out.
 */
export function recipeDigest(recipeDir: string, exclude: readonly string[] = []): string {
  const hash = createHash('sha256');
  walkRecipe(recipeDir, exclude, (name, path, entry) => {
    if (entry.isSymbolicLink()) {
      hash.update(`link\0${name}\0${readlinkSync(path)}\0`);
    } else {
      hash.update(`file\0${name}\0${lstatSync(path).size}\0`);
      hash.update(readFileSync(path));
    }
  });
  return hash.digest('hex');
}

/** A file of the recipe directory: its path there, and its sha256 (a symlink: its target instead). */
export interface RecipeFile {
  name: string;
  path: string;
  sha256?: string;
  linkTarget?: string;
}

/** The files `recipeDigest` covers, one by one, in the same order. */
export function recipeFiles(recipeDir: string, exclude: readonly string[] = []): RecipeFile[] {
  const files: RecipeFile[] = [];
  walkRecipe(recipeDir, exclude, (name, path, entry) => {
    if (entry.isSymbolicLink()) files.push({ name, path, linkTarget: readlinkSync(path) });
    else files.push({ name, path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') });
  });
  return files;
}

/** Every regular file and symlink under `recipeDir` (sorted by name, depth first), outside `exclude`. */
function walkRecipe(
  recipeDir: string,
  exclude: readonly string[],
  visit: (name: string, path: string, entry: Dirent) => void,
): void {
  const skipped = exclude.map((path) => resolve(path));
  const root = resolve(recipeDir);
  let count = 0;
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (skipped.some((skip) => path === skip || path.startsWith(`${skip}${sep}`))) continue;
      if (++count > MAX_RECIPE_FILES)
        throw new CvebuildError('RECIPE_INVALID', `more than ${MAX_RECIPE_FILES} files: not a recipe directory`, {
          file: recipeDir,
        });
      if (entry.isDirectory()) walk(path);
      else if (entry.isSymbolicLink() || entry.isFile()) visit(relative(root, path), path, entry);
    }
  };
  walk(root);
}

export function digestOf(...parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The run's directory under `outputDir`: the digest's first 16 hex digits are plenty to tell runs apart. */
export function runDirectoryFor(outputDir: string, runDigest: string): string {
  return join(resolve(outputDir), `run-${runDigest.slice(0, 16)}`);
}

const recordFile = (runDir: string, stage: StageName) =>
  join(runDir, 'stages', `${String(STAGE_NAMES.indexOf(stage) + 1).padStart(2, '0')}-${stage}.json`);

export function writeStageRecord(runDir: string, record: StageRecord): void {
  mkdirSync(join(runDir, 'stages'), { recursive: true });
  writeFileSync(recordFile(runDir, record.stage), `${toJson(record)}\n`);
}

/** The record an earlier run left, or undefined when there is none (or it is not one of ours). */
export function readStageRecord(runDir: string, stage: StageName): StageRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordFile(runDir, stage), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as StageRecord;
    return record.stage === stage && typeof record.inputs === 'string' ? record : undefined;
  } catch {
    throw new CvebuildError('JSON_SYNTAX', 'not a stage record', { file: recordFile(runDir, stage) });
  }
}

/** `--resume RUN_DIR` must name a run directory: one with stage records. */
export function checkResumable(runDir: string): void {
  const stat = lstatSync(join(runDir, 'stages'), { throwIfNoEntry: false });
  if (!stat?.isDirectory())
    throw new CvebuildError('USAGE', '--resume: not a run directory (no stages/ in it)', { file: runDir });
}
