/**
 * `importSources`: recognise each source, normalise it, then write every source in ONE store
 * transaction with its feed metadata, so a failing import leaves the store exactly as it was.
 * Shared by `cvebuild db import` (local files) and `cvebuild db update` (downloaded files).
 */
import type { FeedMetadata, FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';
import type { FeedImportResult, ImportReport, ImportSource } from './api.ts';
import { renderNote } from './prepared.ts';
import { combinedChecksum } from './source.ts';
import { holdsArchive, type PreparedSource, prepareSource, prepareSourceSync } from './source-paths.ts';

export { FEED_NAMES, isFeedName } from './feeds.ts';

export interface FeedImportOutcome extends FeedImportResult {
  /** Why records were skipped or only partly used, one line per reason. */
  notes: string[];
}

export interface ImportOutcome extends ImportReport {
  results: FeedImportOutcome[];
}

/**
 * Parses every source, then writes them all in one transaction. Feed metadata is recorded once per
 * feed: several sources of one feed (e.g. two MAL files) share a row whose count is their total, url
 * their urls, checksum one over theirs.
 *
 * Synchronous unless a zip archive is among the sources: yauzl reads archives asynchronously, so
 * then the report comes as a Promise. `await` the result when sources may include archives.
 */
export function importSources(
  store: IntelStore,
  sources: readonly ImportSource[],
): ImportOutcome | Promise<ImportOutcome> {
  const started = performance.now();
  if (!sources.some((source) => holdsArchive(source.path))) {
    const prepared = sources.map((source) => ({ source, ready: prepareSourceSync(source.path, source.feed) }));
    return writeAll(store, prepared, started);
  }
  return (async () => {
    const prepared: Prepared[] = [];
    for (const source of sources) prepared.push({ source, ready: await prepareSource(source.path, source.feed) });
    return writeAll(store, prepared, started);
  })();
}

interface Prepared {
  source: ImportSource;
  ready: PreparedSource;
}

function writeAll(store: IntelStore, prepared: readonly Prepared[], started: number): ImportOutcome {
  const fetchedAt = new Date().toISOString();
  const results = store.transaction(() => {
    const written = prepared.flatMap(({ source, ready }) =>
      ready.imports.map((part): FeedImportOutcome => {
        const counts = part.write(store);
        return {
          feed: part.feed,
          path: source.path,
          records: part.records,
          written: counts.written,
          skipped: counts.skipped,
          notes: part.notes.map(renderNote),
        };
      }),
    );
    for (const metadata of feedMetadata(prepared, fetchedAt)) store.recordFeed(metadata);
    return written;
  });
  return { results, durationMs: performance.now() - started };
}

interface FeedPart {
  source: ImportSource;
  records: number;
  checksum: string;
}

function feedMetadata(prepared: readonly Prepared[], fetchedAt: string): FeedMetadata[] {
  const byFeed = new Map<FeedName, FeedPart[]>();
  for (const { source, ready } of prepared) {
    for (const part of ready.imports) {
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
