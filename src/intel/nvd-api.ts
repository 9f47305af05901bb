/**
 * The `nvd` feed: NVD's CVE API 2.0, asked only about the products cvebuild maps.
 *
 * - First run, and for any CPE pair the product map gained since: one query per `vendor:product` pair
 *   of data/conda-native.json (`virtualMatchString=cpe:2.3:a:VENDOR:PRODUCT`), paged with
 *   `startIndex` / `resultsPerPage` until `totalResults`.
 * - Later runs: only what NVD modified since the last successful run, in `lastModStartDate` /
 *   `lastModEndDate` windows of at most 120 days (NVD's limit), across all of NVD, kept only when the
 *   record names a mapped CPE pair (or is a CVE the store holds, so a rejection reaches it). A day's
 *   changes are one or two requests, whatever the number of products.
 * - Paced to NVD's published limit (5 requests per 30 s, 50 with an API key, `NVD_API_KEY`, sent as
 *   the `apiKey` header), retried with backoff on 403 (NVD's "rate limited"), 429 and 5xx; a page
 *   over its byte cap, the run over its total cap, or any failed page fails the feed: nothing of it
 *   is imported and the cursor stays where it was.
 *
 * Kept records are written as NVD JSON-lines for the existing importer (intel/import/nvd.ts); the
 * run's new cursor is returned for the caller to store once the import has committed.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CvebuildError } from '../errors.ts';
import { nativeProducts } from '../mapping/native.ts';
import { download, type RetryEvent } from '../net/download.ts';
import { asArray, asString, isObject, type Json } from './import/source.ts';

/** NVD's cap on `resultsPerPage` for the CVE API. */
export const NVD_PAGE_SIZE = 2000;
/** NVD refuses date ranges longer than this. */
export const NVD_MAX_WINDOW_MS = 120 * 24 * 3_600_000;
const RATE_WINDOW_MS = 30_000;

/** Waits, before each request, until sending it keeps within the server's rate limit. */
export interface RequestPacer {
  wait(): Promise<void>;
}

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: PacerClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/** At most `limit` requests in any `windowMs`: a request waits until the oldest of the last `limit` has aged out. */
export function slidingWindowPacer(limit: number, windowMs = RATE_WINDOW_MS, clock = REAL_CLOCK): RequestPacer {
  const sent: number[] = [];
  return {
    async wait() {
      if (sent.length >= limit) {
        const oldest = sent[sent.length - limit] ?? 0;
        const delay = oldest + windowMs - clock.now();
        if (delay > 0) await clock.sleep(delay);
      }
      sent.push(clock.now());
      if (sent.length > limit) sent.splice(0, sent.length - limit);
    },
  };
}

/** NVD's published limits: 5 requests per rolling 30 s without a key, 50 with one. */
export function nvdPacer(apiKey: string | undefined): RequestPacer {
  return slidingWindowPacer(apiKey ? 50 : 5);
}

/** Where the feed stands between runs (stored as JSON in the feed's metadata). */
export interface NvdState {
  /** CPE `vendor:product` pairs already fetched in full. */
  full: string[];
  /** Every change NVD made before this instant is in the store (the last run's start). */
  through: string;
}

export function parseNvdState(text: string | undefined): NvdState | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (!isObject(value) || typeof value.through !== 'string' || Number.isNaN(Date.parse(value.through))) {
      return undefined;
    }
    return {
      full: asArray(value.full).filter((pair): pair is string => typeof pair === 'string'),
      through: value.through,
    };
  } catch {
    return undefined;
  }
}

/** Every NVD CPE pair of the product map, sorted. */
export function mappedCpePairs(): string[] {
  return [...new Set(nativeProducts().flatMap((product) => product.cpe))].sort();
}

