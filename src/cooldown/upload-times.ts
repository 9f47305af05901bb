/**
 * Upload times of locked PyPI files: answered from the disk cache when it knows the file, else
 * from one request per index + project (a bounded number at a time). A file is matched by sha256
 * when the lock has one, else by file name.
 */
import { isCvebuildError } from '../errors.ts';
import type { Download } from '../net/download.ts';
import { displayIndex, fetchProjectFiles, type IndexFile } from './simple-api.ts';
import { cacheDirectory, cacheFile, readCachedProject, writeCachedProject } from './upload-cache.ts';

export interface UploadQuery {
  /** The index URL as locked, credentials included (they are sent, never shown). */
  index: string;
  /** PEP 503-normalized project name. */
  project: string;
  filename: string;
  sha256?: string;
}

export type UploadAnswer =
  | { status: 'found'; uploadTime: number; from: 'cache' | 'index' }
  /** Listed, but without a PEP 700 upload time. */
  | { status: 'no-upload-time' }
  | { status: 'not-listed' }
  /** Listed under the locked file name with a different sha256. */
  | { status: 'hash-mismatch'; indexSha256: string }
  | { status: 'unavailable'; reason: string; offline: boolean };

export interface LookupOptions {
  cacheDir: string;
  /** ms since the epoch; ages of cache entries are measured against it. */
  now: number;
  offline: boolean;
  /** Requests in flight at once. */
  concurrency: number;
  /** How long a cached page may answer "not listed" / "no upload time" before it is fetched again. */
  missTtlMs: number;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxBytes: number;
  /** The HTTP client (default: `download`). */
  http?: Download;
  signal?: AbortSignal;
}

/** The knobs of the lookups themselves, apart from where and when they run. */
export type LookupTuning = Omit<LookupOptions, 'cacheDir' | 'now' | 'offline' | 'http' | 'signal'>;

export const DEFAULT_LOOKUP_OPTIONS: Readonly<LookupTuning> = {
  concurrency: 8,
  missTtlMs: 3_600_000,
  timeoutMs: 30_000,
  retries: 2,
  backoffMs: 1_000,
  maxBytes: 64 * 1024 * 1024,
};

/** The lookups' options for one check run: its cache, clock, network and signal, with the check's tuning. */
export function lookupOptionsFor(
  context: { cacheDir: string; now: Date; offline: boolean; http?: Download; signal?: AbortSignal },
  tuning: Partial<LookupTuning> = {},
): LookupOptions {
  return {
    ...DEFAULT_LOOKUP_OPTIONS,
    ...tuning,
    cacheDir: context.cacheDir,
    now: context.now.getTime(),
    offline: context.offline,
    http: context.http,
    signal: context.signal,
  };
}

/** Answers in the order of the queries. */
export async function lookupUploadTimes(queries: UploadQuery[], options: LookupOptions): Promise<UploadAnswer[]> {
  const groups = new Map<string, number[]>();
  queries.forEach((query, position) => {
    const key = `${displayIndex(query.index)}\n${query.project}`;
    groups.set(key, [...(groups.get(key) ?? []), position]);
  });
  const answers: UploadAnswer[] = new Array(queries.length);
  await forEachLimited([...groups.values()], options.concurrency, async (positions) => {
    const group = positions.map((position) => queries[position] as UploadQuery);
    const results = await lookupProject(group, options);
    positions.forEach((position, i) => {
      answers[position] = results[i] as UploadAnswer;
    });
  });
  return answers;
}

/** Every query here shares one index and project. */
async function lookupProject(queries: UploadQuery[], options: LookupOptions): Promise<UploadAnswer[]> {
  const first = queries[0] as UploadQuery;
  const shownIndex = displayIndex(first.index);
  const path = cacheFile(options.cacheDir, shownIndex, first.project);
  const cached = await readCachedProject(path);
  const fromCache = queries.map((query) => (cached ? matchFile(cached.files, query, 'cache') : undefined));
  const fresh = cached !== undefined && options.now - cached.fetchedAt < options.missTtlMs;
  if (fromCache.every((answer) => answer?.status === 'found') || fresh) return fromCache as UploadAnswer[];
  const unavailable = (reason: string, offline: boolean): UploadAnswer[] =>
    fromCache.map((answer) => (answer?.status === 'found' ? answer : { status: 'unavailable', reason, offline }));
  if (options.offline) return unavailable('offline: the index was not asked', true);
  let files: IndexFile[];
  try {
    files = await fetchProjectFiles(first.index, first.project, {
      ...options,
      scratchDir: cacheDirectory(options.cacheDir),
    });
  } catch (error) {
    if (!isCvebuildError(error)) throw error;
    return unavailable(error.message, false);
  }
  // A cache that cannot be written only costs a request next time.
  await writeCachedProject(path, { index: shownIndex, project: first.project, fetchedAt: options.now, files }).catch(
    () => undefined,
  );
  return queries.map((query) => matchFile(files, query, 'index'));
}

function matchFile(files: IndexFile[], query: UploadQuery, from: 'cache' | 'index'): UploadAnswer {
  const wanted = query.sha256?.toLowerCase();
  const file =
    (wanted && files.find((candidate) => candidate.sha256 === wanted)) ||
    files.find((candidate) => candidate.filename === query.filename);
  if (!file) return { status: 'not-listed' };
  if (wanted && file.sha256 && file.sha256 !== wanted) return { status: 'hash-mismatch', indexSha256: file.sha256 };
  return file.uploadTime === undefined
    ? { status: 'no-upload-time' }
    : { status: 'found', uploadTime: file.uploadTime, from };
}

/** Runs `work` on every item, at most `limit` at a time. */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
