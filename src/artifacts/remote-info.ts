/**
 * A `.conda`'s info member (`info-*.tar.zst`) fetched from its channel without the payload: a
 * `.conda` is a zip, so one Range request for the file's tail finds the end-of-central-directory
 * record and the central directory, and one more fetches the info member (its local header and
 * data). Kept in the cache directory under the package's sha256, so a package is fetched once.
 * A `.tar.bz2` is one bzip2 stream and cannot be read in part; callers say so rather than fetch it.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import type { ByteRange, ContentRange, Download } from '../net/download.ts';
import { archiveBomb, archiveInvalid, DEFAULT_ARCHIVE_LIMITS, shownName } from './limits.ts';
import { normalizeArchivePath } from './paths.ts';

export interface RemoteInfoRequest {
  /** The `.conda` URL. */
  url: string;
  /** The package's sha256 from the lock: the cache key. */
  sha256: string;
  cacheDir: string;
  http: Download;
  signal?: AbortSignal;
}

/** The file's tail asked for first: the end record (22 bytes + a comment of up to 64 KiB) and, in practice, the whole central directory. */
const TAIL_BYTES = 64 * 1024;
/** A .conda's central directory lists a handful of members; a large one is not a conda package. */
const MAX_DIRECTORY_BYTES = DEFAULT_ARCHIVE_LIMITS.maxMetaBytes;
/** Compressed info members of the largest conda-forge packages are a few MB (paths.json of many files). */
export const MAX_INFO_MEMBER_BYTES = 64 * 1024 ** 2;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The cached info member's path: fetched now, or earlier for the same sha256. */
export async function fetchCondaInfoMember(request: RemoteInfoRequest): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(request.sha256)) throw archiveInvalid(request.url, 'no sha256 to key the cache by');
  const dir = join(request.cacheDir, 'conda-info');
  const cached = join(dir, `${request.sha256}.info.tar.zst`);
  if (statSync(cached, { throwIfNoEntry: false })?.isFile()) return cached;
  mkdirSync(dir, { recursive: true });
  const scratch = join(dir, `${request.sha256}.${process.pid}.tmp`);
  try {
    const fetchRange = async (range: ByteRange, maxBytes: number) => {
      const result = await request.http({
        url: request.url,
        destination: scratch,
        maxBytes,
        range,
        // one more try only: a recipe not read leaves the finding blocking, and the gate should not hang on it
        retries: 1,
        backoffMs: 500,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      if (result.status !== 'downloaded' || !result.range) throw archiveInvalid(request.url, 'no partial content');
      return { bytes: readFileSync(scratch), range: result.range };
    };
    const tail = await fetchRange({ suffix: TAIL_BYTES }, TAIL_BYTES);
    const directory = await centralDirectory(request.url, tail, fetchRange);
    const member = infoMember(request.url, directory);
    // the local header's name and extra field may differ from the central directory's: read its lengths first
    const header = (await fetchRange({ start: member.offset, end: member.offset + 29 }, 30)).bytes;
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL)
      throw archiveInvalid(request.url, 'no local header at the info member');
    const dataStart = member.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (member.compressedSize === 0) throw archiveInvalid(request.url, 'the info member is empty');
    const raw = (
      await fetchRange({ start: dataStart, end: dataStart + member.compressedSize - 1 }, member.compressedSize)
    ).bytes;
    const data = member.method === 8 ? inflated(request.url, raw, member.uncompressedSize) : raw;
    writeFileSync(scratch, data);
    if (crc32(data) !== member.crc32)
      throw archiveInvalid(request.url, 'the info member fetched does not match its CRC-32');
    renameSync(scratch, cached);
    return cached;
  } finally {
    rmSync(scratch, { force: true });
  }
}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
}

/** conda's writers store the members; a re-zipped package may deflate them (zip method 8). */
function inflated(url: string, raw: Buffer, size: number): Buffer {
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
  } catch (error) {
    throw archiveInvalid(url, `the info member does not inflate to its ${size} bytes: ${(error as Error).message}`);
  }
}

type FetchRange = (range: ByteRange, maxBytes: number) => Promise<{ bytes: Buffer; range: ContentRange }>;