export interface NvdFetchOptions {
  /** The API endpoint (`…/rest/json/cves/2.0`). */
  url: string;
  directory: string;
  /** Cursor of the last successful run; absent → everything is fetched in full. */
  state: NvdState | undefined;
  /** CPE pairs to cover (default: the product map's). */
  pairs?: readonly string[];
  apiKey?: string;
  pacer: RequestPacer;
  now: Date;
  /** Whether the store holds a CVE: such a record is kept even when it names no mapped pair any more. */
  isStored: (id: string) => boolean;
  /** Cap per response. */
  maxPageBytes: number;
  /** Cap over the whole run. */
  maxTotalBytes: number;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  onRetry?: (event: RetryEvent) => void;
  /** Before each query: a first run without an API key asks ~80 of them, 6 s apart, so say where it is. */
  onQuery?: (query: NvdQueryProgress) => void;
}

export interface NvdQueryProgress {
  /** 1-based position among this run's queries, and how many there are. */
  index: number;
  total: number;
  /** A CPE pair asked in full (`openssl:openssl`), or a changed-since window's start and end. */
  what: { pair: string } | { start: string; end: string };
  requestsSoFar: number;
  keptSoFar: number;
}

export interface NvdFetchResult {
  /** NVD JSON-lines of the kept records; absent when none was kept. */
  path?: string;
  kept: number;
  /** Records NVD returned (before keeping only mapped products). */
  seen: number;
  requests: number;
  bytes: number;
  attempts: number;
  /** The cursor to store once the kept records are imported. */
  state: NvdState;
  /** What was asked: `full` pairs and `windows`. */
  asked: { full: string[]; windows: { start: string; end: string }[] };
}

/** `[start, end)` split into consecutive windows of at most `NVD_MAX_WINDOW_MS`. */
export function lastModWindows(start: Date, end: Date): { start: Date; end: Date }[] {
  const windows: { start: Date; end: Date }[] = [];
  for (let from = start.getTime(); from < end.getTime(); from += NVD_MAX_WINDOW_MS) {
    windows.push({ start: new Date(from), end: new Date(Math.min(from + NVD_MAX_WINDOW_MS, end.getTime())) });
  }
  return windows;
}

