/**
 * The one way cvebuild writes a file a user names (reports, SBOMs, bundles, sidecars, keys):
 *
 * - never through a symlink: not the file itself, nor a directory on the way that lies inside the
 *   working directory or the project (where a pull request can plant one); directories above them
 *   are the machine's own layout (`/tmp` → `/private/tmp` on macOS) and are taken as they are;
 * - never over one of the run's inputs, compared by device and inode, so a second name or a hard
 *   link to `pixi.lock` is caught as well as the name itself;
 * - atomically: a new file beside the target, flushed to disk, then renamed over it. A reader
 *   sees the old file or the new one, a failed write leaves the old one, and the rename replaces
 *   whatever is at the name rather than writing through it.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { randomHex } from '../util/on-demand-crypto.ts';
import { writeError } from './errors.ts';
import { inputWithIdentity } from './inputs.ts';

export interface OutputOptions {
  /** Permission bits of a new file, before the umask (default 0o666). A replaced file keeps its own. */
  mode?: number;
  /** Fail when the file exists, even if it is created meanwhile (keys are never overwritten). */
  exclusive?: boolean;
  /** The one input this write may replace: a sidecar read in order to append to it. */
  replacing?: string;
  /** More directories whose contents may be untrusted, besides the working directory: the project. */
  untrusted?: readonly string[];
}

export function writeOutputFile(path: string, data: string | Uint8Array, options: OutputOptions = {}): void {
  const target = resolve(path);
  const existing = checkOutputFile(path, options);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomHex(4)}.tmp`);
  let fd: number;
  try {
    fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o666);
  } catch (error) {
    throw writeError(path, error);
  }
  try {
    if (existing) fchmodSync(fd, Number(existing.mode & 0o777n));
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeQuietly(fd);
    removeQuietly(temporary);
    throw writeError(path, error);
  }
  try {
    if (options.exclusive) {
      placeExclusively(temporary, target);
    } else {
      renameSync(temporary, target);
    }
  } catch (error) {
    removeQuietly(temporary);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw refused(path, 'already exists');
    throw writeError(path, error);
  }
  syncDirectory(dirname(target));
}

/**
 * The checks of `writeOutputFile` without writing, for a command to refuse a destination before it
 * does the work, or before it reads the file it will replace (a sidecar it appends to). Returns
 * what is at the path now.
 */
export function checkOutputFile(path: string, options: OutputOptions = {}): BigIntStats | undefined {
  const target = resolve(path);
  refuseLinkedDirectories(path, target, [process.cwd(), ...(options.untrusted ?? []).map((root) => resolve(root))]);
  const existing = lstatOrNothing(path, target);
  if (existing) refuseExisting(path, existing, options);
  return existing;
}

/** link(2), unlike rename(2), fails when the name exists; file systems without hard links get a check first. */
function placeExclusively(temporary: string, target: string): void {
  try {
    linkSync(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    if (lstatSync(target, { throwIfNoEntry: false })) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    renameSync(temporary, target);
    return;
  }
  unlinkSync(temporary);
}

function refuseExisting(path: string, existing: BigIntStats, options: OutputOptions): void {
  if (existing.isSymbolicLink()) {
    throw refused(path, 'is a symbolic link; cvebuild does not write through links (remove it or choose another path)');
  }
  if (!existing.isFile()) {
    throw refused(path, `is not a regular file (${existing.isDirectory() ? 'a directory' : 'a special file'})`);
  }
  if (options.exclusive) throw refused(path, 'already exists');
  const input = inputWithIdentity(existing);
  if (input === undefined || (options.replacing !== undefined && sameFile(options.replacing, existing))) return;
  const which = resolve(input) === resolve(path) ? '' : ` (the same file as ${input})`;
  throw refused(path, `is an input of this run${which}; refusing to overwrite it`);
}

/** Each directory from an untrusted root down to the file must be a directory, not a link to one. */
function refuseLinkedDirectories(path: string, target: string, roots: readonly string[]): void {
  const top = parse(target).root;
  for (let directory = dirname(target); directory !== top; directory = dirname(directory)) {
    if (!roots.some((root) => directory.startsWith(root.endsWith(sep) ? root : `${root}${sep}`))) continue;
    let stats: ReturnType<typeof lstatSync> | undefined;
    try {
      stats = lstatSync(directory, { throwIfNoEntry: false });
    } catch (error) {
      throw writeError(path, error);
    }
    if (stats?.isSymbolicLink()) {
      throw refused(path, `${directory} is a symbolic link; cvebuild does not write through links in the project`);
    }
  }
}

function lstatOrNothing(path: string, target: string): BigIntStats | undefined {
  try {
    return lstatSync(target, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    throw writeError(path, error);
  }
}

function sameFile(other: string, stats: BigIntStats): boolean {
  const theirs = statSync(other, { bigint: true, throwIfNoEntry: false });
  return theirs !== undefined && theirs.dev === stats.dev && theirs.ino === stats.ino;
}

function refused(path: string, reason: string): CvebuildError {
  return new CvebuildError('OUTPUT_REFUSED', reason, { file: path });
}

/** Makes the rename itself durable; some file systems cannot sync a directory, which is fine. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}
