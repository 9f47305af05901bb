/**
 * The project's one HTTP client: downloads a URL to a file with a per-attempt timeout, retries with
 * backoff, conditional requests, a size cap and a streamed sha256. `file:` URLs are copied the same way.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CvebuildError } from '../errors.ts';
import { regularFileStream } from '../fs/regular-file.ts';
import { createSha256 } from '../util/on-demand-crypto.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from './defaults.ts';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface DownloadRequest {
  url: string;
  /** Where the body goes; written as `<destination>.part` and renamed once complete. */
  destination: string;
  maxBytes: number;
  /** From the stored feed: sent as If-None-Match / If-Modified-Since. */
  validators?: Validators;
  /** Extra request headers (e.g. `accept` for PEP 691 JSON, `authorization` for a private index). */
  headers?: Record<string, string>;
  /** Per attempt, connection through the last body byte. */
  timeoutMs?: number;
  /** Further attempts after the first one, for network errors, 5xx and 429. */
  retries?: number;
  /** First backoff delay; doubled per retry, with jitter. */
  backoffMs?: number;
  /** Client-error statuses that mean "slow down" for this server and are retried like 429 (NVD's 403). */
  retryStatuses?: readonly number[];
  /** Longest Retry-After honoured; a server asking for more is given up on. */
  maxRetryAfterMs?: number;
  onRetry?: (event: RetryEvent) => void;
  /** Bytes of the body received so far in this attempt, and the announced length when there is one. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Stops the download (and any retry wait); the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Only these bytes (an HTTP Range request): `start`..`end` inclusive, or the last `suffix` bytes.
   * The server must answer 206 with a Content-Range; a 200 (the whole file) is refused. Not for `file:` URLs.
   */
  range?: ByteRange;
}

export type ByteRange = { start: number; end: number } | { suffix: number };

/** What a 206 answer covers: `start`..`end` inclusive, of a file of `total` bytes. */
export interface ContentRange {
  start: number;
  end: number;
  total: number;
}

/** The HTTP client as checks receive it: `download`, or a stand-in (a proxy's client, a test double). */
export type Download = (request: DownloadRequest) => Promise<DownloadResult>;

export interface RetryEvent {
  url: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  reason: string;
  delayMs: number;
}

export type DownloadResult =
  | {
      status: 'downloaded';
      url: string;
      /** Where the bytes came from when the server redirected (see `finalLocation`). */
      finalUrl?: string;
      path: string;
      bytes: number;
      sha256: string;
      etag?: string;
      lastModified?: string;
      /** The server's Content-Type, when it sent one (never for `file:` URLs). */
      contentType?: string;
      /** Set for a range request. */
      range?: ContentRange;
      attempts: number;
      durationMs: number;
    }
  | { status: 'unchanged'; url: string; finalUrl?: string; attempts: number; durationMs: number };

const DEFAULT_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;
const USER_AGENT = 'cvebuild (+https://github.com/cvebuild/cvebuild)';

/** One failed attempt; `retryable` decides whether another one is worth making. */
class AttemptError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(reason: string, retryable: boolean, retryAfterMs?: number, status?: number) {
    super(reason);
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
    this.status = status;
  }
}

export async function download(request: DownloadRequest): Promise<DownloadResult> {
  const started = performance.now();
  const url = checkedUrl(request.url);
  const retries = request.retries ?? DEFAULT_RETRIES;
  for (let attempt = 1; ; attempt++) {
    request.signal?.throwIfAborted();
    try {
      const outcome = url.protocol === 'file:' ? await copyFile(url, request) : await fetchOnce(url, request);
      const durationMs = performance.now() - started;
      const { finalUrl, ...rest } = outcome;
      return {
        ...rest,
        url: request.url,
        ...(finalUrl === undefined ? {} : { finalUrl: finalLocation(finalUrl) }),
        attempts: attempt,
        durationMs,
      };
    } catch (error) {
      // a caller's abort is not a network failure to retry or report
      request.signal?.throwIfAborted();
      const failure = asAttemptError(error);
      if (!failure.retryable || attempt > retries) {
        const tries = attempt === 1 ? '1 attempt' : `${attempt} attempts`;
        throw new CvebuildError(
          failure.status === 404 ? 'NOT_FOUND' : 'NETWORK',
          `could not download ${request.url}: ${failure.message} after ${tries}`,
        );
      }
      const delayMs = failure.retryAfterMs ?? backoff(attempt, request.backoffMs ?? DEFAULT_BACKOFF_MS);
      request.onRetry?.({ url: request.url, attempt, reason: failure.message, delayMs });
      await sleep(delayMs, undefined, { signal: request.signal }).catch((error: unknown) => {
        throw request.signal?.aborted ? request.signal.reason : error;
      });
    }
  }
}