/** NVD's extended ISO 8601 with an explicit offset (`2026-01-02T03:04:05.000+00:00`). */
function nvdDate(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

export async function fetchNvdApi(options: NvdFetchOptions): Promise<NvdFetchResult> {
  const pairs = [...(options.pairs ?? mappedCpePairs())];
  const tracked = new Set(pairs);
  const previous = options.state;
  const through = previous ? new Date(previous.through) : undefined;
  const incremental = through !== undefined && through.getTime() <= options.now.getTime();
  const alreadyFull = new Set(incremental ? previous?.full : []);
  const full = pairs.filter((pair) => !alreadyFull.has(pair));
  const windows = incremental && through ? lastModWindows(through, options.now) : [];

  const output = join(options.directory, 'nvd.jsonl');
  const sink = createWriteStream(output);
  const seenIds = new Set<string>();
  const totals = { kept: 0, seen: 0, requests: 0, bytes: 0, attempts: 0 };
  const keep = (cve: Json): boolean => {
    const id = asString(cve.id);
    if (!id || seenIds.has(id)) return false;
    if (!namesTrackedPair(cve, tracked) && !options.isStored(id)) return false;
    seenIds.add(id);
    return true;
  };
  try {
    const total = full.length + windows.length;
    const progress = (index: number, what: NvdQueryProgress['what']) =>
      options.onQuery?.({ index, total, what, requestsSoFar: totals.requests, keptSoFar: totals.kept });
    for (const [index, pair] of full.entries()) {
      progress(index + 1, { pair });
      await pages(options, { virtualMatchString: `cpe:2.3:a:${pair}` }, totals, sink, keep);
    }
    for (const [index, window] of windows.entries()) {
      progress(full.length + index + 1, { start: window.start.toISOString(), end: window.end.toISOString() });
      const query = { lastModStartDate: nvdDate(window.start), lastModEndDate: nvdDate(window.end) };
      await pages(options, query, totals, sink, keep);
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  if (totals.kept === 0) await rm(output, { force: true });
  return {
    ...(totals.kept > 0 ? { path: output } : {}),
    ...totals,
    state: { full: pairs, through: options.now.toISOString() },
    asked: {
      full,
      windows: windows.map((window) => ({ start: window.start.toISOString(), end: window.end.toISOString() })),
    },
  };
}

interface Totals {
  kept: number;
  seen: number;
  requests: number;
  bytes: number;
  attempts: number;
}

/** Every page of one query, in order; each kept record is appended to `sink`. */
async function pages(
  options: NvdFetchOptions,
  query: Record<string, string>,
  totals: Totals,
  sink: WriteStream,
  keep: (cve: Json) => boolean,
): Promise<void> {
  let startIndex = 0;
  for (;;) {
    const url = new URL(options.url);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    url.searchParams.set('resultsPerPage', String(NVD_PAGE_SIZE));
    url.searchParams.set('startIndex', String(startIndex));
    const page = await fetchPage(options, url.toString(), totals);
    const vulnerabilities = asArray(page.vulnerabilities);
    for (const item of vulnerabilities) {
      const cve = isObject(item) && isObject(item.cve) ? item.cve : undefined;
      if (!cve) throw pageInvalid(url.toString(), 'a `vulnerabilities[]` item without a `cve` object');
      totals.seen++;
      if (!keep(cve)) continue;
      totals.kept++;
      if (!sink.write(`${JSON.stringify(cve)}\n`))
        await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    }
    const total = page.totalResults as number;
    startIndex += vulnerabilities.length;
    if (startIndex >= total) return;
    // a page that moves nothing forward would loop for ever
    if (vulnerabilities.length === 0) {
      throw pageInvalid(url.toString(), `an empty page at startIndex ${startIndex} of ${total} results`);
    }
  }
}

async function fetchPage(options: NvdFetchOptions, url: string, totals: Totals): Promise<Json> {
  await options.pacer.wait();
  const destination = join(options.directory, 'nvd-page.json');
  const result = await download({
    url,
    destination,
    maxBytes: Math.min(options.maxPageBytes, options.maxTotalBytes - totals.bytes),
    headers: options.apiKey ? { apiKey: options.apiKey } : {},
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoffMs: options.backoffMs,
    // NVD answers 403 when a client is over its rate limit
    retryStatuses: [403],
    onRetry: options.onRetry,
  });
  totals.requests++;
  totals.attempts += result.attempts;
  if (result.status !== 'downloaded') throw pageInvalid(url, 'HTTP 304 to an unconditional request');
  totals.bytes += result.bytes;
  if (totals.bytes >= options.maxTotalBytes) {
    throw new CvebuildError('NETWORK', `NVD API: the run reached its ${options.maxTotalBytes}-byte cap at ${url}`);
  }
  let page: unknown;
  try {
    page = JSON.parse(await readFile(result.path, 'utf8'));
  } catch (error) {
    throw pageInvalid(url, `not JSON (${(error as Error).message.split('\n', 1)[0]})`);
  } finally {
    await rm(result.path, { force: true });
  }
  if (!isObject(page) || !Array.isArray(page.vulnerabilities) || typeof page.totalResults !== 'number') {
    throw pageInvalid(url, 'not a CVE API 2.0 response (needs `totalResults` and `vulnerabilities[]`)');
  }
  return page;
}

function pageInvalid(url: string, message: string): CvebuildError {
  return new CvebuildError('FEED_INVALID', `NVD API answer is ${message}`, { file: redacted(url) });
}

/** The request as it may be shown: the key travels in a header, never in the URL, but be sure. */
function redacted(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete('apiKey');
  return parsed.toString();
}

/** Whether a record's configurations name an application CPE of a mapped `vendor:product` pair. */
function namesTrackedPair(cve: Json, tracked: ReadonlySet<string>): boolean {
  for (const configuration of asArray(cve.configurations)) {
    if (!isObject(configuration)) continue;
    for (const node of asArray(configuration.nodes)) {
      if (!isObject(node)) continue;
      for (const match of asArray(node.cpeMatch)) {
        const criteria = isObject(match) ? asString(match.criteria) : undefined;
        if (!criteria) continue;
        const [prefix, , part, vendor, product] = criteria.split(/(?<!\\):/);
        if (prefix === 'cpe' && part === 'a' && tracked.has(`${vendor?.toLowerCase()}:${product?.toLowerCase()}`)) {
          return true;
        }
      }
    }
  }
  return false;
}
