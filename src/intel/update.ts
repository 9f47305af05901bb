/**
 * `db update` as a library call: download the selected feeds, then import every downloaded file in one
 * `importSources` call, so a bad feed leaves the store as it was. Fails closed on a missing required feed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CvebuildError, isCvebuildError } from '../errors.ts';
import { type DownloadResult, download, type RetryEvent } from '../net/download.ts';
import { fetchCveListRelease, parseCveListState } from './cve-list-release.ts';
import { type FeedSource, NVD_RUN_MAX_BYTES } from './feeds.ts';
import type { ImportReport, ImportSource } from './import/api.ts';
import { importSources } from './import/index.ts';
import type { FeedName } from './model.ts';
import { fetchNvdApi, type NvdQueryProgress, nvdPacer, parseNvdState, type RequestPacer } from './nvd-api.ts';
import type { IntelStore } from './store-api.ts';

export interface UpdateOptions {
  feeds: readonly FeedSource[];
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  /** Import what did download even when a required feed failed (the update still reports failure). */
  keepGoing?: boolean;
  /** Feeds downloaded at the same time. */
  concurrency?: number;
  /** Where downloads go; by default a fresh directory beside the store, removed afterwards. */
  workDirectory?: string;
  onRetry?: (feed: FeedName, event: RetryEvent) => void;
  /** Progress of the NVD feed's queries (it may take minutes without an API key). */
  onNvdQuery?: (query: NvdQueryProgress) => void;
  /** Each feed's download as it starts, receives bytes and ends, then the import, file by file. */
  onProgress?: (event: UpdateProgress) => void;
  now?: () => Date;
  /** Where `NVD_API_KEY` is read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Paces NVD API requests (default: NVD's published limit for a request with or without a key). */
  nvdPacer?: RequestPacer;
}

export type FeedUpdateStatus = 'downloaded' | 'unchanged' | 'failed';

/** What an update is doing, for a progress line: nothing decides on these. */
export type UpdateProgress =
  | { type: 'download-start'; feed: FeedName; feeds: number }
  /** Bytes of the feed's body so far, and its announced length when there is one. */
  | { type: 'download-bytes'; feed: FeedName; bytes: number; total?: number }
  | { type: 'download-end'; update: FeedUpdate }
  | { type: 'import-start'; files: number }
  | { type: 'import-file'; feed: FeedName | undefined; path: string; index: number; files: number }
  | { type: 'import-end'; files: number; ms: number };

export interface FeedUpdate {
  feed: FeedName;
  url: string;
  /** Where the download really came from, when the server redirected it. */
  finalUrl?: string;
  required: boolean;
  status: FeedUpdateStatus;
  /** The one-line download error when `failed`. */
  error?: string;
  bytes?: number;
  sha256?: string;
  attempts?: number;
  downloadMs: number;
  /** Set once the file was imported. */
  records?: number;
  written?: number;
  /** For a feed fetched in several requests (the NVD API): how many, and what was asked. */
  requests?: number;
  detail?: string;
}

export interface UpdateReport {
  feeds: FeedUpdate[];
  /** Whether the downloaded files went into the store (false when failing closed or nothing changed). */
  imported: boolean;
  /** A required feed failed and, without keepGoing, nothing was written: the store is as it was. */
  failedClosed: boolean;
  importMs: number;
  durationMs: number;
}

const DEFAULT_CONCURRENCY = 3;

