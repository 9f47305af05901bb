/**
 * Bytes from upstream to the client with the sha256 checked on the way. The last chunk is held
 * back until the whole body has been hashed: on a mismatch (or a body longer or shorter than the
 * page says) the response is destroyed instead of finished, so the client is always missing bytes
 * it was promised and no client can accept a tampered file. The caller has written the headers;
 * a `Content-Length` it sets must be the expected size.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface Expected {
  sha256: string;
  /** The exact size when the page states it. */
  size?: number;
  /** The most bytes accepted when the size is not known. */
  maxBytes: number;
  /** Longest wait for the next chunk from upstream. */
  idleTimeoutMs: number;
}

export type StreamOutcome = { ok: true; bytes: number } | { ok: false; bytes: number; reason: string };

export async function streamVerified(
  res: ServerResponse,
  body: ReadableStream<Uint8Array>,
  expected: Expected,
): Promise<StreamOutcome> {
  const reader = body.getReader();
  const hash = createHash('sha256');
  const limit = expected.size ?? expected.maxBytes;
  let bytes = 0;
  let held: Uint8Array | undefined;
  const fail = (reason: string): StreamOutcome => {
    reader.cancel().catch(() => undefined);
    res.destroy();
    return { ok: false, bytes, reason };
  };
  try {
    for (;;) {
      const { done, value } = await readWithin(reader, expected.idleTimeoutMs);
      if (done) break;
      if (value.byteLength === 0) continue;
      bytes += value.byteLength;
      if (bytes > limit)
        return fail(`upstream sent more than ${limit} bytes${expected.size === undefined ? ' (the cap)' : ''}`);
      hash.update(value);
      if (held) await write(res, held);
      held = value;
    }
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (expected.size !== undefined && bytes !== expected.size)
    return fail(`upstream sent ${bytes} bytes, the page says ${expected.size}`);
  const digest = hash.digest('hex');
  if (digest !== expected.sha256) return fail(`sha256 ${digest} is not the page's ${expected.sha256}`);
  try {
    if (held) await write(res, held);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  res.end();
  return { ok: true, bytes };
}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  timeoutMs: number,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`upstream sent nothing for ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes one chunk, waiting for the socket to drain; a client gone away is an error. */
function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('the client went away'));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', gone);
      resolve();
    };
    const gone = () => {
      res.off('drain', done);
      res.off('close', gone);
      reject(new Error('the client went away'));
    };
    res.on('drain', done);
    res.on('close', gone);
  });
}
