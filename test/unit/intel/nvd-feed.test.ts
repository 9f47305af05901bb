import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nvdProgressLine } from '../../../src/cli/db-update.ts';
import type { FeedSource } from '../../../src/intel/feeds.ts';
import {
  lastModWindows,
  mappedCpePairs,
  type NvdQueryProgress,
  parseNvdState,
  slidingWindowPacer,
} from '../../../src/intel/nvd-api.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { updateFailure, updateFeeds } from '../../../src/intel/update.ts';
import { type NvdApiServer, startNvdApiServer } from '../../helpers/nvd-api-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const DAY = 24 * 3_600_000;

function nvdRecord(id: string, lastModified: string, criteria: string, bounds: Record<string, string> = {}) {
  return {
    id,
    sourceIdentifier: 'cve@mitre.org',
    published: '2025-01-01T00:00:00.000',
    lastModified,
    vulnStatus: 'Analyzed',
    descriptions: [{ lang: 'en', value: `${id} test record` }],
    metrics: {},
    configurations: [
      { nodes: [{ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: true, criteria, ...bounds }] }] },
    ],
  };
}

const EXPAT = 'cpe:2.3:a:libexpat_project:libexpat:*:*:*:*:*:*:*:*';
const SQLITE = 'cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*';
const OTHER = 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*';