/** `finalUrl`: the response's URL when fetch followed redirects (to any host: mirrors and CDNs move). */
type AttemptOutcome = (
  | {
      status: 'downloaded';
      path: string;
      bytes: number;
      sha256: string;
      etag?: string;
      lastModified?: string;
      contentType?: string;
      range?: ContentRange;
    }
  | { status: 'unchanged' }
) & { finalUrl?: string };

async function fetchOnce(url: URL, request: DownloadRequest): Promise<AttemptOutcome> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new AttemptError(`timed out after ${seconds(timeoutMs)}`, true)),
    timeoutMs,
  );
  const stop = () => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', stop, { once: true });
  try {
    const headers = { ...request.headers, ...requestHeaders(request.validators, request.range) };
    const response = await fetch(url, { headers, signal: controller.signal });
    if (response.status === 304) {
      await response.body?.cancel();
      if (!request.validators?.etag && !request.validators?.lastModified) {
        throw new AttemptError('HTTP 304 to an unconditional request', false);
      }
      return { status: 'unchanged', ...redirectedTo(response) };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(response, request.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS, request.retryStatuses);
    }
    const range = request.range ? contentRange(response) : undefined;
    const total = declaredLength(response);
    if (total !== undefined && total > request.maxBytes) throw capError(total, request.maxBytes);
    const written = await writeMetered(response.body ?? [], request.destination, request.maxBytes, (received) =>
      request.onProgress?.(received, total),
    );
    if (range && written.bytes !== range.end - range.start + 1) {
      throw new AttemptError(
        `the body holds ${written.bytes} bytes, not the ${range.end - range.start + 1} its Content-Range announces`,
        true,
      );
    }
    return {
      status: 'downloaded',
      ...written,
      ...(range ? { range } : {}),
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
      contentType: response.headers.get('content-type') ?? undefined,
      ...redirectedTo(response),
    };
  } catch (error) {
    // our timeout surfaces as the abort reason, or as a body error whose cause is the signal's reason
    if (controller.signal.aborted) throw controller.signal.reason;
    controller.abort(); // an abandoned body (cap exceeded, disk full) must not keep the connection open
    throw error;
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', stop);
  }
}

/** A local mirror: the file's mtime plays Last-Modified, so an untouched mirror reads as unchanged. */
async function copyFile(url: URL, request: DownloadRequest): Promise<AttemptOutcome> {
  if (request.range) throw new AttemptError('range requests need an http(s) URL', false);
  const path = fileURLToPath(url);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new AttemptError(`cannot read ${path} (${error.code ?? error.message})`, false);
  });
  if (!info.isFile())
    throw new AttemptError(`${path} is not a file (use \`cvebuild db import\` for directories)`, false);
  const lastModified = info.mtime.toUTCString();
  if (request.validators?.lastModified === lastModified) return { status: 'unchanged' };
  if (info.size > request.maxBytes) throw capError(info.size, request.maxBytes);
  let source: ReturnType<typeof regularFileStream>;
  try {
    source = regularFileStream(path);
  } catch (error) {
    throw new AttemptError(`cannot read ${path}: ${(error as Error).message}`, false);
  }
  const written = await writeMetered(source, request.destination, request.maxBytes, (received) =>
    request.onProgress?.(received, info.size),
  );
  return { status: 'downloaded', ...written, lastModified };
}

