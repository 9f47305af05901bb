/**
 * Advisory records from a zip archive, read with yauzl entry by entry into memory, never onto disk,
 * within limits on entry count, sizes and compression ratio. Layouts:
 * - osv.dev's exports (`PyPI/all.zip`, `OSS-Fuzz/all.zip`, `npm/all.zip`): one OSV record per `.json` entry;
 * - cvelistV5's release zips (feed `cve5`): one CVE JSON 5 record per `.json` entry, the daily
 *   baseline holding them in a `cves.zip` inside;
 * - a GitHub archive of openssl/release-metadata (feed `openssl`): only its
 *   `<repo>-<ref>/secjson/CVE-*.json` entries are read, as CVE JSON 5 records; the rest of the
 *   repository (release data, statements, workflows) is counted and ignored.
 * Each record is upserted as soon as it is read (inside the import's transaction): memory holds one
 * record, whatever the archive's size.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { CvebuildError } from '../../errors.ts';
import type { FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';
import { Cve5Collector, isCve5Record } from './cve5.ts';
import { keptNpmNames, OsvCollector } from './osv.ts';
import { type AdvisorySink, AdvisoryWriter, type ImportedPart, type ProducedAdvisories } from './prepared.ts';
import { feedInvalid, firstLine, MAX_RECORD_BYTES } from './source.ts';

export interface ArchiveLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed size above which an entry is treated as a zip bomb. */
  maxRatio: number;
}

/**
 * osv.dev's PyPI export held ~20k records in 22 MB (2025), some 150 MB expanded: these leave room
 * for several times that, and bound how long an import can run (about half a minute for 1 GiB of
 * the costliest records).
 */
export const ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 500_000,
  maxEntryBytes: MAX_RECORD_BYTES,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxRatio: 200,
};

/**
 * osv.dev's npm export is mostly OpenSSF malware reports (hundreds of thousands of records, ~2025),
 * nearly all passed over unparsed (see NPM_UNREAD): room for several times that.
 */
export const NPM_ARCHIVE_LIMITS: ArchiveLimits = {
  ...ARCHIVE_LIMITS,
  maxEntries: 4_000_000,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
};

export function archiveLimitsFor(feed: FeedName | undefined): ArchiveLimits {
  return feed === 'osv-npm' ? NPM_ARCHIVE_LIMITS : ARCHIVE_LIMITS;
}

const NPM_UNREAD = 'names no npm package the ecosystem-purl map names (not parsed)';

/** Below this an entry's ratio is not checked: small JSON files compress very well and are harmless. */
const RATIO_CHECK_FLOOR = 64 * 1024;

const ZIP_MAGIC = 0x04034b50;

export function looksLikeZip(firstBytes: Buffer): boolean {
  return firstBytes.length >= 4 && firstBytes.readUInt32LE(0) === ZIP_MAGIC;
}

/** How the records of one archive layout are told apart from its other files, and read. */
interface ArchiveLayout {
  /** Whether the entry (by its path in the archive) is a record; any other file is counted and ignored. */
  holdsRecord(name: string): boolean;
  /** Whether a `.zip` entry of the outer archive is read as an archive of the same layout (cvelistV5's baseline). */
  nests: boolean;
  /** The note for the files that are not records. */
  ignored: string;
  add(record: unknown, location: { file: string; key: string }): void;
  /** A record passed over without parsing it (counted as skipped). */
  skipUnread(id: string, reason: string): void;
  produced(): ProducedAdvisories;
}

const SECJSON_RECORD = /(?:^|\/)secjson\/CVE-\d{4}-\d+\.json$/i;

/** Names that are not records although they end in .json: cvelistV5's `delta.json` and `deltaLog.json`. */
const NOT_A_RECORD = /(^|\/)delta(Log)?\.json$/i;

function layoutFor(feed: FeedName | undefined, sink: AdvisorySink): ArchiveLayout {
  if (feed === 'openssl') {
    const collector = new Cve5Collector(feed, sink);
    return {
      holdsRecord: (name) => SECJSON_RECORD.test(name),
      nests: false,
      ignored: 'not a secjson/CVE-*.json record, ignored',
      add: (record, location) => collector.add(record, location),
      skipUnread: (id, reason) => sink.skip(reason, id),
      produced: () => collector.produced(),
    };
  }
  return recordsByFirstKind(feed, sink);
}

