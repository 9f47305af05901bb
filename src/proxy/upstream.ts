/**
 * The proxy's side towards its upstreams: metadata documents kept on disk with their validators
 * and revalidated at most once per `maxAgeMs` (one fetch however many clients ask at once; a stale
 * copy is served for up to `maxStaleMs` when upstream fails, so a slow upstream does not turn into
 * client timeouts), and artifact streams. Every request waits for a slot (bounded concurrency) and
 * has a timeout.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CvebuildError, isCvebuildError } from '../errors.ts';
import { type Download, download } from '../net/download.ts';
import { maskCredentials } from '../text/credentials.ts';

export interface UpstreamOptions {
  /** Where fetched documents are kept. */
  cacheDir: string;
  /** Upstream requests in flight at once, over all upstreams. */
  concurrency: number;
  /** Per request: connection through the last body byte of a document; through the headers of an artifact. */
  timeoutMs: number;
  /** The largest metadata document accepted. */
  maxDocumentBytes: number;
  /** How long a stale document may still be served while upstream fails. */
  maxStaleMs: number;
  /** Test seam: the HTTP client for documents. */
  http?: Download;
  clock?: () => number;
}

export interface UpstreamDocument {
  url: string;
  /** The file holding the body (replaced, never rewritten in place, when upstream changes). */
  file: string;
  size: number;
  sha256: string;
  /** What identifies these bytes upstream: its ETag or Last-Modified when it sent one, else their sha256. */
  tag: string;
  contentType?: string;
  /** When upstream last confirmed the bytes (ms since the epoch). */
  checkedAt: number;
  /** True when upstream failed and this older copy is served instead. */
  stale?: boolean;
}

export type DocumentAnswer = UpstreamDocument | { missing: true; status: 404 | 410 };

export interface DocumentRequest {
  /** Accept header (PEP 691 negotiation). */
  accept?: string;
  /** Revalidate when the copy is older than this. */
  maxAgeMs: number;
  signal?: AbortSignal;
}

interface Entry {
  answer: DocumentAnswer;
  checkedAt: number;
  etag?: string;
  lastModified?: string;
}

export class UpstreamClient {
  private readonly options: UpstreamOptions;
  private readonly http: Download;
  private readonly clock: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<DocumentAnswer>>();
  private readonly slots: Semaphore;
  /** Requests made and failed, for metrics. */
  readonly counters = { requests: 0, failures: 0, staleServed: 0 };

  constructor(options: UpstreamOptions) {
    this.options = options;
    this.http = options.http ?? download;
    this.clock = options.clock ?? Date.now;
    this.slots = new Semaphore(options.concurrency);
    mkdirSync(options.cacheDir, { recursive: true });
  }

  /** A metadata document: the stored copy while fresh, else revalidated (single-flight). */
  async document(url: string, request: DocumentRequest): Promise<DocumentAnswer> {
    const key = `${request.accept ?? ''}\n${url}`;
    const entry = this.entries.get(key);
    if (entry && this.clock() - entry.checkedAt < request.maxAgeMs) return entry.answer;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refresh(key, url, entry, request).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** Forgets every stored document (tests; an operator's "refetch now"). */
  forget(): void {
    this.entries.clear();
  }

  /**
   * An artifact from upstream as a stream (GET or HEAD, optionally a byte range). The caller reads
   * or cancels the body; the slot is held until the headers arrive.
   */
  async open(url: string, init: { method: 'GET' | 'HEAD'; range?: string; signal?: AbortSignal }): Promise<Response> {
    const release = await this.slots.acquire(init.signal);
    this.counters.requests++;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timed out')), this.options.timeoutMs);
    const stop = () => controller.abort(init.signal?.reason);
    init.signal?.addEventListener('abort', stop, { once: true });
    try {
      return await fetch(url, {
        method: init.method,
        headers: { 'user-agent': 'cvebuild-proxy', ...(init.range ? { range: init.range } : {}) },
        signal: controller.signal,
        redirect: 'follow',
      });
    } catch (error) {
      this.counters.failures++;
      init.signal?.throwIfAborted();
      throw new CvebuildError(
        'NETWORK',
        `upstream ${maskCredentials(url)}: ${controller.signal.aborted ? `no answer within ${this.options.timeoutMs} ms` : reasonOf(error)}`,
      );
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', stop);
      release();
    }
  }

  private async refresh(key: string, url: string, entry: Entry | undefined, request: DocumentRequest) {
    const release = await this.slots.acquire(request.signal);
    this.counters.requests++;
    const base = join(this.options.cacheDir, createHash('sha256').update(key).digest('hex').slice(0, 40));
    const destination = `${base}.${this.clock()}.${Math.random().toString(36).slice(2, 8)}`;
    try {
      const result = await this.http({
        url,
        destination,
        maxBytes: this.options.maxDocumentBytes,
        timeoutMs: this.options.timeoutMs,
        retries: 1,
        backoffMs: 200,
        headers: request.accept ? { accept: request.accept } : {},
        validators: entry && !('missing' in entry.answer) ? { etag: entry.etag, lastModified: entry.lastModified } : {},
        signal: request.signal,
      });
      const now = this.clock();
      if (result.status === 'unchanged' && entry) {
        entry.checkedAt = now;
        if (!('missing' in entry.answer)) entry.answer = { ...entry.answer, checkedAt: now, stale: false };
        return entry.answer;
      }
      if (result.status !== 'downloaded') throw new CvebuildError('NETWORK', `upstream ${url}: unexpected answer`);
      const previous = entry && !('missing' in entry.answer) ? entry.answer.file : undefined;
      const answer: UpstreamDocument = {
        url,
        file: result.path,
        size: result.bytes,
        sha256: result.sha256,
        tag: result.etag ?? result.lastModified ?? `sha256:${result.sha256}`,
        contentType: result.contentType,
        checkedAt: now,
      };
      this.entries.set(key, { answer, checkedAt: now, etag: result.etag, lastModified: result.lastModified });
      // views built from the old copy are stored by content; the raw copy is no longer needed
      if (previous && previous !== answer.file) rmSync(previous, { force: true });
      return answer;
    } catch (error) {
      rmSync(destination, { force: true });
      rmSync(`${destination}.part`, { force: true });
      request.signal?.throwIfAborted();
      if (isCvebuildError(error) && error.code === 'NOT_FOUND') {
        const missing: DocumentAnswer = { missing: true, status: 404 };
        this.entries.set(key, { answer: missing, checkedAt: this.clock() });
        return missing;
      }
      this.counters.failures++;
      if (entry && !('missing' in entry.answer) && this.clock() - entry.checkedAt < this.options.maxStaleMs) {
        this.counters.staleServed++;
        return { ...entry.answer, stale: true };
      }
      throw isCvebuildError(error) ? error : new CvebuildError('NETWORK', `upstream ${url}: ${reasonOf(error)}`);
    } finally {
      release();
    }
  }
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

/** A counting semaphore (no library needed for twenty lines; the waiters keep their order). */
export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', cancel);
        resolve();
      };
      const cancel = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.waiting.push(grant);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