export async function updateFeeds(store: IntelStore, options: UpdateOptions): Promise<UpdateReport> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const ownDirectory = options.workDirectory === undefined;
  const directory = options.workDirectory ?? (await ownWorkDirectory(downloadRoot(store)));
  try {
    const downloads = await mapLimited(options.feeds, options.concurrency ?? DEFAULT_CONCURRENCY, async (feed) => {
      options.onProgress?.({ type: 'download-start', feed: feed.name, feeds: options.feeds.length });
      const fetched = await fetchFeed(store, feed, directory, options);
      options.onProgress?.({ type: 'download-end', update: fetched.update });
      return fetched;
    });
    const feeds = downloads.map(({ update }) => update);
    const failedClosed = feeds.some((feed) => feed.status === 'failed' && feed.required) && !options.keepGoing;
    if (failedClosed) {
      return { feeds, imported: false, failedClosed, importMs: 0, durationMs: performance.now() - started };
    }

    const importStarted = performance.now();
    const fresh = downloads.filter((item) => item.sources.length > 0);
    if (fresh.length > 0) await importDownloads(store, fresh, options.onProgress);
    // an incremental feed's row is written by recordCursors
    refreshUnchanged(
      store,
      downloads.filter((item) => !item.cursor).map(({ update }) => update),
      now(),
    );
    recordCursors(store, downloads, now());
    const importMs = performance.now() - importStarted;
    const durationMs = performance.now() - started;
    return { feeds, imported: fresh.length > 0, failedClosed: false, importMs, durationMs };
  } finally {
    if (ownDirectory) await rm(directory, { recursive: true, force: true });
  }
}

/** The error `db update` ends with, or undefined when every required feed is current. */
export function updateFailure(report: UpdateReport): CvebuildError | undefined {
  const failed = report.feeds.filter((feed) => feed.status === 'failed' && feed.required);
  if (failed.length === 0) return undefined;
  const outcome = report.failedClosed
    ? 'the store was left unchanged (--keep-going imports the rest)'
    : report.imported
      ? 'the other feeds were imported'
      : 'nothing else was imported';
  const reasons = failed.map((feed) => `${feed.feed}: ${feed.error ?? 'failed'}`).join('; ');
  return new CvebuildError(
    'NETWORK',
    `${failed.length} of ${report.feeds.length} feeds could not be downloaded, ${outcome}: ${reasons}`,
  );
}

interface Fetched {
  update: FeedUpdate;
  sources: ImportSource[];
  /** An incremental feed's new cursor, stored once its records are in. */
  cursor?: { feed: FeedSource; state: string; finalUrl?: string };
}

async function fetchFeed(
  store: IntelStore,
  feed: FeedSource,
  directory: string,
  options: UpdateOptions,
): Promise<Fetched> {
  if (feed.format === 'nvd-api' || feed.format === 'cve-list-release') {
    const started = performance.now();
    try {
      return feed.format === 'nvd-api'
        ? await fetchNvd(store, feed, directory, options)
        : await fetchCveList(store, feed, directory, options);
    } catch (error) {
      if (!isCvebuildError(error)) throw error;
      const downloadMs = performance.now() - started;
      const update: FeedUpdate = {
        feed: feed.name,
        url: feed.url,
        required: feed.required,
        status: 'failed',
        error: error.toLine(),
        downloadMs,
      };
      return { update, sources: [] };
    }
  }
  const started = performance.now();
  const base = { feed: feed.name, url: feed.url, required: feed.required };
  const stored = store.feed(feed.name);
  // validators belong to the resource they came from: a feed moved to another URL is fetched in full
  const validators =
    stored?.url === feed.url && !feed.selective ? { etag: stored.etag, lastModified: stored.lastModified } : undefined;
  let result: DownloadResult;
  try {
    result = await download({
      url: feed.url,
      destination: join(directory, fileName(feed)),
      maxBytes: feed.maxBytes,
      validators,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      backoffMs: options.backoffMs,
      onRetry: (event) => options.onRetry?.(feed.name, event),
      onProgress: (bytes, total) =>
        options.onProgress?.({
          type: 'download-bytes',
          feed: feed.name,
          bytes,
          ...(total === undefined ? {} : { total }),
        }),
    });
  } catch (error) {
    if (!isCvebuildError(error)) throw error;
    const downloadMs = performance.now() - started;
    return { update: { ...base, status: 'failed', error: error.toLine(), downloadMs }, sources: [] };
  }
  const redirected = result.finalUrl === undefined ? {} : { finalUrl: result.finalUrl };
  if (result.status === 'unchanged') {
    return {
      update: { ...base, ...redirected, status: 'unchanged', attempts: result.attempts, downloadMs: result.durationMs },
      sources: [],
    };
  }
  const { bytes, sha256, attempts, durationMs: downloadMs, etag, lastModified, path } = result;
  return {
    update: { ...base, ...redirected, status: 'downloaded', bytes, sha256, attempts, downloadMs },
    sources: [{ path, feed: feed.name, url: feed.url, ...redirected, etag, lastModified }],
  };
}

