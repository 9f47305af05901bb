import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCveListState } from '../../../src/intel/cve-list-release.ts';
import type { FeedSource } from '../../../src/intel/feeds.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { updateFailure, updateFeeds } from '../../../src/intel/update.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';

type Affected = Record<string, unknown>;

function cveRecord(id: string, updated: string, cna: Affected[], adp: Affected[] = [], adpMetrics: Affected[] = []) {
  return {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: { cveId: id, state: 'PUBLISHED', datePublished: '2025-01-01T00:00:00.000Z', dateUpdated: updated },
    containers: {
      cna: {
        providerMetadata: { orgId: 'x', shortName: 'test' },
        descriptions: [{ lang: 'en', value: `${id} test record` }],
        affected: cna,
      },
      adp: [
        {
          providerMetadata: { orgId: 'y', shortName: 'CISA-ADP' },
          title: 'CISA ADP Vulnrichment',
          affected: adp,
          metrics: adpMetrics,
        },
      ],
    },
  };
}

const expatBelow = (lessThan: string): Affected => ({
  vendor: 'libexpat',
  product: 'libexpat',
  versions: [{ version: '0', lessThan, status: 'affected', versionType: 'custom' }],
});
const notApplicable: Affected = { vendor: 'n/a', product: 'n/a', versions: [{ version: 'n/a', status: 'affected' }] };

const file = (record: ReturnType<typeof cveRecord>, folder: string) => ({
  name: `${folder}/${record.cveMetadata.cveId}.json`,
  data: JSON.stringify(record),
});

