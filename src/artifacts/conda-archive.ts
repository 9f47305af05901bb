/**
 * `.conda` packages: a zip holding `info-*.tar.zst` (metadata) and `pkg-*.tar.zst` (payload),
 * read through yauzl's central directory (so data descriptors and zip64 are fine) and streamed
 * through zstd into the tar parser, never onto disk.
 */
import { closeSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createZstdDecompress } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { CvebuildError } from '../errors.ts';
import { openRegularFile, regularFileStream } from '../fs/regular-file.ts';
import {
  type ArchiveMember,
  type ArchiveReadOptions,
  type ArchiveScan,
  collectInto,
  emptyScan,
  noteUnsafe,
  resolveLimits,
} from './entries.ts';
import { ArchiveBudget, archiveBomb, archiveInvalid, shownName } from './limits.ts';
import { normalizeArchivePath } from './paths.ts';
import { TarParser } from './tar.ts';

interface ZipMember {
  member: ArchiveMember;
  name: string;
  entry: Entry;
}

export async function readCondaArchive(path: string, options: ArchiveReadOptions = {}): Promise<ArchiveScan> {
  const limits = resolveLimits(options);
  const budget = new ArchiveBudget(path, limits);
  const scan = emptyScan(path, 'conda');
  let zip: ZipFile;
  let fd: number;
  try {
    fd = openRegularFile(path).fd;
  } catch (error) {
    throw archiveInvalid(path, `cannot open: ${firstLine(error)}`);
  }
  try {
    // decodeStrings: false, so yauzl hands over unsafe names instead of failing the whole archive on them.
    zip = await yauzl.fromFdPromise(fd, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (error) {
    closeSync(fd);
    throw archiveInvalid(path, `not a readable .conda (zip) archive: ${firstLine(error)}`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw archiveBomb(path, `zip has ${zip.entryCount} members, more than ${limits.maxEntries} (limit maxEntries)`);
    }
    for (const member of await tarMembers(zip, scan, options, budget)) {
      if (options.infoOnly && member.member !== 'info') continue;
      await readMember(zip, member, scan, options, budget);
    }
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw archiveInvalid(path, `damaged .conda archive: ${firstLine(error)}`);
  } finally {
    zip.close();
  }
  return scan;
}

/**
 * The info and pkg members, info first. They are found by file name even when nested in a
 * directory: rattler (pixi's installer) installs such re-zipped packages, so a scanner must read
 * them too. Two candidates for one role are refused, since installers would disagree on which runs.
 */
async function tarMembers(
  zip: ZipFile,
  scan: ArchiveScan,
  options: ArchiveReadOptions,
  budget: ArchiveBudget,
): Promise<ZipMember[]> {
  const found = new Map<ArchiveMember, ZipMember>();
  for await (const entry of zip.eachEntry()) {
    budget.countEntry();
    const raw = yauzl.getFileNameLowLevel(
      entry.generalPurposeBitFlag,
      entry.fileName as unknown as Buffer,
      entry.extraFields,
      false,
    );
    budget.checkName(raw, 'zip member name');
    const { path, unsafe } = normalizeArchivePath(raw);
    if (unsafe) {
      noteUnsafe(scan, options, { path, reason: unsafe, member: 'zip' });
      continue;
    }
    const base = path.slice(path.lastIndexOf('/') + 1);
    const member: ArchiveMember | undefined = !base.endsWith('.tar.zst')
      ? undefined
      : base.startsWith('info-')
        ? 'info'
        : base.startsWith('pkg-')
          ? 'pkg'
          : undefined;
    if (!member || raw.endsWith('/')) continue;
    const previous = found.get(member);
    if (previous) {
      throw archiveInvalid(
        scan.archive,
        `two ${member}- members ("${shownName(previous.name)}" and "${shownName(path)}"): ambiguous package`,
      );
    }
    if (entry.isEncrypted()) throw archiveInvalid(scan.archive, `member "${shownName(path)}" is encrypted`);
    found.set(member, { member, name: path, entry });
  }
  return (['info', 'pkg'] as const).flatMap((member) => found.get(member) ?? []);
}

async function readMember(
  zip: ZipFile,
  { member, name, entry }: ZipMember,
  scan: ArchiveScan,
  options: ArchiveReadOptions,
  budget: ArchiveBudget,
): Promise<void> {
  const { limits } = budget;
  const shown = `member "${shownName(name)}"`;
  const zipRatio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (entry.uncompressedSize > limits.ratioFloorBytes && zipRatio > limits.maxRatio) {
    throw archiveBomb(scan.archive, `${shown} is deflated more than ${limits.maxRatio}:1 (limit maxRatio)`);
  }
  const parser = new TarParser(budget, collectInto(scan, options, member, limits), shown);
  await streamTarZst(await zip.openReadStreamPromise(entry), parser, {
    budget,
    shown,
    compressedBytes: entry.compressedSize,
    uncompressedBytes: entry.uncompressedSize,
    archive: scan.archive,
    unreadable: `${shown} is not a readable tar.zst`,
  });
}

interface TarZstStream {
  budget: ArchiveBudget;
  shown: string;
  compressedBytes: number;
  /** What the zip says the member expands to, when there is a zip: bytes past the first zstd frame are refused. */
  uncompressedBytes?: number;
  archive: string;
  /** The error's wording when the bytes are not a tar inside zstd. */
  unreadable: string;
}

/** One zstd-compressed tar, decoded and parsed as it streams, under the archive's budget. */
async function streamTarZst(source: Readable, parser: TarParser, stream: TarZstStream): Promise<void> {
  const zstd = createZstdDecompress();
  source.on('error', (error: Error) => zstd.destroy(error));
  source.pipe(zstd);
  let streamBytes = 0;
  try {
    for await (const chunk of zstd) {
      const bytes = chunk as Buffer;
      streamBytes += bytes.length;
      stream.budget.countBytes(bytes.length, streamBytes, stream.compressedBytes, stream.shown);
      parser.push(bytes);
    }
    parser.end();
    // Node's decoder stops at the end of the first zstd frame; rattler's reads every frame, so
    // bytes after it would be installed unseen. No conda tool writes more than one frame.
    const after = stream.uncompressedBytes === undefined ? 0 : stream.uncompressedBytes - zstd.bytesWritten;
    if (after > 0) {
      throw archiveInvalid(
        stream.archive,
        `${stream.shown} holds ${after} bytes after its first zstd frame, which installers that read every frame unpack; it cannot be judged`,
      );
    }
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw archiveInvalid(stream.archive, `${stream.unreadable}: ${firstLine(error)}`);
  } finally {
    source.unpipe(zstd);
    source.destroy();
    zstd.destroy();
  }
}

/**
 * A `.conda`'s info member on its own (`info-*.tar.zst`, fetched from a channel with range
 * requests): streamed through zstd into the tar parser under the same limits as a whole archive.
 * `archive` names it in errors.
 */
export async function readCondaInfoMember(
  path: string,
  archive: string,
  options: ArchiveReadOptions = {},
): Promise<ArchiveScan> {
  const limits = resolveLimits(options);
  const budget = new ArchiveBudget(archive, limits);
  const scan = emptyScan(archive, 'conda');
  const shown = 'info member';
  let source: ReturnType<typeof regularFileStream>;
  try {
    source = regularFileStream(path, { input: false });
  } catch (error) {
    throw archiveInvalid(archive, `cannot open its info member: ${firstLine(error)}`);
  }
  const parser = new TarParser(budget, collectInto(scan, options, 'info', limits), shown);
  // a member fetched on its own has no zip entry saying what it expands to
  await streamTarZst(source, parser, {
    budget,
    shown,
    compressedBytes: statSync(path).size,
    archive,
    unreadable: `its ${shown} is not a readable tar.zst`,
  });
  return scan;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? '';
}
