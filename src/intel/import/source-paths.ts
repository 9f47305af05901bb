/**
 * Sources by path: a file (recognised by recognise.ts), a zip archive of advisory records (osv.dev's
 * exports, or OpenSSL's release-metadata repository with `--feed openssl`; read asynchronously), or a directory whose data files are each recognised on their own. Each file is
 * read, recognised and written into the store before the next one is read, so an import holds one
 * file's text (and one record of an archive) at a time.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fsError } from '../../fs/read-input.ts';
import { readRegularHead } from '../../fs/regular-file.ts';
import type { FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';
import { importArchive, looksLikeZip } from './archive.ts';
import { type ImportedPart, mergeNotes } from './prepared.ts';
import { prepareText, requireFeed } from './recognise.ts';
import { feedInvalid, readFeedText, sha256Hex, sha256OfFile } from './source.ts';

export interface ImportedSource {
  /** One per feed: a file gives one; a directory one for each feed its files belong to. */
  parts: ImportedPart[];
  /** sha256 of the bytes read (for a directory: of its file listing with each file's sha256). */
  checksum: string;
}

/** Files a directory source contributes; anything else in it (READMEs, YAML) is not looked at. */
const DATA_FILE = /\.(json|jsonl|ndjson|pm|zip)$/i;

/** Any source, zip archives included (read asynchronously with yauzl), written into `store`. */
export async function importSource(
  store: IntelStore,
  path: string,
  feed: FeedName | undefined,
): Promise<ImportedSource> {
  if (isDirectory(path)) {
    const files: { file: string; source: ImportedSource }[] = [];
    for (const file of directoryFiles(path)) files.push({ file, source: await importSource(store, file, feed) });
    return mergeDirectory(path, files);
  }
  if (!isZipArchive(path)) return importFileSync(store, path, feed);
  requireFeed(feed, 'advisory', 'a zip of OSV or CVE JSON 5 records', path);
  const part = await importArchive(store, path, feed);
  return { parts: [part], checksum: await sha256OfFile(path) };
}

/** Whether reading the source needs the asynchronous path: it is, or its directory holds, a zip archive. */
export function holdsArchive(path: string): boolean {
  return isDirectory(path) ? directoryFiles(path).some(isZipArchive) : isZipArchive(path);
}

/** Any source but a zip archive (refused with FEED_INVALID), read synchronously. */
export function importSourceSync(store: IntelStore, path: string, feed: FeedName | undefined): ImportedSource {
  if (isDirectory(path)) {
    return mergeDirectory(
      path,
      directoryFiles(path).map((file) => ({ file, source: importSourceSync(store, file, feed) })),
    );
  }
  return importFileSync(store, path, feed);
}

function importFileSync(store: IntelStore, path: string, feed: FeedName | undefined): ImportedSource {
  if (isZipArchive(path)) {
    throw feedInvalid('a zip archive is read asynchronously: import it with importSources', { file: path });
  }
  const { text, sha256 } = readFeedText(path);
  return { parts: [prepareText(text, path, feed).write(store)], checksum: sha256 };
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
 * OSV, NVD and vendor files), count as one source with one part per feed.
 */
function mergeDirectory(directory: string, files: { file: string; source: ImportedSource }[]): ImportedSource {
  const byFeed = new Map<FeedName, ImportedPart[]>();
  for (const { source } of files) {
    for (const part of source.parts) byFeed.set(part.feed, [...(byFeed.get(part.feed) ?? []), part]);
  }
  const listing = files.map(({ file, source }) => `${relative(directory, file)} ${source.checksum}`).join('\n');
  return { parts: [...byFeed].map(([feed, group]) => mergeParts(feed, group)), checksum: sha256Hex(listing) };
}

function mergeParts(feed: FeedName, group: ImportedPart[]): ImportedPart {
  if (group.length === 1 && group[0]) return group[0];
  const sum = (key: 'records' | 'written' | 'skipped') => group.reduce((total, part) => total + part[key], 0);
  return {
    feed,
    records: sum('records'),
    written: sum('written'),
    skipped: sum('skipped'),
    notes: mergeNotes(group.flatMap((part) => part.notes)),
  };
}

function isZipArchive(path: string): boolean {
  return looksLikeZip(firstBytes(path, 4));
}

function firstBytes(path: string, count: number): Buffer {
  return readRegularHead(path, count);
}
