/**
 * `importSources`: recognise each source and write it, one record at a time, with every source in
 * ONE store transaction and its feed metadata, so a failing import leaves the store exactly as it
 * was. Shared by `cvebuild db import` (local files) and `cvebuild db update` (downloaded files).
 */

import { hasCurrentSquatIndex, isSquatInput, writeSquatIndex } from '../../typosquat/popular.ts';
import type { FeedMetadata, FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';
import type { FeedImportResult, ImportReport, ImportSource } from './api.ts';
import { renderNote } from './prepared.ts';
import { combinedChecksum } from './source.ts';
import { holdsArchive, type ImportedSource, importSource, importSourceSync } from './source-paths.ts';

export { FEED_NAMES, isFeedName } from './feeds.ts';

export interface FeedImportOutcome extends FeedImportResult {
  /** Why records were skipped or only partly used, one line per reason. */
  notes: string[];
}

export interface ImportOutcome extends ImportReport {
  results: FeedImportOutcome[];
}

/**
 * Writes every source in one transaction. Feed metadata is recorded once per feed: several sources
 * of one feed (e.g. two MAL files) share a row whose count is their total, url their urls, checksum
 * one over theirs.
 *
 * Synchronous unless a zip archive is among the sources: yauzl reads archives asynchronously, so
 * then the transaction spans the reading and the report comes as a Promise. `await` the result
 * when sources may include archives, and use the store for nothing else until it settles.
 */
export function importSources(
  store: IntelStore,
  sources: readonly ImportSource[],
  options: ImportOptions = {},
): ImportOutcome | Promise<ImportOutcome> {
  const started = performance.now();
  const starting = (source: ImportSource, index: number) => options.onSource?.(source, index, sources.length);
  if (!sources.some((source) => holdsArchive(source.path))) {
    return store.transaction(() => {
      const imported = sources.map((source, index) => {
        starting(source, index);
        return { source, ready: importSourceSync(store, source.path, source.feed) };
      });
      return finish(store, imported, started);
    });
  }
  return store.transactionAsync(async () => {
    const imported: Imported[] = [];
    for (const [index, source] of sources.entries()) {
      starting(source, index);
      imported.push({ source, ready: await importSource(store, source.path, source.feed) });
    }
    return finish(store, imported, started);
  });
}

export interface ImportOptions {
  /** Called as each source starts (a progress line; synchronous imports block the event loop meanwhile). */
  onSource?: (source: ImportSource, index: number, total: number) => void;
}

interface Imported {
  source: ImportSource;
  ready: ImportedSource;
}

function finish(store: IntelStore, imported: readonly Imported[], started: number): ImportOutcome {
  const fetchedAt = new Date().toISOString();
  const results = imported.flatMap(({ source, ready }) =>
    ready.parts.map(
      (part): FeedImportOutcome => ({
        feed: part.feed,
        path: source.path,
        records: part.records,
        written: part.written,
        skipped: part.skipped,
        notes: part.notes.map(renderNote),
      }),
    ),
  );
  const feeds = feedMetadata(imported, fetchedAt);
  for (const metadata of feeds) store.recordFeed(metadata);
  // derived data, in the same transaction: the typosquat index of the lists just written, or of a
  // store whose index is missing (a migration dropped it) or out of date
  if (feeds.some((metadata) => isSquatInput(metadata.name)) || !hasCurrentSquatIndex(store)) writeSquatIndex(store);
  return { results, durationMs: performance.now() - started };
}

interface FeedPart {
  source: ImportSource;
  records: number;
  checksum: string;
}

function feedMetadata(imported: readonly Imported[], fetchedAt: string): FeedMetadata[] {
  const byFeed = new Map<FeedName, FeedPart[]>();
  for (const { source, ready } of imported) {
    for (const part of ready.parts) {
      const group = byFeed.get(part.feed) ?? [];
      group.push({ source, records: part.records, checksum: ready.checksum });
      byFeed.set(part.feed, group);
    }
  }
  return [...byFeed].map(([name, group]) => {
    const single = group.length === 1 ? group[0]?.source : undefined;
    return {
      name,
      url: group.map(({ source }) => source.url ?? source.path).join(', '),
      fetchedAt,
      count: group.reduce((sum, part) => sum + part.records, 0),
      checksum: combinedChecksum(group.map((part) => part.checksum)),
      ...(single?.etag ? { etag: single.etag } : {}),
      ...(single?.lastModified ? { lastModified: single.lastModified } : {}),
      ...(single?.finalUrl ? { finalUrl: single.finalUrl } : {}),
    };
  });
}
