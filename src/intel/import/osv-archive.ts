/**
 * Advisory records from a zip archive (osv.dev's `PyPI/all.zip`, cvelistV5's release zips), read with yauzl entry by entry into
 * memory, never onto disk, within limits on entry count, sizes and compression ratio. Each record
 * is upserted as soon as it is read (inside the import's transaction): memory holds one record,
 * whatever the archive's size.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { CvebuildError, type ErrorLocation } from '../../errors.ts';
import type { FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';
import { Cve5Collector, isCve5Record } from './cve5.ts';
import { OsvCollector } from './osv.ts';
import { AdvisoryWriter, type ImportedPart, type ProducedAdvisories } from './prepared.ts';
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

/** Below this an entry's ratio is not checked: small JSON files compress very well and are harmless. */
const RATIO_CHECK_FLOOR = 64 * 1024;

const ZIP_MAGIC = 0x04034b50;

export function looksLikeZip(firstBytes: Buffer): boolean {
  return firstBytes.length >= 4 && firstBytes.readUInt32LE(0) === ZIP_MAGIC;
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

/** The records of one archive: OSV (osv.dev's export) or CVE JSON 5 (cvelistV5), decided by the first record. */
interface ArchiveCollector {
  kind: 'OSV' | 'CVE JSON 5';
  add(value: unknown, location: ErrorLocation): void;
  produced(): ProducedAdvisories;
}

/**
 * A whole archive is an osv.dev export (labelled `osv-pypi` unless `feed` says otherwise) or a
 * CVE List V5 release zip (`cve5`); a zip inside it (cvelistV5's baseline holds `cves.zip`) is
 * expanded beside it, within the same limits, and read the same way. The caller holds the store's
 * transaction, so a refused archive leaves it unchanged.
 */
export async function importOsvArchive(
  store: IntelStore,
  path: string,
  feed: FeedName | undefined,
  limits: ArchiveLimits = feed === 'cve5' ? CVE_LIST_ARCHIVE_LIMITS : ARCHIVE_LIMITS,
): Promise<ImportedPart> {
  const writer = new AdvisoryWriter(store);
  let collector: ArchiveCollector | undefined;
  const collect = (record: unknown, location: { file: string; key: string }): void => {
    const kind = isCve5Record(record) ? 'CVE JSON 5' : 'OSV';
    if (!collector) {
      if (kind === 'CVE JSON 5') {
        const cve5 = new Cve5Collector(feed ?? 'cve5', writer);
        collector = { kind, add: (value, at) => cve5.add(value, at), produced: () => cve5.produced() };
      } else {
        const osv = new OsvCollector(feed ?? 'osv-pypi', writer);
        collector = { kind, add: (value, at) => osv.add(value, at), produced: () => osv.produced('osv-pypi') };
      }
    } else if (collector.kind !== kind) {
      throw feedInvalid(`archive mixes ${collector.kind} and ${kind} records`, location);
    }
    collector.add(record, location);
  };
  const counters = { ignored: 0, ignoredNames: [] as string[], total: 0 };
  await readArchive(path, path, limits, counters, collect, true);
  const part = writer.part(collector?.produced() ?? { feed: feed ?? 'osv-pypi', records: 0 });
  const { ignored, ignoredNames } = counters;
  if (ignored === 0) return part;
  const note = {
    reason: 'not a record file (.json), ignored',
    count: ignored,
    examples: ignoredNames,
    unit: 'archive file',
  };
  return { ...part, notes: [...part.notes, note] };
}

interface Counters {
  ignored: number;
  ignoredNames: string[];
  /** Bytes expanded so far, nested archives included. */
  total: number;
}

/** Names that are not records although they end in .json: cvelistV5's `delta.json` and `deltaLog.json`. */
const NOT_A_RECORD = /(^|\/)delta(Log)?\.json$/i;

async function readArchive(
  path: string,
  shownPath: string,
  limits: ArchiveLimits,
  counters: Counters,
  collect: (record: unknown, location: { file: string; key: string }) => void,
  outer: boolean,
): Promise<void> {
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
      const lower = name.toLowerCase();
      const nested = outer && lower.endsWith('.zip');
      if ((!lower.endsWith('.json') && !nested) || NOT_A_RECORD.test(name)) {
        ignore(name);
        continue;
      }
      const location = { file: shownPath, key: shortName(name) };
      if (entry.isEncrypted()) throw feedInvalid('encrypted archive entry', location);
      if (nested) {
        await readNested(zip, entry, limits, counters, collect, location);
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
      let record: unknown;
      try {
        record = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw feedInvalid(`not valid JSON (${firstLine((error as Error).message)})`, location);
      }
      collect(record, location);
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
  collect: (record: unknown, location: { file: string; key: string }) => void,
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
    await readArchive(inner, `${location.file}!${location.key}`, limits, counters, collect, false);
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
