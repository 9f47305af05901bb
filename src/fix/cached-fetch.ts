/**
 * Documents `fix` reads from a channel or an index (repodata, PEP 691 project pages), kept in the
 * cache directory with their validators: online, a conditional request (a 304 costs no body);
 * offline, or when the source cannot be reached, the copy fetched before answers and says when it
 * was fetched. Nothing is answered that was never fetched. A document whose URL names its content
 * (a CEP 16 shard) is fetched once.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCvebuildError } from '../errors.ts';
import { type Download, download, type Validators } from '../net/download.ts';

export const FIX_CACHE_SUBDIRECTORY = 'fix-sources';

export interface FetchContext {
  cacheDir: string;
  offline: boolean;
  /** The HTTP client (default: `download`). */
  http?: Download;
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
}

export interface FetchRequest {
  url: string;
  /** The URL as the cache knows it (credentials removed): the same document for every account. */
  cacheKey: string;
  headers?: Record<string, string>;
  maxBytes: number;
  /** The URL names its content (a shard by its sha256): a cached copy answers without asking. */
  immutable?: boolean;
}

export type Fetched =
  | { status: 'fetched'; path: string; from: 'network' | 'cache'; fetchedAt: string; note?: string }
  | { status: 'not-found' }
  /** `notCached`: offline, and the document was never fetched. */
  | { status: 'unavailable'; reason: string; notCached?: true };

interface CacheMeta {
  url: string;
  fetchedAt: string;
  validators: Validators;
}

export async function fetchCached(request: FetchRequest, context: FetchContext): Promise<Fetched> {
  const directory = join(context.cacheDir, FIX_CACHE_SUBDIRECTORY);
  const stem = createHash('sha256').update(request.cacheKey).digest('hex').slice(0, 32);
  const body = join(directory, `${stem}.body`);
  const metaFile = join(directory, `${stem}.meta.json`);
  const cached = await readMeta(metaFile, body);
  const fromCache = (note: string): Fetched | undefined =>
    cached ? { status: 'fetched', path: body, from: 'cache', fetchedAt: cached.fetchedAt, note } : undefined;
  if (cached && request.immutable) return { status: 'fetched', path: body, from: 'cache', fetchedAt: cached.fetchedAt };
  if (context.offline) {
    return (
      fromCache('offline') ?? { status: 'unavailable', reason: 'offline, and never fetched before', notCached: true }
    );
  }
  await mkdir(directory, { recursive: true });
  try {
    const result = await (context.http ?? download)({
      url: request.url,
      destination: body,
      maxBytes: request.maxBytes,
      ...(cached ? { validators: cached.validators } : {}),
      ...(request.headers ? { headers: request.headers } : {}),
      ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
      ...(context.retries === undefined ? {} : { retries: context.retries }),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    const fetchedAt = new Date().toISOString();
    const validators =
      result.status === 'downloaded'
        ? {
            ...(result.etag ? { etag: result.etag } : {}),
            ...(result.lastModified ? { lastModified: result.lastModified } : {}),
          }
        : (cached?.validators ?? {});
    // without the metadata the body is only re-fetched next time: a failed write costs a request
    await writeMeta(metaFile, { url: request.cacheKey, fetchedAt, validators }).catch(() => undefined);
    return { status: 'fetched', path: body, from: 'network', fetchedAt };
  } catch (error) {
    context.signal?.throwIfAborted();
    if (!isCvebuildError(error)) throw error;
    if (error.code === 'NOT_FOUND') return { status: 'not-found' };
    return fromCache(`could not be reached: ${error.message}`) ?? { status: 'unavailable', reason: error.message };
  }
}

async function readMeta(metaFile: string, body: string): Promise<CacheMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Partial<CacheMeta>;
    if (typeof meta.fetchedAt !== 'string' || Number.isNaN(Date.parse(meta.fetchedAt))) return undefined;
    if (!(await stat(body)).isFile()) return undefined;
    const validators = typeof meta.validators === 'object' && meta.validators !== null ? meta.validators : {};
    return { url: String(meta.url), fetchedAt: meta.fetchedAt, validators };
  } catch {
    return undefined;
  }
}

/** Written beside the target and renamed, so a concurrent reader never sees half a file. */
async function writeMeta(metaFile: string, meta: CacheMeta): Promise<void> {
  const partial = `${metaFile}.${process.pid}-${Math.random().toString(36).slice(2)}.part`;
  await writeFile(partial, `${JSON.stringify(meta)}\n`);
  await rename(partial, metaFile);
}
