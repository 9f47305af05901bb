import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findSidecar } from '../../../src/attest/fetch.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const FILE = 'demo-1.0-h0_0.conda';
const SIDECAR = JSON.stringify([{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }]);
const PIN = createHash('sha256').update(SIDECAR).digest('hex');

let server: FeedServer;
before(async () => {
  server = await startFeedServer();
});
after(() => server.close());

const options = (cacheDir = tempDirectory()) => ({ bundleDirs: [], cacheDir, offline: false, timeoutMs: 5_000 });

describe('attestation sidecars', () => {
  it('reads local directories first, as an array or a single bundle', async () => {
    const dir = tempDirectory();
    writeFileSync(join(dir, `${FILE}.sigstore.json`), '{"mediaType":"x"}');
    const found = await findSidecar(
      { filename: FILE, url: server.url(`/c/noarch/${FILE}`) },
      { ...options(), bundleDirs: [dir] },
    );
    assert.deepEqual(found, {
      status: 'found',
      bundles: [{ mediaType: 'x' }],
      source: join(dir, `${FILE}.sigstore.json`),
    });
    assert.equal(server.requests.length, 0);
  });

  it('says offline instead of guessing, and none when the channel has no sidecar', async () => {
    const url = server.url(`/c/noarch/${FILE}`);
    assert.deepEqual(await findSidecar({ filename: FILE, url }, { ...options(), offline: true }), {
      status: 'offline',
    });
    const none = await findSidecar({ filename: FILE, url }, options());
    assert.deepEqual(none, { status: 'none', tried: [`${url}.sigs`, `${url}.v0.sigs`] });
  });

  it('takes only the content-addressed sidecar a repodata pin names, checks its hash and caches it', async () => {
    const url = server.url(`/p/noarch/${FILE}`);
    server.serve(`/p/noarch/${FILE}.sigs.${PIN}`, { body: SIDECAR });
    server.serve(`/p/noarch/${FILE}.sigs`, { body: '[]' });
    const cacheDir = tempDirectory();
    const found = await findSidecar({ filename: FILE, url, attestationsSha256: PIN }, options(cacheDir));
    assert.equal(found.status, 'found');
    const before = server.requests.length;
    assert.equal(
      (await findSidecar({ filename: FILE, url, attestationsSha256: PIN }, options(cacheDir))).status,
      'found',
    );
    assert.equal(server.requests.length, before, 'the second read comes from the cache');
    assert.ok(
      !server.requests.some((request) => request.path === `/p/noarch/${FILE}.sigs`),
      'the mutable URL is not used',
    );
  });

  it('treats every problem with an advertised sidecar as a retrieval failure', async () => {
    const url = server.url(`/q/noarch/${FILE}`);
    const bad = await findSidecar({ filename: FILE, url, attestationsSha256: 'ABC' }, options());
    assert.deepEqual(bad, { status: 'failed', reason: 'repodata advertises an invalid attestations_sha256 "ABC"' });
    const missing = await findSidecar({ filename: FILE, url, attestationsSha256: PIN }, options());
    assert.equal(missing.status, 'failed');
    assert.match(missing.status === 'failed' ? missing.reason : '', /not there \(404\)/);
    server.serve(`/q/noarch/${FILE}.sigs.${PIN}`, { body: `${SIDECAR} ` });
    const mismatch = await findSidecar({ filename: FILE, url, attestationsSha256: PIN }, options());
    assert.match(
      mismatch.status === 'failed' ? mismatch.reason : '',
      /has sha256 [0-9a-f]{64}, not the .* repodata advertises/,
    );
  });

  it('refuses a sidecar that is not JSON or not an array of bundles', async () => {
    const url = server.url(`/r/noarch/${FILE}`);
    server.serve(`/r/noarch/${FILE}.sigs`, { body: '[1, 2]' });
    const found = await findSidecar({ filename: FILE, url }, options());
    assert.equal(found.status, 'failed');
  });
});
