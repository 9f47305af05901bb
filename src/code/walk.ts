/**
 * The files a code scan looks at: every regular file under the root that git would track and the
 * user did not exclude. `.gitignore` files (at every level, plus `.git/info/exclude`) and
 * `.cvebuildignore` files (same syntax) are honoured the way git does, through the `ignore`
 * package; directories that hold third-party code or tool caches are never entered. Binaries and
 * files over the size bound are set aside and reported, so a caller can say what it did not read.
 */
import { type Dirent, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Ignore } from 'ignore';
import { CvebuildError } from '../errors.ts';
import { readRegularFile, readRegularHead } from '../fs/regular-file.ts';
import { ignoreRules } from './ignore-rules.ts';
import type { CodeFile } from './types.ts';

/**
 * Never entered: version control, environments and caches. Dependencies are the other checks'
 * business (they are audited from the lock), and `.pixi/envs` alone holds tens of thousands of files.
 */
export const ALWAYS_SKIPPED_DIRECTORIES: readonly string[] = [
  '.git',
  '.hg',
  '.svn',
  '.pixi',
  '.venv',
  'node_modules',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
];

/** Extensions that are binary or archives whatever their first bytes say (not read at all). */
const BINARY_EXTENSIONS = new Set([
  ...['png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'webp', 'tif', 'tiff', 'pdf', 'psd'],
  ...['zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'tar', 'whl', 'conda', 'egg', 'jar'],
  ...['so', 'dylib', 'dll', 'exe', 'o', 'a', 'lib', 'pyc', 'pyo', 'pyd', 'class', 'wasm', 'node'],
  ...['npy', 'npz', 'h5', 'hdf5', 'parquet', 'feather', 'pkl', 'pickle', 'pt', 'pth', 'onnx', 'safetensors'],
  ...['woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'wav', 'ogg', 'mov', 'avi', 'sqlite', 'db'],
]);

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/** How many leading bytes decide "binary" (git looks at the first 8,000 for a NUL). */
const SNIFF_BYTES = 8000;

export interface WalkOptions {
  /** Files larger than this many bytes are not read (default 5 MiB: the largest corpus pixi.lock is 2.9 MB). */
  maxFileSize?: number;
  /** More gitignore-style patterns, relative to the root (the policy's `exclude`). */
  exclude?: readonly string[];
}

export type SkipReason = 'binary' | 'too-large' | 'unreadable';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  size?: number;
}

export interface WalkResult {
  root: string;
  files: CodeFile[];
  skipped: SkippedFile[];
}

interface IgnoreScope {
  /** The directory the patterns are relative to, `/`-separated relative to the root ('' = root). */
  base: string;
  matcher: Ignore;
}

export function walkCode(root: string, options: WalkOptions = {}): WalkResult {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  let rootStat: ReturnType<typeof statSync>;
  try {
    rootStat = statSync(root);
  } catch {
    throw new CvebuildError('INPUT_NOT_FOUND', `${root}: no such file or directory to scan`);
  }
  if (!rootStat.isDirectory() && !rootStat.isFile()) {
    throw new CvebuildError('INPUT_UNREADABLE', 'not a regular file or directory, nothing to scan', { file: root });
  }
  if (!rootStat.isDirectory()) return walkSingleFile(root, maxFileSize);
  const files: CodeFile[] = [];
  const skipped: SkippedFile[] = [];
  const rootScopes: IgnoreScope[] = [];
  const infoExclude = join(root, '.git', 'info', 'exclude');
  const excluded = existsSync(infoExclude) ? readOrUndefined(infoExclude) : undefined;
  if (excluded !== undefined) rootScopes.push({ base: '', matcher: ignoreRules(excluded) });
  if (options.exclude && options.exclude.length > 0)
    rootScopes.push({ base: '', matcher: ignoreRules(options.exclude) });
  visit('', rootScopes);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, skipped };

  function visit(directory: string, inherited: IgnoreScope[]): void {
    const absoluteDirectory = directory === '' ? root : join(root, directory);
    const scopes = [...inherited, ...ignoreFilesIn(absoluteDirectory, directory)];
    let entries: Dirent[];
    try {
      entries = readdirSync(absoluteDirectory, { withFileTypes: true, encoding: 'utf8' });
    } catch {
      skipped.push({ path: directory || '.', reason: 'unreadable' });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED_DIRECTORIES.includes(entry.name) || isIgnored(scopes, `${path}/`)) continue;
        visit(path, scopes);
      } else if (entry.isFile()) {
        if (isIgnored(scopes, path)) continue;
        const selected = selectFile(join(absoluteDirectory, entry.name), path, maxFileSize);
        if ('reason' in selected) skipped.push(selected);
        else files.push(selected);
      }
      // Symbolic links are not followed: a link can leave the tree or loop, and its target, when
      // inside the tree, is scanned under its own path.
    }
  }
}

function walkSingleFile(file: string, maxFileSize: number): WalkResult {
  const name = file.split(sep).pop() ?? file;
  const selected = selectFile(file, name, maxFileSize);
  const root = file.slice(0, file.length - name.length) || '.';
  return 'reason' in selected ? { root, files: [], skipped: [selected] } : { root, files: [selected], skipped: [] };
}

/** The `.gitignore` and `.cvebuildignore` of one directory, as scopes relative to it. */
function ignoreFilesIn(absoluteDirectory: string, directory: string): IgnoreScope[] {
  const scopes: IgnoreScope[] = [];
  for (const name of ['.gitignore', '.cvebuildignore']) {
    const file = join(absoluteDirectory, name);
    // not a symlink: an ignore file that points elsewhere is not the project's
    const text = isPlainFile(file) ? readOrUndefined(file) : undefined;
    if (text !== undefined) scopes.push({ base: directory, matcher: ignoreRules(text) });
  }
  return scopes;
}

function isIgnored(scopes: readonly IgnoreScope[], path: string): boolean {
  let ignored = false;
  for (const scope of scopes) {
    const local = scope.base === '' ? path : path.slice(scope.base.length + 1);
    // A deeper file's verdict (including a `!negation`) overrides the ones above it, as in git.
    const result = scope.matcher.test(local);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

function selectFile(absolute: string, path: string, maxFileSize: number): CodeFile | SkippedFile {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (path.includes('.') && BINARY_EXTENSIONS.has(extension)) return { path, reason: 'binary' };
  let size: number;
  try {
    size = statSync(absolute).size;
  } catch {
    return { path, reason: 'unreadable' };
  }
  if (size > maxFileSize) return { path, reason: 'too-large', size };
  try {
    if (looksBinary(absolute)) return { path, reason: 'binary', size };
  } catch {
    return { path, reason: 'unreadable', size };
  }
  return { path, absolute, size };
}

/** Git's rule: a NUL byte among the first 8,000 bytes makes a file binary. */
function looksBinary(absolute: string): boolean {
  return readRegularHead(absolute, SNIFF_BYTES, { input: false }).includes(0);
}

function isPlainFile(file: string): boolean {
  try {
    return lstatSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** An ignore file's text; one that cannot be read (or is a FIFO) is as good as absent. */
function readOrUndefined(file: string): string | undefined {
  try {
    return readRegularFile(file, { input: false }).toString('utf8');
  } catch {
    return undefined;
  }
}
