/**
 * Which reader reads which input. A file is recognised by its name and, for generic names, by a
 * look at its first lines; a directory by the project files it holds (pixi.lock, pixi.toml,
 * conda-lock.yml, environment.yml, recipes, a conda-meta/ prefix).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { fsError } from '../fs/read-input.ts';
import { readRegularHead } from '../fs/regular-file.ts';
import { condaMetaReader } from './conda-meta.ts';
import { environmentYmlReader } from './environment-yml.ts';
import { explicitReader } from './explicit.ts';
import { lockReader } from './lockfile.ts';
import { pixiManifestReader, pyprojectHasPixi, pyprojectReader } from './pixi-manifest.ts';
import { condaBuildRecipeReader, rattlerRecipeReader } from './recipe.ts';
import type { Reader } from './types.ts';

export interface DetectedInput {
  path: string;
  reader: Reader;
}

const SNIFF_BYTES = 8192;

export function detectInputs(path: string): DetectedInput[] {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    throw fsError(path, error);
  }
  if (!stats.isDirectory() && !stats.isFile()) {
    throw new CvebuildError('INPUT_UNREADABLE', 'not a regular file or directory', { file: path });
  }
  if (!stats.isDirectory()) {
    const reader = readerForFile(path);
    if (!reader) {
      throw new CvebuildError(
        'INPUT_UNRECOGNIZED',
        'not a format cvebuild reads (pixi.lock, pixi.toml, pyproject.toml, conda-lock.yml, environment.yml, @EXPLICIT list, recipe.yaml, meta.yaml)',
        { file: path },
      );
    }
    return [{ path, reader }];
  }
  return detectInDirectory(path);
}

function detectInDirectory(directory: string): DetectedInput[] {
  if (existsSync(join(directory, 'conda-meta')) && statSync(join(directory, 'conda-meta')).isDirectory()) {
    return [{ path: directory, reader: condaMetaReader }];
  }
  let names: string[];
  try {
    names = readdirSync(directory).sort();
  } catch (error) {
    throw fsError(directory, error);
  }
  const found: DetectedInput[] = [];
  for (const name of names) {
    const path = join(directory, name);
    if (!isFile(path)) continue;
    const reader = readerForFile(path, { onlyKnownNames: true });
    if (reader) found.push({ path, reader });
  }
  for (const nested of ['recipe/recipe.yaml', 'recipe/meta.yaml']) {
    const path = join(directory, nested);
    if (isFile(path))
      found.push({ path, reader: nested.endsWith('meta.yaml') ? condaBuildRecipeReader : rattlerRecipeReader });
  }
  if (found.length === 0) {
    throw new CvebuildError(
      'INPUT_UNRECOGNIZED',
      'no project files found (looked for pixi.lock, pixi.toml, pyproject.toml, conda-lock.yml, environment.yml, @EXPLICIT lists, recipe.yaml, meta.yaml, conda-meta/)',
      { file: directory },
    );
  }
  return found;
}

function readerForFile(path: string, options: { onlyKnownNames?: boolean } = {}): Reader | undefined {
  const name = basename(path).toLowerCase();
  if (name === 'pixi.lock' || /(^|[.-])conda-lock\.ya?ml$/.test(name)) return lockReader;
  if (name === 'pixi.toml') return pixiManifestReader;
  if (name === 'pyproject.toml') return pyprojectReader;
  if (name === 'recipe.yaml' || name === 'recipe.yml') return rattlerRecipeReader;
  if (name === 'meta.yaml' || name === 'meta.yml') return condaBuildRecipeReader;
  if (/^environment\.ya?ml$/.test(name) || /\.environment\.ya?ml$/.test(name)) return environmentYmlReader;
  // Other names: only look inside text-like files; in a directory, only at lock-like names.
  const lockLike = /\.(lock|ya?ml|txt)$/.test(name);
  if (options.onlyKnownNames && !lockLike) return undefined;
  const head = sniff(path);
  if (/^@EXPLICIT\s*$/m.test(head)) return explicitReader;
  if (/^(environments|package|packages):/m.test(head) && /\.(lock|ya?ml)$/.test(name)) return lockReader;
  if (options.onlyKnownNames) return undefined;
  if (/\.ya?ml$/.test(name) && /^(dependencies|channels):/m.test(head)) return environmentYmlReader;
  if (/\.toml$/.test(name)) return pyprojectHasPixi(head) ? pyprojectReader : pixiManifestReader;
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first bytes of a file, as text; empty when unreadable (the reader reports that properly). */
function sniff(path: string): string {
  try {
    return readRegularHead(path, SNIFF_BYTES, { input: false }).toString('utf8');
  } catch {
    return '';
  }
}
