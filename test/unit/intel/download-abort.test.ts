/** A download stops when its caller aborts: mid-response and mid-backoff, without a retry or a part file left. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { download } from '../../../src/net/download.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';

let server: FeedServer;
before(async () => {
  server = await startFeedServer();
});
after(() => server.close());

const body = Buffer.alloc(64 * 1024, 'x');

describe('download: abort', () => {
  it('stops a stalled response with the abort reason, promptly and without retrying', async () => {
    server.serve('/stalled', { body });
    server.fail('/stalled', { stallAfterBytes: 1000 });
    const directory = tempDirectory();
    const destination = join(directory, 'out');
    const begun = performance.now();
    await assert.rejects(
      download({ url: server.url('/stalled'), destination, maxBytes: 1 << 20, signal: AbortSignal.timeout(100) }),
      { name: 'TimeoutError' },
    );
    assert.ok(performance.now() - begun < 2000);
    assert.equal(server.requests.filter((request) => request.path === '/stalled').length, 1);
    assert.equal(existsSync(destination), false);
    assert.deepEqual(readdirSync(directory), []);
  });

  it('stops while waiting to retry', async () => {
    server.serve('/flaky', { body });
    server.fail('/flaky', { status: 503 }, { status: 503 });
    const controller = new AbortController();
    const begun = performance.now();
    const pending = download({
      url: server.url('/flaky'),
      destination: join(tempDirectory(), 'out'),
      maxBytes: 1 << 20,
      backoffMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(),
    });
    await assert.rejects(pending, { name: 'AbortError' });
    assert.ok(performance.now() - begun < 2000);
  });

  it('does not start when already aborted', async () => {
    const reason = new Error('stop');
    await assert.rejects(
      download({
        url: server.url('/never'),
        destination: join(tempDirectory(), 'out'),
        maxBytes: 1,
        signal: AbortSignal.abort(reason),
      }),
      (error) => error === reason,
    );
    assert.equal(server.requests.filter((request) => request.path === '/never').length, 0);
  });
});