function requestHeaders(validators: Validators | undefined, range?: ByteRange): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  if (range) {
    headers.range = 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end}`;
    // a compressed answer would not be the bytes asked for
    headers['accept-encoding'] = 'identity';
  }
  if (validators?.etag) headers['if-none-match'] = validators.etag;
  if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
  return headers;
}

function statusError(response: Response, maxRetryAfterMs: number, retryStatuses: readonly number[] = []): AttemptError {
  const reason = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status !== 429 && response.status < 500 && !retryStatuses.includes(response.status))
    return new AttemptError(reason, false, undefined, response.status);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
    return new AttemptError(`${reason} (server asks to retry after ${seconds(retryAfterMs)})`, false);
  }
  return new AttemptError(reason, true, retryAfterMs);
}

/** A range request's answer must be a 206 saying which bytes it holds; a server ignoring Range sends the whole file. */
function contentRange(response: Response): ContentRange {
  if (response.status !== 206) {
    throw new AttemptError(
      `the server ignored the Range request (HTTP ${response.status})`,
      false,
      undefined,
      response.status,
    );
  }
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range')?.trim() ?? '');
  const [start, end, total] = (match?.slice(1) ?? []).map(Number);
  if (start === undefined || end === undefined || total === undefined || end < start || end >= total) {
    throw new AttemptError('HTTP 206 without a usable Content-Range', false);
  }
  return { start, end, total };
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so clients do not retry in step. */
function backoff(attempt: number, baseMs: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** The body's length as announced, when it counts the bytes written (no Content-Encoding). */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  // with a Content-Encoding the length is of the compressed bytes; the streamed count still applies
  if (encoding && encoding !== 'identity') return undefined;
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  return Number.isFinite(length) && length >= 0 ? length : undefined;
}

function capError(bytes: number, maxBytes: number): AttemptError {
  return new AttemptError(`the response is larger than the ${maxBytes}-byte cap for this feed (${bytes} bytes)`, false);
}

/** Streams to `<destination>.part`, counting and hashing; the part file never outlives a failure. */
async function writeMetered(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  destination: string,
  maxBytes: number,
  onBytes?: (received: number) => void,
): Promise<{ path: string; bytes: number; sha256: string }> {
  const partial = `${destination}.part`;
  const hash = createSha256();
  let bytes = 0;
  async function* metered(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes)
        throw new AttemptError(`the response exceeds the ${maxBytes}-byte cap for this feed`, false);
      hash.update(chunk);
      onBytes?.(bytes);
      yield chunk;
    }
  }
  const file = createWriteStream(partial);
  try {
    await pipeline(body, metered, file);
    await rename(partial, destination);
  } catch (error) {
    // the stream opens its file asynchronously: removing it before it has closed would race the open
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    await rm(partial, { force: true });
    throw isFileSystemError(error) ? new AttemptError(`${error.syscall} ${error.path}: ${error.code}`, false) : error;
  }
  return { path: destination, bytes, sha256: hash.digest('hex') };
}

function asAttemptError(error: unknown): AttemptError {
  if (error instanceof AttemptError) return error;
  if (error instanceof Error) {
    // undici reports "fetch failed" / "terminated" with the socket error as the cause
    const cause = error.cause instanceof Error ? error.cause : undefined;
    if (cause instanceof AttemptError) return cause;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const detail = cause ? `${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''}` : '';
    return new AttemptError(detail ? `${error.message}: ${detail}` : error.message, true);
  }
  return new AttemptError(String(error), true);
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string' && 'path' in error;
}

function redirectedTo(response: Response): { finalUrl?: string } {
  return response.redirected && response.url ? { finalUrl: response.url } : {};
}

/**
 * A URL as it may be stored and shown: without user info, query or fragment, where a redirect
 * target carries its credentials (presigned object-store URLs sign in the query).
 */
export function finalLocation(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString();
}

function checkedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CvebuildError('NETWORK', `could not download ${raw}: not a URL`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new CvebuildError('NETWORK', `could not download ${raw}: only http:, https: and file: URLs are supported`);
  }
  return url;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
