/**
 * A loopback HTTP server for download tests: serves bytes or files with ETag / Last-Modified (and 304s
 * to matching conditional requests), and misbehaves on demand through queued faults.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Resource =
  | { body: Uint8Array | string; etag?: string | null; lastModified?: string | null; gzip?: boolean }
  | { file: string; etag?: string | null; lastModified?: string | null };

/** One per request, consumed in order; a path with no fault left is served normally. */
export type Fault =
  /** Answer with this status (and headers) and a short text body. */
  | { status: number; headers?: Record<string, string> }
  /** Hold the response back this long, then serve normally. */
  | { delayMs: number }
  /** Announce this Content-Length, send the real body, then cut the connection. */
  | { contentLength: number }
  /** Stream this many bytes without a Content-Length. */
  | { streamBytes: number }
  /** Announce the full length, send only this many bytes, then drop the connection. */
  | { dropAfterBytes: number }
  /** Announce the full length, send only this many bytes, then hang until the client gives up. */
  | { stallAfterBytes: number }
  /** Announce the full length, send this many bytes, and the rest once `until` settles (a download in flight, held). */
  | { holdAfterBytes: number; until: Promise<unknown> };

export interface SeenRequest {
  path: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  acceptEncoding?: string;
  userAgent?: string;
  accept?: string;
  authorization?: string;
  status: number;
}

export interface FeedServer {
  readonly origin: string;
  readonly requests: SeenRequest[];
  url(path: string): string;
  serve(path: string, resource: Resource): void;
  fail(path: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

const DEFAULT_LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

export async function startFeedServer(routes: Record<string, Resource> = {}): Promise<FeedServer> {
  const resources = new Map(Object.entries(routes));
  const faults = new Map<string, Fault[]>();
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const seen: SeenRequest = {
      path,
      ifNoneMatch: request.headers['if-none-match'],
      ifModifiedSince: request.headers['if-modified-since'],
      acceptEncoding: header(request, 'accept-encoding'),
      userAgent: request.headers['user-agent'],
      accept: request.headers.accept,
      authorization: request.headers.authorization,
      status: 0,
    };
    requests.push(seen);
    const fault = faults.get(path)?.shift();
    if (fault && 'delayMs' in fault) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) respond(request, response, path, undefined, seen);
      }, fault.delayMs);
      timers.add(timer);
      return;
    }
    respond(request, response, path, fault, seen);
  });

  function respond(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    fault: Fault | undefined,
    seen: SeenRequest,
  ): void {
    const answer = (status: number, headers: Record<string, string | number> = {}): void => {
      seen.status = status;
      response.writeHead(status, headers);
    };
    if (fault && 'status' in fault) {
      answer(fault.status, { 'content-type': 'text/plain', ...fault.headers });
      response.end(`fault ${fault.status}\n`);
      return;
    }
    if (fault && 'streamBytes' in fault) {
      answer(200, { 'content-type': 'application/octet-stream' });
      streamZeros(response, fault.streamBytes);
      return;
    }
    const resource = resources.get(path);
    if (!resource) {
      answer(404, { 'content-type': 'text/plain' });
      response.end('not found\n');
      return;
    }
    const served = describe(resource);
    const validators: Record<string, string> = {};
    if (served.etag) validators.etag = served.etag;
    if (served.lastModified) validators['last-modified'] = served.lastModified;
    if (!fault && notModified(request, served)) {
      answer(304, validators);
      response.end();
      return;
    }
    const headers = { 'content-type': 'application/octet-stream', ...validators, ...served.encodingHeaders };
    if (fault && 'contentLength' in fault) {
      answer(200, { ...headers, 'content-length': fault.contentLength });
      response.write(served.bytes ?? '');
      setImmediate(() => response.destroy());
      return;
    }
    answer(200, { ...headers, 'content-length': served.length });
    if (fault && 'dropAfterBytes' in fault) {
      response.write(prefix(served, fault.dropAfterBytes), () => response.destroy());
      return;
    }
    if (fault && 'stallAfterBytes' in fault) {
      response.write(prefix(served, fault.stallAfterBytes));
      return;
    }
    if (fault && 'holdAfterBytes' in fault) {
      response.write(prefix(served, fault.holdAfterBytes));
      const rest = (served.bytes ?? Buffer.alloc(served.length)).subarray(fault.holdAfterBytes);
      void fault.until.finally(() => {
        if (!response.destroyed) response.end(rest);
      });
      return;
    }
    if (served.file) createReadStream(served.file).pipe(response);
    else response.end(served.bytes);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    requests,
    url: (path) => `${origin}${path}`,
    serve: (path, resource) => {
      resources.set(path, resource);
    },
    fail: (path, ...queued) => {
      faults.set(path, [...(faults.get(path) ?? []), ...queued]);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

interface Served {
  bytes?: Buffer;
  file?: string;
  length: number;
  etag?: string;
  lastModified?: string;
  encodingHeaders: Record<string, string>;
}

function describe(resource: Resource): Served {
  if ('file' in resource) {
    const info = statSync(resource.file);
    return {
      file: resource.file,
      length: info.size,
      etag: pick(resource.etag, `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`),
      lastModified: pick(resource.lastModified, info.mtime.toUTCString()),
      encodingHeaders: {},
    };
  }
  const raw = Buffer.from(resource.body);
  const bytes = resource.gzip ? gzipSync(raw) : raw;
  return {
    bytes,
    length: bytes.length,
    etag: pick(resource.etag, `"${createHash('sha256').update(raw).digest('hex').slice(0, 16)}"`),
    lastModified: pick(resource.lastModified, DEFAULT_LAST_MODIFIED),
    encodingHeaders: resource.gzip ? { 'content-encoding': 'gzip' } : {},
  };
}

/** `null` drops the validator, undefined takes the default. */
function pick(value: string | null | undefined, fallback: string): string | undefined {
  return value === null ? undefined : (value ?? fallback);
}

function notModified(request: IncomingMessage, served: Served): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return served.etag !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === served.etag);
  }
  const since = request.headers['if-modified-since'];
  if (since === undefined || served.lastModified === undefined) return false;
  return Date.parse(served.lastModified) <= Date.parse(since);
}

function prefix(served: Served, length: number): Buffer {
  return (served.bytes ?? Buffer.alloc(served.length)).subarray(0, length);
}

function streamZeros(response: ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !response.destroyed) {
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      if (!response.write(chunk.subarray(0, size))) {
        response.once('drain', pump);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  pump();
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