describe('the nvd feed against a loopback NVD API', () => {
  let server: NvdApiServer;
  let store: IntelStore;
  const paced: number[] = [];
  const queries: NvdQueryProgress[] = [];
  const feed = (): FeedSource => ({
    name: 'nvd',
    url: server.url,
    format: 'nvd-api',
    maxBytes: 1024 * 1024,
    required: true,
  });
  const run = (now: string, env: NodeJS.ProcessEnv = {}) =>
    updateFeeds(store, {
      feeds: [feed()],
      now: () => new Date(now),
      env,
      backoffMs: 1,
      retries: 2,
      nvdPacer: { wait: async () => void paced.push(1) },
      onNvdQuery: (query) => queries.push(query),
    });
  const expatIds = () => store.advisoriesFor('upstream', 'expat').map((advisory) => advisory.id);

  before(async () => {
    server = await startNvdApiServer(
      [
        nvdRecord('CVE-2099-1001', '2025-01-10T00:00:00.000', EXPAT, { versionEndExcluding: '2.6.3' }),
        nvdRecord('CVE-2099-1004', '2025-01-11T00:00:00.000', EXPAT, { versionEndExcluding: '2.5.0' }),
        nvdRecord('CVE-2099-1002', '2025-01-12T00:00:00.000', SQLITE, { versionEndIncluding: '3.43.0' }),
        nvdRecord('CVE-2099-1003', '2025-01-13T00:00:00.000', OTHER),
      ],
      { pageSize: 1 },
    );
    store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
  });
  after(async () => {
    store.close();
    await server.close();
  });

  it('first asks every CPE pair of the product map in full, paging to totalResults', async () => {
    const report = await run('2025-02-01T00:00:00Z');
    assert.equal(updateFailure(report), undefined);
    const asked = server.requests.map(({ query }) => query.virtualMatchString);
    assert.deepEqual(
      [...new Set(asked)],
      mappedCpePairs().map((pair) => `cpe:2.3:a:${pair}`),
    );
    assert.ok(server.requests.every(({ query }) => query.lastModStartDate === undefined));
    const expatPages = server.requests.filter(({ query }) => query.virtualMatchString?.endsWith(':libexpat'));
    assert.deepEqual(
      expatPages.map(({ query }) => query.startIndex),
      ['0', '1'],
      'two records, one per page',
    );
    assert.equal(paced.length, server.requests.length, 'every request waits for the pacer');
    assert.deepEqual(expatIds(), ['CVE-2099-1001', 'CVE-2099-1004']);
    assert.deepEqual(
      store.advisoriesFor('upstream', 'sqlite').map((advisory) => advisory.id),
      ['CVE-2099-1002'],
    );
    assert.equal(store.advisoryById('CVE-2099-1003'), undefined, 'an unmapped product is not kept');
    const row = store.feed('nvd');
    assert.equal(row?.count, 3);
    assert.equal(row?.fetchedAt, '2025-02-01T00:00:00.000Z');
    assert.deepEqual(parseNvdState(row?.state)?.through, '2025-02-01T00:00:00.000Z');
    assert.equal(report.feeds[0]?.requests, server.requests.length);
    // a first run is long without an API key: each query is announced as it starts
    assert.deepEqual(
      queries.map((query) => [query.index, query.total, 'pair' in query.what ? query.what.pair : '']),
      mappedCpePairs().map((pair, index, all) => [index + 1, all.length, pair]),
    );
    assert.equal(queries[0]?.keptSoFar, 0);
    assert.ok(queries.every((query, index) => index === 0 || query.keptSoFar >= (queries[index - 1]?.keptSoFar ?? 0)));
    assert.match(
      nvdProgressLine(queries[0] as NvdQueryProgress),
      /^cvebuild: nvd: 1 of \d+: cpe:2\.3:a:\S+ \(0 records kept so far\)\n$/,
    );
  });

  it('then asks only for what changed since, across NVD, and keeps the mapped records', async () => {
    server.requests.length = 0;
    server.put(
      nvdRecord('CVE-2099-1001', '2025-02-15T00:00:00.000', EXPAT, { versionEndExcluding: '2.6.4' }),
      nvdRecord('CVE-2099-1005', '2025-02-20T00:00:00.000', EXPAT, { versionEndExcluding: '2.7.0' }),
      nvdRecord('CVE-2099-1006', '2025-02-21T00:00:00.000', OTHER),
    );
    const report = await run('2025-03-01T00:00:00Z');
    assert.equal(updateFailure(report), undefined);
    assert.ok(server.requests.every(({ query }) => query.virtualMatchString === undefined));
    assert.deepEqual(
      [...new Set(server.requests.map(({ query }) => `${query.lastModStartDate} ${query.lastModEndDate}`))],
      ['2025-02-01T00:00:00.000+00:00 2025-03-01T00:00:00.000+00:00'],
    );
    assert.equal(server.requests.length, 3, 'three changed records, one per page');
    assert.deepEqual(expatIds(), ['CVE-2099-1001', 'CVE-2099-1004', 'CVE-2099-1005']);
    assert.deepEqual(store.advisoryById('CVE-2099-1001')?.affected[0]?.ranges[0]?.events, [
      { introduced: '0' },
      { fixed: '2.6.4' },
    ]);
    assert.equal(store.advisoryById('CVE-2099-1006'), undefined);
    assert.equal(store.feed('nvd')?.count, 4, 'the feed counts what it holds, not what this run brought');
  });

  it('reaches a stored CVE that NVD rejected, though it names no product any more', async () => {
    server.requests.length = 0;
    const { configurations: _none, ...rejected } = nvdRecord('CVE-2099-1004', '2025-03-05T00:00:00.000', EXPAT);
    server.put({ ...rejected, vulnStatus: 'Rejected' });
    assert.equal(updateFailure(await run('2025-03-10T00:00:00Z')), undefined);
    assert.deepEqual(expatIds(), ['CVE-2099-1001', 'CVE-2099-1005']);
  });

  it('splits a gap longer than 120 days into consecutive windows', async () => {
    server.requests.length = 0;
    queries.length = 0;
    assert.equal(updateFailure(await run('2025-09-26T00:00:00Z')), undefined);
    assert.deepEqual(
      queries.map((query) => ('start' in query.what ? `${query.index}/${query.total} ${query.what.start}` : '')),
      ['1/2 2025-03-10T00:00:00.000Z', '2/2 2025-07-08T00:00:00.000Z'],
    );
    const windows = server.requests.map(({ query }) => [query.lastModStartDate, query.lastModEndDate]);
    assert.deepEqual(windows, [
      ['2025-03-10T00:00:00.000+00:00', '2025-07-08T00:00:00.000+00:00'],
      ['2025-07-08T00:00:00.000+00:00', '2025-09-26T00:00:00.000+00:00'],
    ]);
    assert.equal(
      store.feed('nvd')?.fetchedAt,
      '2025-09-26T00:00:00.000Z',
      'a run with no changes still counts as fresh',
    );
  });

  it('retries a 403 (rate limited); a page that keeps failing fails the feed and keeps its cursor', async () => {
    server.requests.length = 0;
    server.forbid(1);
    const retried = await run('2025-09-27T00:00:00Z');
    assert.equal(updateFailure(retried), undefined);
    assert.deepEqual(
      server.requests.map(({ status }) => status),
      [403, 200],
    );
    const before = store.feed('nvd');
    server.forbid(100);
    server.put(nvdRecord('CVE-2099-1007', '2025-09-27T12:00:00.000', EXPAT, { versionEndExcluding: '3.0.0' }));
    const failed = await run('2025-09-28T00:00:00Z');
    assert.match(updateFailure(failed)?.message ?? '', /nvd: .*HTTP 403/);
    assert.equal(failed.failedClosed, true);
    assert.deepEqual(store.feed('nvd'), before, 'the cursor and age are as they were');
    assert.equal(store.advisoryById('CVE-2099-1007'), undefined);
    server.forbid(0);
  });

  it('sends NVD_API_KEY as the apiKey header, never in the URL', async () => {
    server.requests.length = 0;
    assert.equal(updateFailure(await run('2025-09-29T00:00:00Z', { NVD_API_KEY: 'test-key' })), undefined);
    assert.ok(server.requests.length > 0);
    assert.ok(server.requests.every((request) => request.apiKey === 'test-key' && request.query.apiKey === undefined));
    assert.ok(store.feed('nvd')?.url.includes('test-key') === false);
  });

  it('starts again in full when the feed moves to another endpoint', async () => {
    server.requests.length = 0;
    const moved = { ...feed(), url: `${server.url}?mirror=1` };
    const report = await updateFeeds(store, {
      feeds: [moved],
      now: () => new Date('2025-09-30T00:00:00Z'),
      nvdPacer: { wait: async () => {} },
    });
    assert.equal(updateFailure(report), undefined);
    assert.ok(server.requests.some(({ query }) => query.virtualMatchString !== undefined));
  });
});

describe('NVD request pacing and windows', () => {
  it('allows 5 requests per 30 s, then waits for the oldest to age out', async () => {
    let now = 0;
    const slept: number[] = [];
    const pacer = slidingWindowPacer(5, 30_000, {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    for (let request = 0; request < 7; request++) {
      await pacer.wait();
      now += 1_000;
    }
    // the sixth waits until the first is 30 s old; by then the seventh's window has room
    assert.deepEqual(slept, [25_000]);
  });

  it('cuts a gap into windows of at most 120 days that cover it exactly', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const end = new Date(start.getTime() + 365 * DAY);
    const windows = lastModWindows(start, end);
    assert.equal(windows.length, 4);
    assert.equal(windows[0]?.start.getTime(), start.getTime());
    assert.equal(windows.at(-1)?.end.getTime(), end.getTime());
    for (const [index, window] of windows.entries()) {
      assert.ok(window.end.getTime() - window.start.getTime() <= 120 * DAY);
      if (index > 0) assert.equal(window.start.getTime(), windows[index - 1]?.end.getTime());
    }
    assert.deepEqual(lastModWindows(end, end), []);
  });
});