/** The NVD API feed: full per-product queries, then lastMod windows from the stored cursor. */
async function fetchNvd(
  store: IntelStore,
  feed: FeedSource,
  directory: string,
  options: UpdateOptions,
): Promise<Fetched> {
  const started = performance.now();
  const stored = store.feed(feed.name);
  // a cursor belongs to the endpoint it came from: another URL starts again in full
  const state = stored?.url === feed.url ? parseNvdState(stored.state) : undefined;
  const apiKey = (options.env ?? process.env).NVD_API_KEY?.trim() || undefined;
  const result = await fetchNvdApi({
    url: feed.url,
    directory,
    state,
    apiKey,
    pacer: options.nvdPacer ?? nvdPacer(apiKey),
    now: (options.now ?? (() => new Date()))(),
    isStored: (id) => store.advisoryById(id) !== undefined,
    maxPageBytes: feed.maxBytes,
    maxTotalBytes: NVD_RUN_MAX_BYTES,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoffMs: options.backoffMs,
    onRetry: (event) => options.onRetry?.(feed.name, event),
    ...(options.onNvdQuery ? { onQuery: options.onNvdQuery } : {}),
  });
  const { asked } = result;
  const detail = [
    asked.full.length > 0 ? `${asked.full.length} products in full` : '',
    asked.windows.length > 0 ? `changes since ${asked.windows[0]?.start} (${asked.windows.length} window(s))` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    update: {
      feed: feed.name,
      url: feed.url,
      required: feed.required,
      status: 'downloaded',
      bytes: result.bytes,
      attempts: result.attempts,
      requests: result.requests,
      detail: `${detail || 'nothing to ask'}: ${result.kept} of ${result.seen} records kept`,
      downloadMs: performance.now() - started,
    },
    sources: result.path ? [{ path: result.path, feed: feed.name, url: feed.url }] : [],
    cursor: { feed, state: JSON.stringify(result.state) },
  };
}

/** The CVE List V5 feed: a release's baseline when the store has not applied it, else its newer delta. */
async function fetchCveList(
  store: IntelStore,
  feed: FeedSource,
  directory: string,
  options: UpdateOptions,
): Promise<Fetched> {
  const started = performance.now();
  const stored = store.feed(feed.name);
  const state = stored?.url === feed.url ? parseCveListState(stored.state) : undefined;
  const result = await fetchCveListRelease({
    url: feed.url,
    directory,
    state,
    maxBytes: feed.maxBytes,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoffMs: options.backoffMs,
    onRetry: (event) => options.onRetry?.(feed.name, event),
    onProgress: (bytes) => options.onProgress?.({ type: 'download-bytes', feed: feed.name, bytes }),
  });
  const last = result.files.at(-1);
  return {
    update: {
      feed: feed.name,
      url: feed.url,
      required: feed.required,
      status: result.files.length > 0 ? 'downloaded' : 'unchanged',
      bytes: result.bytes,
      attempts: result.attempts,
      detail:
        result.files.length > 0
          ? result.files.map((file) => file.url.split('/').at(-1)).join(' + ')
          : `${result.state.delta ?? result.state.baseline} already applied`,
      downloadMs: performance.now() - started,
    },
    sources: result.files.map((file) => ({
      path: file.path,
      feed: feed.name,
      url: file.url,
      ...(file.finalUrl ? { finalUrl: file.finalUrl } : {}),
    })),
    cursor: { feed, state: JSON.stringify(result.state), ...(last ? { finalUrl: last.url } : {}) },
  };
}

/**
 * An incremental feed's row after a successful run: its own URL, the run's time, every record it
 * holds in the store (a run imports only what changed) and the new cursor. Written after the
 * records' import: a crash in between only makes the next run ask again.
 */
