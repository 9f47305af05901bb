import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CvebuildError } from '../../../src/errors.ts';
import { type DownloadRequest, download, parseRetryAfter, type RetryEvent } from '../../../src/net/download.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let server: FeedServer;
before(async () => {
  server = await startFeedServer();
});
after(() => server.close());

let counter = 0;
/** A fresh path on the server and a fresh empty directory for each case. */
function setup(resource: Uint8Array | string = body): { path: string; url: string; directory: string } {
  const path = `/case-${++counter}.json`;
  server.serve(path, { body: resource });
  return { path, url: server.url(path), directory: tempDirectory() };
}

function seen(path: string): number {
  return server.requests.filter((request) => request.path === path).length;
}

function request(url: string, directory: string, extra: Partial<DownloadRequest> = {}): DownloadRequest {
  return { url, destination: join(directory, 'feed.json'), maxBytes: 1024 * 1024, backoffMs: 5, ...extra };
}

async function rejectsNetwork(promise: Promise<unknown>, ...fragments: (string | RegExp)[]): Promise<string> {
  return rejectsWith('NETWORK', promise, ...fragments);
}

async function rejectsWith(
  code: 'NETWORK' | 'NOT_FOUND',
  promise: Promise<unknown>,
  ...fragments: (string | RegExp)[]
): Promise<string> {
  const error = await promise.then(
    () => assert.fail('expected the download to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof CvebuildError, String(error));
  assert.equal(error.code, code);
  const line = error.toLine();
  assert.ok(!line.includes('\n'));
  for (const fragment of fragments) {
    if (typeof fragment === 'string') assert.ok(line.includes(fragment), `"${line}" should mention "${fragment}"`);
    else assert.match(line, fragment);
  }
  return line;
}

describe('download', () => {
  it('streams the body to the destination with its size, sha256 and validators', async () => {
    const { path, url, directory } = setup();
    const result = await download(request(url, directory));
    assert.equal(result.status, 'downloaded');
    assert.ok(result.status === 'downloaded');
    assert.equal(result.bytes, body.length);
    assert.equal(result.sha256, sha256(body));
    assert.deepEqual(readFileSync(result.path), body);
    assert.equal(result.attempts, 1);
    assert.match(result.etag ?? '', /^"[0-9a-f]{16}"$/);
    assert.equal(result.lastModified, 'Wed, 01 Jan 2025 00:00:00 GMT');
    assert.deepEqual(readdirSync(directory), ['feed.json']);
    const last = server.requests.at(-1);
    assert.equal(last?.path, path);
    assert.match(last?.userAgent ?? '', /^cvebuild/);
    assert.equal(last?.ifNoneMatch, undefined);
  });

  it('reports the bytes received as they arrive, of the announced length (none for an encoded body or a stream)', async () => {
    const { path, url, directory } = setup();
    const seenBytes: [number, number | undefined][] = [];
    await download(request(url, directory, { onProgress: (bytes, total) => seenBytes.push([bytes, total]) }));
    assert.ok(seenBytes.length > 0);
    assert.deepEqual(seenBytes.at(-1), [body.length, body.length]);
    for (const [i, [bytes]] of seenBytes.entries()) assert.ok(i === 0 || bytes > (seenBytes[i - 1]?.[0] ?? 0));
    server.serve(path, { body, gzip: true });
    const encoded: (number | undefined)[] = [];
    await download(request(url, tempDirectory(), { onProgress: (_bytes, total) => encoded.push(total) }));
    assert.ok(
      encoded.length > 0 && encoded.every((total) => total === undefined),
      'a compressed length is not the body',
    );
    server.fail(path, { streamBytes: 200_000 });
    const streamed: [number, number | undefined][] = [];
    await download(request(url, tempDirectory(), { onProgress: (bytes, total) => streamed.push([bytes, total]) }));
    assert.deepEqual(streamed.at(-1), [200_000, undefined]);
  });

  it('decodes a gzip Content-Encoding and hashes the decoded bytes', async () => {
    const { path, url, directory } = setup();
    server.serve(path, { body, gzip: true });
    const result = await download(request(url, directory));
    assert.ok(result.status === 'downloaded');
    assert.equal(result.bytes, body.length);
    assert.equal(result.sha256, sha256(body));
    assert.match(server.requests.at(-1)?.acceptEncoding ?? '', /gzip/);
  });

  it('sends the stored validators and reports 304 as unchanged without writing anything', async () => {
    const { path, url, directory } = setup();
    const first = await download(request(url, directory));
    assert.ok(first.status === 'downloaded');
    const second = await download(
      request(url, directory, {
        destination: join(directory, 'again.json'),
        validators: { etag: first.etag, lastModified: first.lastModified },
      }),
    );
    assert.equal(second.status, 'unchanged');
    assert.equal(second.attempts, 1);
    const last = server.requests.at(-1);
    assert.equal(last?.path, path);
    assert.equal(last?.ifNoneMatch, first.etag);
    assert.equal(last?.ifModifiedSince, first.lastModified);
    assert.equal(last?.status, 304);
    assert.deepEqual(readdirSync(directory), ['feed.json']);
  });

  it('uses If-Modified-Since alone when only Last-Modified is known', async () => {
    const { path, url, directory } = setup();
    server.serve(path, { body, etag: null });
    const result = await download(
      request(url, directory, { validators: { lastModified: 'Thu, 02 Jan 2025 00:00:00 GMT' } }),
    );
    assert.equal(result.status, 'unchanged');
    assert.equal(server.requests.at(-1)?.ifNoneMatch, undefined);
  });

  it('downloads again when the stored ETag no longer matches', async () => {
    const { url, directory } = setup();
    const result = await download(request(url, directory, { validators: { etag: '"old"' } }));
    assert.equal(result.status, 'downloaded');
  });

  it('gives up after the timeout, retrying the configured number of times, and leaves no file behind', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { delayMs: 5_000 }, { delayMs: 5_000 });
    const started = performance.now();
    await rejectsNetwork(
      download(request(url, directory, { timeoutMs: 150, retries: 1 })),
      `could not download ${url}: timed out after 0.15 s after 2 attempts`,
    );
    assert.ok(performance.now() - started < 2_000);
    assert.equal(seen(path), 2);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('counts the body against the timeout, not only the connection', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { stallAfterBytes: 1000 }, { stallAfterBytes: 1000 });
    await rejectsNetwork(
      download(request(url, directory, { timeoutMs: 200, retries: 1 })),
      'timed out after 0.2 s after 2 attempts',
    );
    assert.equal(seen(path), 2);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('retries 503 with backoff and succeeds on the third attempt', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { status: 503 }, { status: 503 });
    const retries: RetryEvent[] = [];
    const result = await download(request(url, directory, { retries: 3, onRetry: (event) => retries.push(event) }));
    assert.ok(result.status === 'downloaded');
    assert.equal(result.attempts, 3);
    assert.equal(result.sha256, sha256(body));
    assert.equal(seen(path), 3);
    assert.deepEqual(
      retries.map((event) => [event.attempt, event.reason]),
      [
        [1, 'HTTP 503 Service Unavailable'],
        [2, 'HTTP 503 Service Unavailable'],
      ],
    );
    // equal jitter: half of 5 ms, then half of 10 ms, are fixed
    assert.ok((retries[0]?.delayMs ?? 0) >= 2 && (retries[0]?.delayMs ?? 99) <= 5);
    assert.ok((retries[1]?.delayMs ?? 0) >= 5 && (retries[1]?.delayMs ?? 99) <= 10);
  });

  it('fails with the status after the retries are used up', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { status: 502 }, { status: 502 }, { status: 502 });
    await rejectsNetwork(download(request(url, directory, { retries: 2 })), 'HTTP 502 Bad Gateway after 3 attempts');
    assert.equal(seen(path), 3);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('does not retry a 404 or a 403', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { status: 404 });
    await rejectsWith(
      'NOT_FOUND',
      download(request(url, directory, { retries: 5 })),
      url,
      'HTTP 404 Not Found after 1 attempt',
    );
    assert.equal(seen(path), 1);
    server.fail(path, { status: 403 });
    await rejectsNetwork(download(request(url, directory, { retries: 5 })), 'HTTP 403 Forbidden after 1 attempt');
    assert.equal(seen(path), 2);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('honours Retry-After on a 429', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { status: 429, headers: { 'retry-after': '1' } });
    const retries: RetryEvent[] = [];
    const started = performance.now();
    const result = await download(request(url, directory, { backoffMs: 1, onRetry: (event) => retries.push(event) }));
    assert.equal(result.attempts, 2);
    assert.equal(retries[0]?.delayMs, 1_000);
    assert.ok(performance.now() - started >= 950);
    assert.equal(seen(path), 2);
  });

  it('gives up at once when Retry-After asks for more than the longest wait', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { status: 429, headers: { 'retry-after': '3600' } });
    await rejectsNetwork(
      download(request(url, directory)),
      'HTTP 429 Too Many Requests (server asks to retry after 3600 s)',
    );
    assert.equal(seen(path), 1);
  });

  it('refuses a Content-Length over the cap before reading the body', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { contentLength: 50 * 1024 * 1024 });
    await rejectsNetwork(
      download(request(url, directory, { maxBytes: 1024 * 1024 })),
      'larger than the 1048576-byte cap for this feed (52428800 bytes) after 1 attempt',
    );
    assert.equal(seen(path), 1);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('aborts a body without Content-Length once it streams past the cap', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { streamBytes: 200 * 1024 * 1024 });
    const started = performance.now();
    await rejectsNetwork(
      download(request(url, directory, { maxBytes: 256 * 1024 })),
      'exceeds the 262144-byte cap for this feed after 1 attempt',
    );
    assert.ok(performance.now() - started < 5_000);
    assert.equal(seen(path), 1);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('accepts a body exactly at the cap', async () => {
    const { url, directory } = setup();
    const result = await download(request(url, directory, { maxBytes: body.length }));
    assert.equal(result.status, 'downloaded');
  });

  it('retries a connection dropped mid-body and cleans up the partial file', async () => {
    const { path, url, directory } = setup();
    server.fail(path, { dropAfterBytes: 1000 });
    const result = await download(request(url, directory));
    assert.ok(result.status === 'downloaded');
    assert.equal(result.attempts, 2);
    assert.equal(result.sha256, sha256(body));

    const other = setup();
    server.fail(other.path, { dropAfterBytes: 1000 });
    await rejectsNetwork(
      download(request(other.url, other.directory, { retries: 0 })),
      /terminated.* after 1 attempt$/,
    );
    assert.deepEqual(readdirSync(other.directory), []);
  });

  it('retries a refused connection and names the cause', async () => {
    const closed = await startFeedServer();
    const url = closed.url('/gone.json');
    await closed.close();
    await rejectsNetwork(download(request(url, tempDirectory(), { retries: 1 })), /ECONNREFUSED.* after 2 attempts$/);
  });

  it('copies file: URLs, with the mtime standing in for Last-Modified', async () => {
    const source = join(tempDirectory(), 'mirror.json');
    writeFileSync(source, body);
    const directory = tempDirectory();
    const url = pathToFileURL(source).href;
    const first = await download(request(url, directory));
    assert.ok(first.status === 'downloaded');
    assert.equal(first.sha256, sha256(body));
    assert.equal(first.lastModified, statSync(source).mtime.toUTCString());
    const second = await download(request(url, directory, { validators: { lastModified: first.lastModified } }));
    assert.equal(second.status, 'unchanged');
    await rejectsNetwork(download(request(url, directory, { maxBytes: 10 })), 'cap');
    let copied: [number, number | undefined] | undefined;
    await download(request(url, tempDirectory(), { onProgress: (bytes, total) => (copied = [bytes, total]) }));
    assert.deepEqual(copied, [body.length, body.length], 'a file reports its size as the total');
    await rejectsNetwork(download(request(pathToFileURL(directory).href, directory)), 'is not a file');
    await rejectsNetwork(download(request(`${url}.missing`, directory)), 'ENOENT');
  });

  it('refuses other protocols', async () => {
    await rejectsNetwork(
      download(request('ftp://example.org/feed.json', tempDirectory())),
      'only http:, https: and file: URLs are supported',
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('Wed, 01 Jan 2025 00:00:00 GMT');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
  });
});
