/**
 * Directories of package archives the user points at (a conda pkgs cache, a local channel
 * `<channel>/<subdir>/`, or a folder of channels): which archive files they hold, by file name,
 * and the link-script flags of any channel's channeldata.json.
 */
import { closeSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { readError } from '../fs/errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import { openRegularFile } from '../fs/regular-file.ts';
import { createSha256 } from '../util/on-demand-crypto.ts';

/** channeldata.json install-time flags that name link scripts (activate.d is not one). */
export const CHANNELDATA_FLAGS = { pre_link: 'pre-link', post_link: 'post-link', pre_unlink: 'pre-unlink' } as const;
export type ChanneldataFlag = keyof typeof CHANNELDATA_FLAGS;

export interface ChanneldataHints {
  file: string;
  /** Package name → the flags channeldata.json sets to true. */
  packages: Map<string, ChanneldataFlag[]>;
}

export interface PackageDirIndex {
  /** Archive file name → paths, sorted. */
  archives: Map<string, string[]>;
  channeldata: ChanneldataHints[];
}

/** Files at depth 0..2 cover a pkgs cache, a channel, and a folder of channels; symlinked dirs are not followed. */
const MAX_DEPTH = 2;

export function indexPackageDirs(dirs: readonly string[]): PackageDirIndex {
  const index: PackageDirIndex = { archives: new Map(), channeldata: [] };
  for (const dir of dirs) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new CvebuildError('INPUT_NOT_FOUND', 'package directory not found', { file: dir });
    }
    walk(dir, 0, index);
  }
  for (const paths of index.archives.values()) paths.sort();
  return index;
}

function walk(dir: string, depth: number, index: PackageDirIndex): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH) walk(path, depth + 1, index);
    } else if (entry.isFile() && (entry.name.endsWith('.conda') || entry.name.endsWith('.tar.bz2'))) {
      const paths = index.archives.get(entry.name) ?? [];
      paths.push(path);
      index.archives.set(entry.name, paths);
    } else if (entry.isFile() && entry.name === 'channeldata.json' && depth < MAX_DEPTH) {
      index.channeldata.push(readChanneldata(path));
    }
  }
}

function readChanneldata(file: string): ChanneldataHints {
  const text = readTextInput(file);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CvebuildError('JSON_SYNTAX', `not valid JSON: ${(error as Error).message.split('\n')[0]}`, { file });
  }
  const hints: ChanneldataHints = { file, packages: new Map() };
  const packages = isObject(document) && isObject(document.packages) ? document.packages : {};
  for (const [name, record] of Object.entries(packages)) {
    if (!isObject(record)) continue;
    const flags = (Object.keys(CHANNELDATA_FLAGS) as ChanneldataFlag[]).filter((flag) => record[flag] === true);
    if (flags.length > 0) hints.packages.set(name, flags);
  }
  return hints;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sha256OfFile(file: string): string {
  const hash = createSha256();
  const buffer = Buffer.alloc(1024 * 1024);
  const { fd } = openRegularFile(file);
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
  } catch (error) {
    throw readError(file, error);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