function recordCursors(store: IntelStore, fetched: readonly Fetched[], now: Date): void {
  const cursors = fetched.flatMap((item) => (item.cursor && item.update.status !== 'failed' ? [item.cursor] : []));
  if (cursors.length === 0) return;
  store.transaction(() => {
    for (const { feed, state, finalUrl } of cursors) {
      const stored = store.feed(feed.name);
      store.recordFeed({
        name: feed.name,
        url: feed.url,
        fetchedAt: now.toISOString(),
        count: store.feedRecordCount(feed.name),
        checksum: stored?.checksum ?? EMPTY_SHA256,
        ...(finalUrl ? { finalUrl } : stored?.finalUrl ? { finalUrl: stored.finalUrl } : {}),
        state,
      });
    }
  });
}

/** sha256 of no bytes: the checksum of a feed that has imported nothing yet. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** One importSources call: one transaction for every downloaded feed. */
async function importDownloads(
  store: IntelStore,
  fetched: readonly Fetched[],
  onProgress: UpdateOptions['onProgress'],
): Promise<void> {
  const sources = fetched.flatMap((item) => item.sources);
  let report: ImportReport;
  const started = performance.now();
  onProgress?.({ type: 'import-start', files: sources.length });
  try {
    report = await importSources(store, sources, {
      onSource: (source, index, files) =>
        onProgress?.({ type: 'import-file', feed: source.feed, path: source.path, index, files }),
    });
  } catch (error) {
    throw isCvebuildError(error) ? withFeedUrl(error, sources) : error;
  }
  onProgress?.({ type: 'import-end', files: sources.length, ms: performance.now() - started });
  for (const item of fetched) {
    const paths = new Set(item.sources.map((source) => source.path));
    const results = report.results.filter((result) => paths.has(result.path));
    item.update.records = results.reduce((sum, result) => sum + result.records, 0);
    item.update.written = results.reduce((sum, result) => sum + result.written, 0);
  }
}

/** A 304 means the data is current as of now, so the feed's age starts again; nothing is re-imported. */
function refreshUnchanged(store: IntelStore, feeds: readonly FeedUpdate[], now: Date): void {
  const unchanged = feeds.filter((feed) => feed.status === 'unchanged');
  if (unchanged.length === 0) return;
  store.transaction(() => {
    for (const feed of unchanged) {
      const stored = store.feed(feed.feed);
      if (!stored) continue;
      // the redirect of this request, not of the last download: it says where "unchanged" was asked
      const { finalUrl: _previous, ...rest } = stored;
      store.recordFeed({
        ...rest,
        fetchedAt: now.toISOString(),
        ...(feed.finalUrl ? { finalUrl: feed.finalUrl } : {}),
      });
    }
  });
}

/** Import errors name the temporary file; the user needs the URL it came from. */
function withFeedUrl(error: CvebuildError, sources: readonly ImportSource[]): CvebuildError {
  const source = sources.find((item) => error.location.file === item.path);
  if (!source?.url) return error;
  return new CvebuildError(error.code, error.message, { ...error.location, file: source.url });
}

/** The extension is what the importer recognises a format by. */
function fileName(feed: FeedSource): string {
  return feed.format === 'vuln.pm' ? `${feed.name}-vuln.pm` : `${feed.name}.${feed.format}`;
}

const WORK_PREFIX = '.cvebuild-update-';

/**
 * `.cvebuild-update-<host>-<pid>-XXXXXX`. `finally` removes it on every failure an update survives;
 * one left by a process that died (killed, out of memory) is removed by the next update on the same
 * host, once its pid is gone. The host in the name keeps a cache shared between machines or
 * containers from losing a directory another one is still using.
 */
async function ownWorkDirectory(root: string): Promise<string> {
  const mine = `${WORK_PREFIX}${hostname()}-`;
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const name of entries) {
    const pid = name.startsWith(mine) ? /^(\d+)-/.exec(name.slice(mine.length))?.[1] : undefined;
    if (pid !== undefined && !isRunning(Number(pid))) await rm(join(root, name), { recursive: true, force: true });
  }
  return mkdtemp(join(root, `${mine}${process.pid}-`));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Beside the store (same disk, the user's cvebuild cache), or the system temp directory for in-memory stores. */
function downloadRoot(store: IntelStore): string {
  const directory = dirname(store.path);
  return store.path !== ':memory:' && existsSync(directory) ? directory : tmpdir();
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