describe('the cve5 feed: cvelistV5 release zips on loopback', () => {
  let server: FeedServer;
  let store: IntelStore;
  const feed = (): FeedSource => ({
    name: 'cve5',
    url: server.url('/repos/CVEProject/cvelistV5/releases/latest'),
    format: 'cve-list-release',
    maxBytes: 64 * 1024 * 1024,
    required: true,
  });
  const release = (day: string, deltas: string[]) => {
    const asset = (name: string) => ({ name, browser_download_url: server.url(`/download/${name}`) });
    server.serve('/repos/CVEProject/cvelistV5/releases/latest', {
      body: JSON.stringify({
        tag_name: `cve_${day}_${deltas.at(-1) ?? '0000'}Z`,
        assets: [
          asset(`${day}_all_CVEs_at_midnight.zip.zip`),
          ...deltas.map((hour) => asset(`${day}_delta_CVEs_at_${hour}Z.zip`)),
        ],
      }),
    });
  };
  const run = (now: string) => updateFeeds(store, { feeds: [feed()], now: () => new Date(now), backoffMs: 1 });
  const downloaded = () =>
    server.requests.map(({ path }) => path.split('/').at(-1)).filter((name) => name !== 'latest');

  before(async () => {
    server = await startFeedServer();
    const baseline = [
      cveRecord('CVE-2025-2001', '2025-01-01T10:00:00.000Z', [expatBelow('2.6.3')]),
      // CNA says n/a, CISA's ADP names sqlite by CPE with a range
      cveRecord(
        'CVE-2025-2002',
        '2025-01-01T11:00:00.000Z',
        [notApplicable],
        [
          {
            vendor: 'sqlite',
            product: 'sqlite',
            cpes: ['cpe:2.3:a:sqlite:sqlite:*:*:*:*:*:*:*:*'],
            versions: [{ version: '0', lessThanOrEqual: '3.43.0', status: 'affected', versionType: 'custom' }],
          },
        ],
        [
          {
            cvssV3_1: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8 },
          },
        ],
      ),
      cveRecord('CVE-2025-2003', '2025-01-01T12:00:00.000Z', [
        { vendor: 'acme', product: 'widget', versions: [{ version: '1.0', status: 'affected' }] },
      ]),
      // the product is named, but no source gives a version: kept, to come out undecided
      cveRecord('CVE-2025-2004', '2025-01-01T13:00:00.000Z', [
        { vendor: 'libexpat', product: 'libexpat', versions: [{ version: 'unspecified', status: 'affected' }] },
      ]),
    ];
    const inner = zipEntries([
      ...baseline.map((record) => file(record, 'cves/2025/2xxx')),
      { name: 'cves/delta.json', data: '{"fetchTime":"2025-01-02T00:00:00Z","numberOfChanges":0}' },
    ]);
    server.serve('/download/2025-01-02_all_CVEs_at_midnight.zip.zip', {
      body: zipEntries([{ name: 'cves.zip', data: inner }]),
    });
    server.serve('/download/2025-01-02_delta_CVEs_at_0100Z.zip', {
      body: zipEntries([
        file(cveRecord('CVE-2025-2001', '2025-01-02T00:30:00.000Z', [expatBelow('2.6.0')]), 'deltaCves'),
      ]),
    });
    server.serve('/download/2025-01-02_delta_CVEs_at_0300Z.zip', {
      body: zipEntries([
        file(cveRecord('CVE-2025-2001', '2025-01-02T02:30:00.000Z', [expatBelow('2.6.4')]), 'deltaCves'),
      ]),
    });
    server.serve('/download/2025-01-02_delta_CVEs_at_0400Z.zip', {
      body: zipEntries([
        file(cveRecord('CVE-2025-2001', '2025-01-02T02:30:00.000Z', [expatBelow('2.6.4')]), 'deltaCves'),
        file(cveRecord('CVE-2025-2005', '2025-01-02T03:30:00.000Z', [expatBelow('2.7.0')]), 'deltaCves'),
      ]),
    });
    store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
  });
  after(async () => {
    store.close();
    await server.close();
  });

  it("first applies the day's baseline (a zip in a zip), then its latest delta, keeping mapped records only", async () => {
    release('2025-01-02', ['0100', '0300']);
    const report = await run('2025-01-02T03:10:00Z');
    assert.equal(updateFailure(report), undefined);
    assert.deepEqual(downloaded(), ['2025-01-02_all_CVEs_at_midnight.zip.zip', '2025-01-02_delta_CVEs_at_0300Z.zip']);
    assert.deepEqual(
      store.advisoriesFor('upstream', 'expat').map((advisory) => advisory.id),
      ['CVE-2025-2001', 'CVE-2025-2004'],
    );
    assert.deepEqual(store.advisoryById('CVE-2025-2001')?.affected[0]?.ranges[0]?.events, [
      { introduced: '0' },
      { fixed: '2.6.4' },
    ]);
    assert.equal(
      store.advisoryById('CVE-2025-2002')?.severity.level,
      'critical',
      "CISA's score where the CNA gave none",
    );
    const sqlite = store.advisoryById('CVE-2025-2002')?.affected;
    assert.deepEqual(
      sqlite?.map(({ name, source }) => [name, source]),
      [['sqlite', 'adp']],
    );
    const undecided = store.advisoryById('CVE-2025-2004')?.affected[0];
    assert.deepEqual([undecided?.ranges, undecided?.versions, undecided?.source], [[], [], 'cna']);
    assert.equal(store.advisoryById('CVE-2025-2003'), undefined, 'names no mapped product');
    const row = store.feed('cve5');
    assert.equal(row?.count, 3);
    assert.deepEqual(parseCveListState(row?.state), {
      baseline: '2025-01-02_all_CVEs_at_midnight.zip.zip',
      delta: '2025-01-02_delta_CVEs_at_0300Z.zip',
    });
  });

  it('asks only the index while the release is the one applied, and still counts as fresh', async () => {
    server.requests.length = 0;
    const report = await run('2025-01-02T03:40:00Z');
    assert.equal(report.feeds[0]?.status, 'unchanged');
    assert.deepEqual(downloaded(), []);
    assert.equal(store.feed('cve5')?.fetchedAt, '2025-01-02T03:40:00.000Z');
    assert.equal(store.feed('cve5')?.count, 3);
  });

  it('downloads only the newer delta of the same day', async () => {
    server.requests.length = 0;
    release('2025-01-02', ['0100', '0300', '0400']);
    assert.equal(updateFailure(await run('2025-01-02T04:10:00Z')), undefined);
    assert.deepEqual(downloaded(), ['2025-01-02_delta_CVEs_at_0400Z.zip']);
    assert.ok(store.advisoryById('CVE-2025-2005'));
    assert.equal(store.feed('cve5')?.count, 4);
  });

  it("fails closed on a release without a baseline, leaving the feed's cursor", async () => {
    server.requests.length = 0;
    const before = store.feed('cve5');
    server.serve('/repos/CVEProject/cvelistV5/releases/latest', { body: JSON.stringify({ assets: [] }) });
    const report = await run('2025-01-02T05:00:00Z');
    assert.match(updateFailure(report)?.message ?? '', /cve5: .*without a `…_all_CVEs_at_midnight.zip` baseline/);
    assert.deepEqual(store.feed('cve5'), before);
  });

  it('refuses a release whose asset points at a local file, downloading nothing it names', async () => {
    server.requests.length = 0;
    const before = store.feed('cve5');
    const asset = { name: '2025-01-03_all_CVEs_at_midnight.zip.zip', browser_download_url: 'file:///etc/passwd' };
    server.serve('/repos/CVEProject/cvelistV5/releases/latest', { body: JSON.stringify({ assets: [asset] }) });
    const report = await run('2025-01-03T05:00:00Z');
    assert.match(updateFailure(report)?.message ?? '', /cve5: .*not trusted: asset .* is not at an http\(s\) URL/);
    assert.deepEqual(store.feed('cve5'), before);
    assert.equal(server.requests.length, 1, 'only the index was asked');
  });
});
