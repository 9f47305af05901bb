/**
 * How the proxy answers: stored views with its own validators (ETag, 304), HEAD and single byte
 * ranges; refusals as JSON with a status clients do not retry (4xx) or fail over on.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BlockReason } from './types.ts';
import type { View } from './views.ts';

export interface ViewHeaders {
  /** `Cache-Control` value (metadata: short max-age; immutable shards: long). */
  cacheControl: string;
  /** Extra headers (`Vary: Accept` on PyPI pages). */
  extra?: OutgoingHttpHeaders;
}

/** Sends a stored view: 304 on a matching `If-None-Match`, 206 on one satisfiable range, no body on HEAD. */
export async function sendView(req: IncomingMessage, res: ServerResponse, view: View, headers: ViewHeaders) {
  const base: OutgoingHttpHeaders = {
    'content-type': view.contentType,
    etag: view.etag,
    'cache-control': headers.cacheControl,
    'accept-ranges': 'bytes',
    ...headers.extra,
  };
  if (matchesEtag(req.headers['if-none-match'], view.etag)) {
    res.writeHead(304, base);
    res.end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const range = parseRange(req.headers.range, view.size, typeof ifRange === 'string' ? ifRange : undefined, view.etag);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...base, 'content-range': `bytes */${view.size}` });
    res.end();
    return;
  }
  const [start, end] = range ?? [0, view.size - 1];
  const length = view.size === 0 ? 0 : end - start + 1;
  res.writeHead(range ? 206 : 200, {
    ...base,
    'content-length': length,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${view.size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  const bytes = view.size <= MAX_HELD_VIEW_BYTES ? await heldBytes(view) : undefined;
  if (bytes) {
    res.end(range ? bytes.subarray(start, end + 1) : bytes);
    return;
  }
  await pipeline(createReadStream(view.file, { start, end }), res);
}

/**
 * Small views are answered from memory: opening, reading and closing a file per request costs more
 * than the rest of the request. Views are content-addressed, so a file's bytes never change and the
 * cache needs no invalidation, only a budget (least recently used first out).
 */
const MAX_HELD_VIEW_BYTES = 16 * 1024 * 1024;
const HELD_BUDGET_BYTES = 256 * 1024 * 1024;
const held = new Map<string, Buffer>();
let heldTotal = 0;

async function heldBytes(view: View): Promise<Buffer> {
  const known = held.get(view.file);
  if (known) {
    held.delete(view.file);
    held.set(view.file, known);
    return known;
  }
  const bytes = await readFile(view.file);
  if (!held.has(view.file)) {
    held.set(view.file, bytes);
    heldTotal += bytes.byteLength;
    for (const [file, old] of held) {
      if (heldTotal <= HELD_BUDGET_BYTES) break;
      held.delete(file);
      heldTotal -= old.byteLength;
    }
  }
  return bytes;
}

/** A refusal with a machine-readable body: `{ error, reasons: [{source, id, message}] }`. */
export function sendRefusal(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: string,
  reasons: readonly BlockReason[] = [],
  headers: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(`${JSON.stringify({ error, reasons })}\n`);
  const retryAt = Math.max(0, ...reasons.map((reason) => reason.until ?? 0));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.byteLength,
    'cache-control': 'no-store',
    ...(retryAt > Date.now() ? { 'retry-after': String(Math.ceil((retryAt - Date.now()) / 1000)) } : {}),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A 404 that clients read as "this format is not offered here" (the only status that makes them fall back). */
export function sendNotFound(req: IncomingMessage, res: ServerResponse, what = 'not found'): void {
  sendRefusal(req, res, 404, what);
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; several ranges are answered whole (allowed by RFC 9110). */
export function parseRange(
  header: string | undefined,
  size: number,
  ifRange?: string,
  etag?: string,
): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return undefined;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return [start, end];
}
