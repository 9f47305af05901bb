/**
 * Opening a file cvebuild reads: with O_NONBLOCK, so a FIFO with no writer cannot hang the open,
 * and refused unless the open descriptor is a regular file, so no FIFO, socket or device is ever
 * read (one would block or never end). The check is on the descriptor itself (fstat), not on a
 * path looked at earlier that could since have been replaced.
 */

import type { ReadStream } from 'node:fs';
import { type BigIntStats, closeSync, constants, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { CvebuildError } from '../errors.ts';
import { readError } from './errors.ts';
import { noteInput } from './inputs.ts';

const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export interface OpenedFile {
  fd: number;
  size: number;
}

export interface OpenOptions {
  /**
   * Record the file as an input of this run (default), so nothing is written over it. Files a
   * code scan merely reads are not inputs: rewriting last run's report in the scanned tree is fine.
   */
  input?: boolean;
}

/** Opens `path` for reading; throws INPUT_NOT_FOUND / INPUT_UNREADABLE naming the file otherwise. */
export function openRegularFile(path: string, options: OpenOptions = {}): OpenedFile {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    throw readError(path, error);
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) {
      throw new CvebuildError('INPUT_UNREADABLE', `not a regular file (${kindOf(stats)})`, { file: path });
    }
    if (options.input !== false) noteInput(path, stats);
    return { fd, size: Number(stats.size) };
  } catch (error) {
    closeSync(fd);
    throw readError(path, error);
  }
}

/**
 * The whole file, refusing more than `maxBytes` (checked on the size before reading, and again
 * while reading, since a file can grow).
 */
export function readRegularFile(
  path: string,
  options: OpenOptions & { maxBytes?: number; tooLarge?: (size: number) => CvebuildError } = {},
): Buffer {
  const { fd, size } = openRegularFile(path, options);
  try {
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const tooLarge = (bytes: number) =>
      options.tooLarge?.(bytes) ??
      new CvebuildError('INPUT_TOO_LARGE', `file is larger than ${limit} bytes`, { file: path });
    if (size > limit) throw tooLarge(size);
    // read in place into one buffer one byte larger than the file, so the usual case copies nothing;
    // a file that grows while being read makes it grow (and is still held to the limit)
    let buffer = Buffer.allocUnsafe(Math.max(size + 1, 8 * 1024));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, total);
        buffer = larger;
      }
      const read = readSync(fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
      if (total > limit) throw tooLarge(total);
    }
    return buffer.subarray(0, total);
  } catch (error) {
    throw readError(path, error);
  } finally {
    closeSync(fd);
  }
}

/** `readRegularFile` without blocking the event loop, for scanners that read many files at once. */
export async function readRegularFileAsync(path: string, options: OpenOptions = {}): Promise<Buffer> {
  const handle = await openRegularHandle(path);
  try {
    await checkedStats(handle, path, options);
    return await handle.readFile();
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

async function openRegularHandle(path: string): Promise<FileHandle> {
  try {
    return await open(path, READ_FLAGS);
  } catch (error) {
    throw readError(path, error);
  }
}

/** The open file's stats, refusing anything but a regular file, and noted as an input unless told not to. */
async function checkedStats(handle: FileHandle, path: string, options: OpenOptions): Promise<BigIntStats> {
  const stats = await handle.stat({ bigint: true });
  if (!stats.isFile()) {
    throw new CvebuildError('INPUT_UNREADABLE', `not a regular file (${kindOf(stats)})`, { file: path });
  }
  if (options.input !== false) noteInput(path, stats);
  return stats;
}

export interface FileWindow {
  /** The last `overlap` bytes of the previous window (fewer at the start of the file), then new bytes. */
  bytes: Buffer;
  /** Where the new bytes start in `bytes`. */
  fresh: number;
  /** Whether the window ends where the file did when opened. */
  last: boolean;
}

/**
 * A regular file in windows read into one buffer, reused: a window is valid only until the next is
 * asked for. Each holds up to `windowBytes` new bytes after the last `overlap` bytes of the one
 * before, so a run of up to `overlap + 1` bytes lies whole in one of them. For scanners that look
 * at a file once without keeping it: a file-sized buffer costs a page fault per 4 KiB (~10 ms for a
 * 2.8 MB lock in a VM), a reused one does not. Reads stop at the size the file had when opened, as
 * `readRegularFileAsync`'s do.
 */
export async function* readRegularFileWindows(
  path: string,
  options: OpenOptions & { windowBytes: number; overlap: number },
): AsyncGenerator<FileWindow> {
  const handle = await openRegularHandle(path);
  try {
    const stats = await checkedStats(handle, path, options);
    const size = Number(stats.size);
    const buffer = Buffer.allocUnsafeSlow(options.overlap + Math.max(1, Math.min(size, options.windowBytes)));
    let position = 0;
    let kept = 0;
    while (position < size) {
      const length = Math.min(options.windowBytes, size - position);
      const { bytesRead } = await handle.read(buffer, kept, length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const end = kept + bytesRead;
      yield { bytes: buffer.subarray(0, end), fresh: kept, last: position >= size };
      kept = Math.min(options.overlap, end);
      buffer.copyWithin(0, end - kept, end);
    }
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** The first `bytes` bytes (fewer for a shorter file). */
export function readRegularHead(path: string, bytes: number, options: OpenOptions = {}): Buffer {
  const { fd } = openRegularFile(path, options);
  try {
    const buffer = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes) {
      const read = readSync(fd, buffer, filled, bytes - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw readError(path, error);
  } finally {
    closeSync(fd);
  }
}

/** A read stream over a checked descriptor (the stream closes it). */
export function regularFileStream(path: string, options: OpenOptions = {}): ReadStream {
  const { fd } = openRegularFile(path, options);
  return createReadStream(path, { fd, autoClose: true });
}

function kindOf(stats: BigIntStats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  return 'not a file';
}
