/**
 * OSV records from a zip archive (osv.dev's `PyPI/all.zip`), read with yauzl entry by entry into
 * memory, never onto disk, within limits on entry count, sizes and compression ratio.
 */
import type { Readable } from 'node:stream';
import yauzl, { type ZipFile } from 'yauzl';
import { CvebuildError } from '../../errors.ts';
import type { FeedName } from '../model.ts';
import { OsvCollector } from './osv.ts';
import type { PreparedImport } from './prepared.ts';
import { feedInvalid, firstLine } from './source.ts';

export interface ArchiveLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed size above which an entry is treated as a zip bomb. */
  maxRatio: number;
}

/** Roomy for osv.dev's largest all.zip (every ecosystem: ~0.5 M records, a few GB), tight for bombs. */
export const ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 2_000_000,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxRatio: 200,
};

/** Below this an entry's ratio is not checked: small JSON files compress very well and are harmless. */
const RATIO_CHECK_FLOOR = 64 * 1024;

const ZIP_MAGIC = 0x04034b50;

export function looksLikeZip(firstBytes: Buffer): boolean {
  return firstBytes.length >= 4 && firstBytes.readUInt32LE(0) === ZIP_MAGIC;
}

/** A whole archive is an osv.dev export: its records are labelled `osv-pypi` unless `feed` says otherwise. */
export async function prepareOsvArchive(
  path: string,
  feed: FeedName | undefined,
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): Promise<PreparedImport> {
  const collector = new OsvCollector(feed ?? 'osv-pypi');
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
      if (!name.toLowerCase().endsWith('.json')) {
        ignored++;
        if (ignoredNames.length < 3) ignoredNames.push(name);
        continue;
      }
      const location = { file: path, key: name };
      if (entry.isEncrypted()) throw feedInvalid('encrypted archive entry', location);
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw feedInvalid(
          `entry of ${entry.uncompressedSize} bytes exceeds the ${limits.maxEntryBytes}-byte limit`,
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
      const bytes = await readEntry(await zip.openReadStreamPromise(entry), limits.maxEntryBytes, location);
      let record: unknown;
      try {
        record = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw feedInvalid(`not valid JSON (${firstLine((error as Error).message)})`, location);
      }
      collector.add(record, location);
    }
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw feedInvalid(`damaged zip archive (${firstLine(String((error as Error).message))})`, { file: path });
  } finally {
    zip.close();
  }
  const prepared = collector.prepared('osv-pypi');
  if (ignored === 0) return prepared;
  const note = { reason: 'not .json, ignored', count: ignored, examples: ignoredNames, unit: 'archive file' };
  return { ...prepared, notes: [...prepared.notes, note] };
}

async function readEntry(stream: Readable, maxBytes: number, location: { file: string; key: string }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw feedInvalid(`entry expands beyond the ${maxBytes}-byte limit`, location);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