/** osv.dev's exports and cvelistV5's zips: OSV or CVE JSON 5 records, as the first record says; never both. */
function recordsByFirstKind(feed: FeedName | undefined, sink: AdvisorySink): ArchiveLayout {
  let kind: 'OSV' | 'CVE JSON 5' | undefined;
  let cve5: Cve5Collector | undefined;
  let osv: OsvCollector | undefined;
  const osvCollector = () => {
    osv ??= new OsvCollector(feed ?? 'osv-pypi', sink);
    return osv;
  };
  return {
    holdsRecord: (name) => name.toLowerCase().endsWith('.json') && !NOT_A_RECORD.test(name),
    nests: true,
    ignored: 'not a record file (.json), ignored',
    add(record, location) {
      const recordKind = isCve5Record(record) ? 'CVE JSON 5' : 'OSV';
      kind ??= recordKind;
      if (kind !== recordKind) throw feedInvalid(`archive mixes ${kind} and ${recordKind} records`, location);
      if (recordKind === 'CVE JSON 5') {
        cve5 ??= new Cve5Collector(feed ?? 'cve5', sink);
        cve5.add(record, location);
      } else osvCollector().add(record, location);
    },
    skipUnread: (id, reason) => osvCollector().skipUnread(id, reason),
    produced: () => cve5?.produced() ?? osvCollector().produced('osv-pypi'),
  };
}

/**
 * cvelistV5's releases: a daily baseline of every CVE record (~300k, a few GB expanded; its asset
 * is a zip holding `cves.zip`) and hourly deltas. Only records naming a mapped product are written.
 */
export const CVE_LIST_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 1_000_000,
  maxEntryBytes: MAX_RECORD_BYTES,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxRatio: 200,
};

/**
 * A whole archive is an osv.dev export (labelled `osv-pypi` unless `feed` says otherwise), a CVE
 * List V5 release zip (`cve5`; a zip inside it, as cvelistV5's baseline holds `cves.zip`, is
 * expanded to a temporary file within the same limits and read the same way), or, for feed
 * `openssl`, OpenSSL's release-metadata repository. The caller holds the store's transaction, so a
 * refused archive leaves it unchanged.
 */
export async function importArchive(
  store: IntelStore,
  path: string,
  feed: FeedName | undefined,
  limits: ArchiveLimits = feed === 'cve5' ? CVE_LIST_ARCHIVE_LIMITS : archiveLimitsFor(feed),
): Promise<ImportedPart> {
  const writer = new AdvisoryWriter(store);
  const layout = layoutFor(feed, writer);
  const npmNames =
    feed === 'osv-npm'
      ? [...keptNpmNames()].map((name) => Buffer.from(name.slice(name.lastIndexOf('/') + 1)))
      : undefined;
  const counters = { ignored: 0, ignoredNames: [] as string[], total: 0 };
  await readArchive(path, path, limits, counters, { layout, npmNames }, true);
  const part = writer.part(layout.produced());
  const { ignored, ignoredNames } = counters;
  if (ignored === 0) return part;
  const note = { reason: layout.ignored, count: ignored, examples: ignoredNames, unit: 'archive file' };
  return { ...part, notes: [...part.notes, note] };
}

interface Counters {
  ignored: number;
  ignoredNames: string[];
  /** Bytes expanded so far, nested archives included. */
  total: number;
}

interface Reading {
  layout: ArchiveLayout;
  /** For osv.dev's npm export: the names (their part after any scope) a record must contain to be parsed. */
  npmNames: Buffer[] | undefined;
}

