/**
 * Advisory records from a zip archive, read with yauzl entry by entry into memory, never onto disk,
 * within limits on entry count, sizes and compression ratio. Two layouts:
 * - osv.dev's exports (`PyPI/all.zip`, `OSS-Fuzz/all.zip`): one OSV record per `.json` entry;
 * - a GitHub archive of openssl/release-metadata (feed `openssl`): only its
 *   `<repo>-<ref>/secjson/CVE-*.json` entries are read, as CVE JSON 5 records; the rest of the
 *   repository (release data, statements, workflows) is counted and ignored.
 * Each record is upserted as soon as it is read (inside the import's transaction): memory holds one
 * record, whatever the archive's size.
 */
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ErrorLocation } from '../../errors.ts';
import { CvebuildError } from '../../errors.ts';
import type { FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';
import { Cve5Collector } from './cve5.ts';
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
  /** The note for the files that are not records. */
  ignored: string;
  add(record: unknown, location: ErrorLocation): void;
  /** A record passed over without parsing it (counted as skipped). */
  skipUnread(id: string, reason: string): void;
  produced(): ProducedAdvisories;
}

const SECJSON_RECORD = /(?:^|\/)secjson\/CVE-\d{4}-\d+\.json$/i;

function layoutFor(feed: FeedName | undefined, sink: AdvisorySink): ArchiveLayout {
  if (feed === 'openssl') {
    const collector = new Cve5Collector(feed, sink);
    return {
      holdsRecord: (name) => SECJSON_RECORD.test(name),
      ignored: 'not a secjson/CVE-*.json record, ignored',
      add: (record, location) => collector.add(record, location),
      skipUnread: (id, reason) => sink.skip(reason, id),
      produced: () => collector.produced(),
    };
  }
  const collector = new OsvCollector(feed ?? 'osv-pypi', sink);
  return {
    holdsRecord: (name) => name.toLowerCase().endsWith('.json'),
    ignored: 'not .json, ignored',
    add: (record, location) => collector.add(record, location),
    skipUnread: (id, reason) => collector.skipUnread(id, reason),
    produced: () => collector.produced('osv-pypi'),
  };
}

/**
 * A whole archive is an osv.dev export whose records are labelled `osv-pypi` unless `feed` says
 * otherwise, or, for feed `openssl`, OpenSSL's release-metadata repository. The caller holds the
 * store's transaction, so a refused archive leaves it unchanged.
 */
export async function importArchive(
  store: IntelStore,
  path: string,
  feed: FeedName | undefined,
  limits: ArchiveLimits = archiveLimitsFor(feed),
): Promise<ImportedPart> {
  const writer = new AdvisoryWriter(store);
  const layout = layoutFor(feed, writer);
  const npmNames =
    feed === 'osv-npm'
      ? [...keptNpmNames()].map((name) => Buffer.from(name.slice(name.lastIndexOf('/') + 1)))
      : undefined;
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false });
  } catch (error) {
    throw feedInvalid(`not a readable zip archive (${firstLine(String((error as Error).message))})`, { file: path });
  }
  let ignored = 0;
  const ignoredNames: string[] = [];
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw feedInvalid(`archive has ${zip.entryCount} entries, more than the ${limits.maxEntries} allowed`, {
        file: path,
      });
    }
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (!layout.holdsRecord(name)) {
        ignored++;
        if (ignoredNames.length < 3) ignoredNames.push(shortName(name));
        continue;
      }
      const location = { file: path, key: shortName(name) };
      if (entry.isEncrypted()) throw feedInvalid('encrypted archive entry', location);
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw feedInvalid(
          `entry of ${entry.uncompressedSize} bytes is over the limit of ${limits.maxEntryBytes} for one record`,
          location,
        );
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
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
    throw feedInvalid(`damaged zip archive (${firstLine(String((error as Error).message))})`, { file: path });
  } finally {
    zip.close();
  }
  const part = writer.part(layout.produced());
  if (ignored === 0) return part;
  const note = { reason: layout.ignored, count: ignored, examples: ignoredNames, unit: 'archive file' };
  return { ...part, notes: [...part.notes, note] };
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