/** The central directory's entries, from the tail (fetching the directory itself when the tail does not hold it). */
async function centralDirectory(
  url: string,
  tail: { bytes: Buffer; range: ContentRange },
  fetchRange: FetchRange,
): Promise<CentralEntry[]> {
  const { bytes, range } = tail;
  const at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (at < 0 || at + 22 > bytes.length || bytes.readUInt32LE(at) !== EOCD) {
    throw archiveInvalid(url, 'not a .conda (zip) archive: no end of central directory in its last bytes');
  }
  let entries = bytes.readUInt16LE(at + 10);
  let size = bytes.readUInt32LE(at + 12);
  let offset = bytes.readUInt32LE(at + 16);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    // zip64: the locator sits just before the end record and points at the zip64 end record
    const locator = at - 20;
    if (locator < 0 || bytes.readUInt32LE(locator) !== ZIP64_LOCATOR)
      throw archiveInvalid(url, 'zip64 archive without a locator');
    const record = Number(bytes.readBigUInt64LE(locator + 8)) - range.start;
    if (record < 0 || record + 56 > bytes.length || bytes.readUInt32LE(record) !== ZIP64_EOCD) {
      throw archiveInvalid(url, 'zip64 end record is not within the bytes read');
    }
    entries = Number(bytes.readBigUInt64LE(record + 32));
    size = Number(bytes.readBigUInt64LE(record + 40));
    offset = Number(bytes.readBigUInt64LE(record + 48));
  }
  if (entries > DEFAULT_ARCHIVE_LIMITS.maxEntries)
    throw archiveBomb(url, `zip has ${entries} members (limit maxEntries)`);
  if (size > MAX_DIRECTORY_BYTES)
    throw archiveBomb(url, `central directory of ${size} bytes (more than ${MAX_DIRECTORY_BYTES})`);
  if (offset + size > range.total) throw archiveInvalid(url, 'central directory beyond the end of the file');
  const directory =
    offset >= range.start && offset + size <= range.start + bytes.length
      ? bytes.subarray(offset - range.start, offset - range.start + size)
      : size === 0
        ? Buffer.alloc(0)
        : (await fetchRange({ start: offset, end: offset + size - 1 }, size)).bytes;
  return parseCentralDirectory(url, directory, entries);
}

function parseCentralDirectory(url: string, directory: Buffer, count: number): CentralEntry[] {
  const entries: CentralEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL)
      throw archiveInvalid(url, 'damaged central directory');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    if (nameLength > DEFAULT_ARCHIVE_LIMITS.maxNameBytes)
      throw archiveBomb(url, `zip member name of ${nameLength} bytes (limit maxNameBytes)`);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw archiveInvalid(url, 'damaged central directory');
    const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const { uncompressedSize, compressedSize, offset } = zip64Sizes(
      extra,
      directory.readUInt32LE(at + 24),
      directory.readUInt32LE(at + 20),
      directory.readUInt32LE(at + 42),
    );
    entries.push({
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize,
      uncompressedSize,
      offset,
    });
    at = end;
  }
  return entries;
}

/** Values the central record marks 0xFFFFFFFF are in its zip64 extra field, in a fixed order. */
function zip64Sizes(
  extra: Buffer,
  uncompressedSize: number,
  compressedSize: number,
  offset: number,
): { uncompressedSize: number; compressedSize: number; offset: number } {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = () => {
        const value = field + 8 <= at + 4 + size ? Number(extra.readBigUInt64LE(field)) : undefined;
        field += 8;
        return value;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next() ?? uncompressedSize;
      if (compressedSize === 0xffffffff) compressedSize = next() ?? compressedSize;
      if (offset === 0xffffffff) offset = next() ?? offset;
      break;
    }
    at += 4 + size;
  }
  return { uncompressedSize, compressedSize, offset };
}

/** The one `info-*.tar.zst` member, as conda-archive.ts finds it (by file name, possibly nested). */
function infoMember(url: string, entries: CentralEntry[]): CentralEntry {
  const found = entries.filter((entry) => {
    const { path, unsafe } = normalizeArchivePath(entry.name);
    const base = path.slice(path.lastIndexOf('/') + 1);
    return !unsafe && !entry.name.endsWith('/') && base.startsWith('info-') && base.endsWith('.tar.zst');
  });
  if (found.length === 0) throw archiveInvalid(url, 'no info-*.tar.zst member: not a .conda package');
  if (found.length > 1) {
    throw archiveInvalid(
      url,
      `two info- members ("${shownName(found[0]?.name ?? '')}" and "${shownName(found[1]?.name ?? '')}"): ambiguous package`,
    );
  }
  const [member] = found as [CentralEntry];
  if (member.method !== 0 && member.method !== 8) {
    throw archiveInvalid(
      url,
      `the info member is compressed with zip method ${member.method}, which conda does not write`,
    );
  }
  if (member.flags & 1) throw archiveInvalid(url, 'the info member is encrypted');
  const size = Math.max(member.compressedSize, member.uncompressedSize);
  if (size > MAX_INFO_MEMBER_BYTES) {
    throw archiveBomb(url, `info member of ${size} bytes (more than ${MAX_INFO_MEMBER_BYTES})`);
  }
  return member;
}