async function readArchive(
  path: string,
  shownPath: string,
  limits: ArchiveLimits,
  counters: Counters,
  reading: Reading,
  outer: boolean,
): Promise<void> {
  const { layout, npmNames } = reading;
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false });
  } catch (error) {
    throw feedInvalid(`not a readable zip archive (${firstLine(String((error as Error).message))})`, {
      file: shownPath,
    });
  }
  const ignore = (name: string): void => {
    counters.ignored++;
    if (counters.ignoredNames.length < 3) counters.ignoredNames.push(shortName(name));
  };
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw feedInvalid(`archive has ${zip.entryCount} entries, more than the ${limits.maxEntries} allowed`, {
        file: shownPath,
      });
    }
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      const nested = outer && layout.nests && name.toLowerCase().endsWith('.zip');
      if (!nested && !layout.holdsRecord(name)) {
        ignore(name);
        continue;
      }
      const location = { file: shownPath, key: shortName(name) };
      if (entry.isEncrypted()) throw feedInvalid('encrypted archive entry', location);
      if (nested) {
        await readNested(zip, entry, limits, counters, reading, location);
        continue;
      }
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw feedInvalid(
          `entry of ${entry.uncompressedSize} bytes is over the limit of ${limits.maxEntryBytes} for one record`,
          location,
        );
      }
      counters.total += entry.uncompressedSize;
      if (counters.total > limits.maxTotalBytes) {
        throw feedInvalid(`archive expands beyond the ${limits.maxTotalBytes}-byte limit`, location);
      }
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize > RATIO_CHECK_FLOOR && ratio > limits.maxRatio) {
        throw feedInvalid(
          `compression ratio ${Math.round(ratio)}:1 exceeds ${limits.maxRatio}:1 (zip bomb?)`,
          location,
        );
      }
      const bytes = await readEntry(zip, entry, limits.maxEntryBytes, location);
      // A record names its package in plain text: JSON writers escape no ASCII letter, digit, `-`, `.`
      // or `@`, and a scoped name's `/` is searched for by the part after it.
      if (npmNames && !npmNames.some((name) => bytes.includes(name))) {
        layout.skipUnread(shortName(name.replace(/^.*\//, '').replace(/\.json$/i, '')), NPM_UNREAD);
        continue;
      }
      let record: unknown;
      try {
        record = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw feedInvalid(`not valid JSON (${firstLine((error as Error).message)})`, location);
      }
      layout.add(record, location);
    }
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw feedInvalid(`damaged zip archive (${firstLine(String((error as Error).message))})`, { file: shownPath });
  } finally {
    zip.close();
  }
}

/**
 * A zip inside the archive, expanded to a file beside it (within the total expansion limit and the
 * ratio check), read like the outer one, then removed. Only one level deep.
 */
async function readNested(
  zip: ZipFile,
  entry: Entry,
  limits: ArchiveLimits,
  counters: Counters,
  reading: Reading,
  location: { file: string; key: string },
): Promise<void> {
  if (entry.isEncrypted()) throw feedInvalid('encrypted archive entry', location);
  const remaining = limits.maxTotalBytes - counters.total;
  if (entry.uncompressedSize > remaining) {
    throw feedInvalid(`archive expands beyond the ${limits.maxTotalBytes}-byte limit`, location);
  }
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (entry.uncompressedSize > RATIO_CHECK_FLOOR && ratio > limits.maxRatio) {
    throw feedInvalid(`compression ratio ${Math.round(ratio)}:1 exceeds ${limits.maxRatio}:1 (zip bomb?)`, location);
  }
  counters.total += entry.uncompressedSize;
  // never beside the archive: `db import` must not write into the user's directory
  const directory = await mkdtemp(join(tmpdir(), 'cvebuild-nested-'));
  const inner = join(directory, 'inner.zip');
  try {
    let size = 0;
    const stream = await zip.openReadStreamPromise(entry);
    const metered = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > remaining)
          throw feedInvalid(`archive expands beyond the ${limits.maxTotalBytes}-byte limit`, location);
        yield chunk;
      }
    };
    await pipeline(stream, metered, createWriteStream(inner));
    await readArchive(inner, `${location.file}!${location.key}`, limits, counters, reading, false);
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw feedInvalid(`damaged archive entry (${firstLine(String((error as Error).message))})`, location);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Entry names are the archive's to choose: an error line quotes at most this much of one. */
const NAME_SHOWN = 200;

function shortName(name: string): string {
  return name.length > NAME_SHOWN ? `${name.slice(0, NAME_SHOWN)}…` : name;
}

/** The entry's bytes; yauzl checks them against the sizes the headers claim, and we against the record limit. */
async function readEntry(
  zip: ZipFile,
  entry: Entry,
  maxBytes: number,
  location: { file: string; key: string },
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let stream: Readable | undefined;
  try {
    stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        throw feedInvalid(`entry expands beyond the limit of ${maxBytes} bytes for one record`, location);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw feedInvalid(`damaged archive entry (${firstLine(String((error as Error).message))})`, location);
  } finally {
    stream?.destroy();
  }
  return Buffer.concat(chunks);
}
