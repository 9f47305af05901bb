import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fetchCached } from '../../../src/fix/cached-fetch.ts';
import { projectReleases } from '../../../src/fix/pypi-releases.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { type PypiIndex, startPypiIndex } from '../../helpers/pypi-index.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const wheel = (name: string, version: string) => `${name}-${version}-py3-none-any.whl`;

describe('fix: documents through the cache', () => {
  let server: FeedServer;
  before(async () => {
    server = await startFeedServer({ '/doc': { body: 'first' } });
  });
  after(() => server.close());

  const request = (path: string) => ({ url: server.url(path), cacheKey: `key ${path}`, maxBytes: 1_000 });

  it('fetches, revalidates with a conditional request, and answers offline from what it fetched', async () => {
    const context = { cacheDir: tempDirectory(), offline: false, retries: 0 };
    const first = await fetchCached(request('/doc'), context);
    assert.equal(first.status === 'fetched' && first.from, 'network');
    assert.equal(first.status === 'fetched' && readFileSync(first.path, 'utf8'), 'first');
    const again = await fetchCached(request('/doc'), context);
    assert.equal(again.status, 'fetched');
    assert.equal(server.requests.at(-1)?.status, 304);
    const offline = await fetchCached(request('/doc'), { ...context, offline: true });
    assert.equal(offline.status === 'fetched' && offline.from, 'cache');
    assert.equal(offline.status === 'fetched' && offline.note, 'offline');
  });

  it('never answers what it never fetched', async () => {
    const offline = await fetchCached(request('/doc'), { cacheDir: tempDirectory(), offline: true });
    assert.deepEqual(offline, { status: 'unavailable', reason: 'offline, and never fetched before', notCached: true });
  });

  it('asks for a document named by its content (a shard) once, whatever the validators', async () => {
    const context = { cacheDir: tempDirectory(), offline: false, retries: 0 };
    const before = server.requests.length;
    const first = await fetchCached({ ...request('/doc'), immutable: true }, context);
    assert.equal(first.status === 'fetched' && first.from, 'network');
    const again = await fetchCached({ ...request('/doc'), immutable: true }, context);
    assert.equal(again.status === 'fetched' && again.from, 'cache');
    assert.equal(again.status === 'fetched' && readFileSync(again.path, 'utf8'), 'first');
    assert.equal(server.requests.length, before + 1);
  });

  it('keeps a 404 apart from a failure, and falls back to the cache when the source fails', async () => {
    const context = { cacheDir: tempDirectory(), offline: false, retries: 0 };
    assert.deepEqual(await fetchCached(request('/missing'), context), { status: 'not-found' });
    await fetchCached(request('/doc'), context);
    server.fail('/doc', { status: 503 });
    const failed = await fetchCached(request('/doc'), context);
    assert.equal(failed.status === 'fetched' && failed.from, 'cache');
    assert.match(failed.status === 'fetched' ? (failed.note ?? '') : '', /could not be reached: .*HTTP 503/);
    server.fail('/other', { status: 503 });
    const never = await fetchCached(request('/other'), { ...context, cacheDir: tempDirectory() });
    assert.equal(never.status, 'unavailable');
  });
});

describe('fix: releases on a PyPI index', () => {
  let index: PypiIndex;
  before(async () => {
    index = await startPypiIndex({
      pillow: [
        { filename: wheel('pillow', '10.3.0'), uploadTime: null, yanked: 'broken wheel' },
        { filename: wheel('pillow', '10.3.1'), uploadTime: null },
        { filename: 'pillow-10.3.1.tar.gz', uploadTime: null },
        { filename: 'pillow-10.4.0.tar.gz', uploadTime: null, yanked: true },
        { filename: wheel('pillow', '10.4.0'), uploadTime: null },
      ],
    });
  });
  after(() => index.close());

  it('offers a release when one of its files is not yanked, read with PEP 691 JSON', async () => {
    const read = await projectReleases(index.url, 'pillow', { cacheDir: tempDirectory(), offline: false, retries: 0 });
    assert.equal(read.status, 'read');
    assert.deepEqual(read.status === 'read' && [...read.versions].sort(), ['10.3.1', '10.4.0']);
    assert.equal(index.pageRequests('pillow')[0]?.accept, 'application/vnd.pypi.simple.v1+json');
  });

  it('says a project the index does not have is absent, and an unreachable one unavailable', async () => {
    const context = { cacheDir: tempDirectory(), offline: false, retries: 0 };
    assert.deepEqual(await projectReleases(index.url, 'nothing-here', context), { status: 'absent' });
    index.fail('broken', { status: 500 });
    const broken = await projectReleases(index.url, 'broken', context);
    assert.equal(broken.status, 'unavailable');
  });

  it('sends index credentials as Basic auth and never shows them', async () => {
    const url = index.url.replace('http://', 'http://user:s3cret@');
    const read = await projectReleases(url, 'pillow', { cacheDir: tempDirectory(), offline: false, retries: 0 });
    assert.equal(read.status, 'read');
    assert.equal(
      index.pageRequests('pillow').at(-1)?.authorization,
      `Basic ${Buffer.from('user:s3cret').toString('base64')}`,
    );
    assert.doesNotMatch(JSON.stringify(read), /s3cret/);
  });
});
