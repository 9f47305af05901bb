/**
 * Sources by path: a file (recognised by recognise.ts), a zip archive of OSV records (read
 * asynchronously), or a directory whose data files are each recognised on their own.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readRegularHead } from '../../fs/regular-file.ts';
import { fsError } from '../../readers/input.ts';
import type { FeedName } from '../model.ts';
import { looksLikeZip, prepareOsvArchive } from './osv-archive.ts';
import { mergeNotes, type PreparedImport } from './prepared.ts';
import { prepareText, requireFeed } from './recognise.ts';
import { feedInvalid, readFeedText, sha256Hex, sha256OfFile } from './source.ts';

export interface PreparedSource {
  /** One per feed: a file gives one; a directory one for each feed its files belong to. */
  imports: PreparedImport[];
  /** sha256 of the bytes read (for a directory: of its file listing with each file's sha256). */
  checksum: string;
}

/** Files a directory source contributes; anything else in it (READMEs, YAML) is not looked at. */
const DATA_FILE = /\.(json|jsonl|ndjson|pm|zip)$/i;

/** Any source, zip archives included (read asynchronously with yauzl). */
export async function prepareSource(path: string, feed: FeedName | undefined): Promise<PreparedSource> {
  if (isDirectory(path)) {
    const parts: { file: string; source: PreparedSource }[] = [];
    for (const file of directoryFiles(path)) parts.push({ file, source: await prepareSource(file, feed) });
    return mergeDirectory(path, parts);
  }
  if (!isZipArchive(path)) return prepareFileSync(path, feed);
  requireFeed(feed, 'advisory', 'a zip of OSV records', path);
  const prepared = await prepareOsvArchive(path, feed);
  return { imports: [prepared], checksum: await sha256OfFile(path) };
}

/** Whether reading the source needs the asynchronous path: it is, or its directory holds, a zip archive. */
export function holdsArchive(path: string): boolean {
  return isDirectory(path) ? directoryFiles(path).some(isZipArchive) : isZipArchive(path);
}

/** Any source but a zip archive (refused with FEED_INVALID), read synchronously. */
export function prepareSourceSync(path: string, feed: FeedName | undefined): PreparedSource {
  if (isDirectory(path)) {
    return mergeDirectory(
      path,
      directoryFiles(path).map((file) => ({ file, source: prepareSourceSync(file, feed) })),
    );
  }
  return prepareFileSync(path, feed);
}

function prepareFileSync(path: string, feed: FeedName | undefined): PreparedSource {
  if (isZipArchive(path)) {
    throw feedInvalid('a zip archive is read asynchronously: import it with importSources', { file: path });
  }
  const { text, sha256 } = readFeedText(path);
  return { imports: [prepareText(text, path, feed)], checksum: sha256 };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    throw fsError(path, error);
  }
}

function directoryFiles(directory: string): string[] {
  let files: string[];
  try {
    files = readdirSync(directory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && DATA_FILE.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  } catch (error) {
    throw fsError(directory, error);
  }
  if (files.length === 0) {
    throw feedInvalid('no feed files (.json, .jsonl, .ndjson, .pm, .zip) in this directory', { file: directory });
  }
  return files;
}

/**
 * A directory's files, each recognised on its own (a checkout of OSV records, or an example's mix of
 * OSV, NVD and vendor files), become one import per feed.
 */
function mergeDirectory(directory: string, parts: { file: string; source: PreparedSource }[]): PreparedSource {
  const byFeed = new Map<FeedName, PreparedImport[]>();
  for (const { source } of parts) {
    for (const prepared of source.imports) byFeed.set(prepared.feed, [...(byFeed.get(prepared.feed) ?? []), prepared]);
  }
  const listing = parts.map(({ file, source }) => `${relative(directory, file)} ${source.checksum}`).join('\n');
  return { imports: [...byFeed].map(([feed, group]) => mergeImports(feed, group)), checksum: sha256Hex(listing) };
}

function mergeImports(feed: FeedName, group: PreparedImport[]): PreparedImport {
  if (group.length === 1 && group[0]) return group[0];
  return {
    feed,
    records: group.reduce((sum, prepared) => sum + prepared.records, 0),
    notes: mergeNotes(group.flatMap((prepared) => prepared.notes)),
    write(store) {
      let written = 0;
      let skipped = 0;
      for (const prepared of group) {
        const counts = prepared.write(store);
        written += counts.written;
        skipped += counts.skipped;
      }
      return { written, skipped };
    },
  };
}

function isZipArchive(path: string): boolean {
  return looksLikeZip(firstBytes(path, 4));
}

function firstBytes(path: string, count: number): Buffer {
  return readRegularHead(path, count);
}
