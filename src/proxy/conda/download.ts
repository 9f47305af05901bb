/**
 * Package bytes from upstream, checked against the upstream record on the way through. The hash
 * is known only after the last byte, so the last chunk is held back until it matches: on a
 * mismatch the socket is destroyed instead, the response stays short of its Content-Length (or
 * without its final chunk), and no client accepts the file.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { CvebuildError } from '../../errors.ts';
import type { UpstreamClient } from '../upstream.ts';
import type { BuiltFile } from '../views.ts';

export interface ExpectedFile {
  filename: string;
  /** Upstream URL of the file. */
  url: string;
  sha256?: string;
  md5?: string;
  size?: number;
}

export type StreamOutcome = 'sent' | 'missing' | 'mismatch' | 'client-gone';

const CONTENT_TYPES: Record<string, string> = {
  '.conda': 'application/octet-stream',
  '.tar.bz2': 'application/x-bzip2',
};

export function packageContentType(filename: string): string {
  return filename.endsWith('.tar.bz2') ? (CONTENT_TYPES['.tar.bz2'] as string) : (CONTENT_TYPES['.conda'] as string);
}

/** Streams an allowed file to the client; `headers` go out with the 200. Throws (before any byte is sent) when upstream fails. */
export async function streamVerified(
  res: ServerResponse,
  upstream: UpstreamClient,
  expected: ExpectedFile,
  headers: Record<string, string>,
): Promise<{ outcome: StreamOutcome; detail?: string }> {
  const check = checker(expected);
  const controller = new AbortController();
  const clientGone = () => controller.abort(new Error('client went away'));
  res.once('close', clientGone);
  try {
    const response = await upstream.open(expected.url, { method: 'GET', signal: controller.signal });
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { outcome: 'missing' };
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new CvebuildError('NETWORK', `upstream ${expected.url}: HTTP ${response.status}`);
    }
    const declared = response.headers.get('content-length');
    if (declared !== null && expected.size !== undefined && Number(declared) !== expected.size) {
      await response.body.cancel();
      throw new CvebuildError(
        'NETWORK',
        `upstream ${expected.url}: ${declared} bytes, the channel's record says ${expected.size}`,
      );
    }
    const length = expected.size ?? (declared === null ? undefined : Number(declared));
    res.writeHead(200, { ...headers, ...(length === undefined ? {} : { 'content-length': String(length) }) });
    let held: Uint8Array | undefined;
    let bytes = 0;
    try {
      for await (const chunk of response.body) {
        bytes += chunk.byteLength;
        if (expected.size !== undefined && bytes > expected.size) break;
        check.update(chunk);
        if (held && !res.write(held)) await once(res, 'drain', { signal: controller.signal });
        held = chunk;
      }
    } catch (error) {
      res.destroy();
      if (controller.signal.aborted && res.destroyed && !res.writableFinished) return { outcome: 'client-gone' };
      return { outcome: 'mismatch', detail: `upstream stream failed: ${(error as Error).message}` };
    }
    const problem = check.verify(bytes);
    if (problem) {
      controller.abort();
      res.destroy();
      return { outcome: 'mismatch', detail: problem };
    }
    res.end(held);
    return { outcome: 'sent' };
  } finally {
    res.off('close', clientGone);
  }
}

/** The whole file from upstream into `scratch`, verified (for range requests, served from the verified copy). */
export async function fetchVerified(
  upstream: UpstreamClient,
  expected: ExpectedFile,
  scratch: string,
  contentType: string,
): Promise<BuiltFile | { missing: true }> {
  const check = checker(expected);
  const sha = createHash('sha256');
  const response = await upstream.open(expected.url, { method: 'GET' });
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return { missing: true };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new CvebuildError('NETWORK', `upstream ${expected.url}: HTTP ${response.status}`);
  }
  const out = createWriteStream(scratch, { flags: 'wx' });
  let bytes = 0;
  try {
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      if (expected.size !== undefined && bytes > expected.size) break;
      check.update(chunk);
      sha.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
  } catch (error) {
    out.destroy();
    rmSync(scratch, { force: true });
    throw new CvebuildError('NETWORK', `upstream ${expected.url}: ${(error as Error).message}`);
  }
  const problem = check.verify(bytes);
  if (problem) {
    rmSync(scratch, { force: true });
    throw new CvebuildError('NETWORK', `upstream ${expected.url}: ${problem}`);
  }
  return { file: scratch, sha256: sha.digest('hex'), size: bytes, contentType };
}

/** sha256 when the record has one, else md5 (old channels); a record with neither is never served. */
function checker(expected: ExpectedFile) {
  const algorithm = expected.sha256 ? 'sha256' : expected.md5 ? 'md5' : undefined;
  if (!algorithm) throw new CvebuildError('NETWORK', `${expected.filename}: the channel's record has no sha256 or md5`);
  const wanted = (expected.sha256 ?? expected.md5) as string;
  const hash = createHash(algorithm);
  return {
    update(chunk: Uint8Array) {
      hash.update(chunk);
    },
    verify(bytes: number): string | undefined {
      if (expected.size !== undefined && bytes !== expected.size)
        return `${bytes} bytes or more, the channel's record says ${expected.size}`;
      const actual = hash.digest('hex');
      return actual === wanted ? undefined : `${algorithm} ${actual} differs from the channel's record (${wanted})`;
    },
  };
}
