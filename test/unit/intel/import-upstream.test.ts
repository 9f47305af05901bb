import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import type { ImportSource } from '../../../src/intel/import/api.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const upstream = (name: string) => fixture(`intel/upstream/${name}`);

function newStore(): IntelStore {
  return openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
}

const sources = (...paths: string[]): ImportSource[] => paths.map((path) => ({ path }));
const counts = (report: Awaited<ReturnType<typeof importSources>>) =>
  report.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped }));

describe('OpenSSL CVE JSON 5 records', () => {
  it('turns each release branch into an introduced/fixed range, with OpenSSL ordering', async () => {
    const store = newStore();
    const report = await importSources(store, sources(upstream('openssl-secjson-cve5.jsonl')));
    assert.deepEqual(counts(report), [{ feed: 'openssl', records: 2, written: 2, skipped: 0 }]);
    const advisory = store.advisoryById('CVE-2099-0005');
    assert.ok(advisory);
    assert.equal(advisory.feed, 'openssl');
    assert.equal(advisory.summary, 'Demo type confusion in X.509');
    assert.deepEqual(advisory.severity, { level: 'high', vectors: [], basis: 'openssl' });
    assert.deepEqual(advisory.cwes, ['CWE-843']);
    assert.deepEqual(advisory.affected, [
      {
        ecosystem: 'upstream',
        name: 'openssl',
        normalizedName: 'openssl',
        scheme: 'openssl',
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '3.0.0' }, { fixed: '3.0.8' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '1.1.1' }, { fixed: '1.1.1t' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '1.0.2' }, { fixed: '1.0.2zg' }] },
        ],
        versions: [],
      },
    ]);
    const lessThanOrEqual = store.advisoryById('CVE-2099-0006');
    assert.deepEqual(lessThanOrEqual?.affected[0]?.ranges, [
      { type: 'ECOSYSTEM', events: [{ introduced: '3.0.0' }, { last_affected: '3.0.7' }] },
    ]);
    assert.deepEqual(lessThanOrEqual?.severity, { vectors: [] }, "OpenSSL's 'unknown' gives no level");
    assert.deepEqual(
      store.advisoriesFor('upstream', 'openssl').map((found) => found.id),
      ['CVE-2099-0005', 'CVE-2099-0006'],
    );
    store.close();
  });
});

describe("curl's vulnerability table", () => {
  it('reads vuln.pm rows into first..last ranges', async () => {
    const store = newStore();
    assert.deepEqual(counts(await importSources(store, sources(upstream('curl-vuln.pm')))), [
      { feed: 'curl', records: 2, written: 2, skipped: 0 },
    ]);
    const advisory = store.advisoryById('CVE-2099-0010');
    assert.deepEqual(advisory, {
      id: 'CVE-2099-0010',
      aliases: [],
      kind: 'vulnerability',
      summary: 'ASN.1 date overread',
      published: '2099-07-31T00:00:00Z',
      modified: '2099-07-31T00:00:00Z',
      severity: { level: 'medium', vectors: [], basis: 'curl' },
      cwes: ['CWE-125'],
      affected: [
        {
          ecosystem: 'upstream',
          name: 'curl',
          normalizedName: 'curl',
          scheme: 'upstream',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '7.32.0' }, { last_affected: '8.9.0' }] }],
          versions: [],
        },
      ],
      references: ['https://curl.se/docs/CVE-2099-0010.html', 'https://hackerone.com/reports/2099'],
      feed: 'curl',
    });
    assert.equal(store.advisoryById('CVE-2099-0011')?.severity.level, 'critical');
    store.close();
  });

  it('reads the JSON-lines derivation into the same advisories', async () => {
    const store = newStore();
    await importSources(store, sources(upstream('curl-vuln.pm')));
    const again = await importSources(store, sources(upstream('curl-vulns.derived.jsonl')));
    assert.deepEqual(counts(again), [{ feed: 'curl', records: 2, written: 0, skipped: 2 }]);
    store.close();
  });

  it('names the line of a malformed vuln.pm row', () => {
    const path = writeTemp('vuln.pm', '@vuln = (\n    "CVE-2099-1.html|7.1|7.2|name|CVE-2099-1",\n);\n');
    assert.throws(
      () => importSources(newStore(), sources(path)),
      (error: unknown) => {
        assert.ok(error instanceof CvebuildError);
        assert.equal(error.code, 'FEED_INVALID');
        assert.match(error.toLine(), /vuln\.pm:2: vuln\.pm row has 5 fields/);
        return true;
      },
    );
  });
});

describe('NVD CVE API 2.0 records', () => {
  it('maps CPE matches of tracked products to upstream ranges, NVD Primary severity first', async () => {
    const store = newStore();
    const report = await importSources(store, sources(upstream('nvd-CVE-2099-0020.json')));
    assert.deepEqual(counts(report), [{ feed: 'nvd', records: 1, written: 1, skipped: 0 }]);
    const advisory = store.advisoryById('CVE-2099-0020');
    assert.deepEqual(advisory?.affected, [
      {
        ecosystem: 'upstream',
        name: 'expat',
        normalizedName: 'expat',
        scheme: 'upstream',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.6.3' }] }],
        versions: [],
        source: 'nvd',
      },
    ]);
    assert.deepEqual(advisory?.severity, {
      level: 'high',
      score: 7.5,
      vectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
      basis: 'nvd',
    });
    assert.deepEqual(advisory?.cwes, ['CWE-697']);
    assert.equal(
      advisory?.summary,
      'An issue was discovered in libexpat before 2.6.3. xmlparse.c does not reject a negative length.',
    );
    store.close();
  });

  it('reads the API wrapper: exact CPE versions, an exclusive start approximated, untracked and unconfigured records', async () => {
    const store = newStore();
    const [result] = (await importSources(store, sources(upstream('nvd-api-2.0.json')))).results;
    assert.deepEqual(
      { records: result?.records, written: result?.written, skipped: result?.skipped },
      { records: 3, written: 1, skipped: 2 },
    );
    assert.deepEqual(result?.notes, [
      '1 record: no CPE of a product cvebuild tracks (CVE-2099-0022)',
      '1 record: no CPE configuration yet (vulnStatus Received): stored without affected entries (CVE-2099-0023)',
      '1 CPE bound: versionStartExcluding imported as an inclusive start (that one release is over-reported)',
    ]);
    const xz = store.advisoryById('CVE-2099-0021');
    assert.deepEqual(
      xz?.affected.map(({ name, ranges, versions }) => ({ name, ranges, versions })),
      [
        { name: 'xz', ranges: [], versions: ['5.6.0', '5.6.1'] },
        {
          name: 'sqlite',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.40.0' }, { last_affected: '3.43.0' }] }],
          versions: [],
        },
      ],
    );
    assert.equal(xz?.severity.score, 10, "the CNA's CVSS 3.1 beats NVD's CVSS 2.0");
    assert.equal(store.advisoryById('CVE-2099-0022'), undefined);
    assert.deepEqual(store.advisoryById('CVE-2099-0023')?.affected, []);
    assert.deepEqual(
      store.advisoriesFor('upstream', 'xz').map((found) => found.id),
      ['CVE-2099-0021'],
    );
    store.close();
  });
});

describe('CVE JSON 5 records from other CNAs', () => {
  it('imports entries naming a tracked product (feed cve5, source cna), skipping the rest', async () => {
    const store = newStore();
    const report = await importSources(store, sources(upstream('cve5-CVE-2099-0030.json')));
    assert.deepEqual(counts(report), [{ feed: 'cve5', records: 1, written: 1, skipped: 0 }]);
    const advisory = store.advisoryById('CVE-2099-0030');
    assert.deepEqual(
      advisory?.affected.map(({ name, ranges, versions, source }) => ({ name, ranges, versions, source })),
      [{ name: 'curl', ranges: [], versions: ['7.61.1'], source: 'cna' }],
    );
    assert.equal(advisory?.severity.level, 'critical');
    assert.deepEqual(advisory?.cwes, ['CWE-131']);
    assert.equal(advisory?.modified, '2099-09-06T09:29:51.906Z');
    store.close();
  });

  it("is merged beside the vendor's own record for the same CVE, which stays first", async () => {
    const store = newStore();
    const vendor = writeTemp(
      'curl.jsonl',
      `${JSON.stringify({ cve: 'CVE-2099-0030', name: 'NTLM overflow', first_vulnerable: '7.15.4', last_vulnerable: '7.61.1', announced: '20180905', severity_table: 'high' })}\n`,
    );
    await importSources(store, sources(vendor));
    const report = await importSources(store, sources(upstream('cve5-CVE-2099-0030.json')));
    assert.deepEqual(counts(report), [{ feed: 'cve5', records: 1, written: 1, skipped: 0 }]);
    const merged = store.advisoryById('CVE-2099-0030');
    assert.equal(merged?.feed, 'curl');
    assert.deepEqual(
      merged?.affected.map(({ feed, source }) => [feed, source]),
      [
        ['curl', undefined],
        ['cve5', 'cna'],
      ],
    );
    assert.deepEqual(
      merged?.merged?.map((part) => part.feed),
      ['curl', 'cve5'],
    );
    const again = await importSources(store, sources(upstream('cve5-CVE-2099-0030.json')));
    assert.deepEqual(counts(again), [{ feed: 'cve5', records: 1, written: 0, skipped: 1 }], 'the same record again');
    store.close();
  });

  it('reads a directory mixing vendor and NVD files, one result per feed', async () => {
    const store = newStore();
    const report = await importSources(store, sources(fixture('intel/upstream')));
    assert.deepEqual(
      counts(report).sort((a, b) => a.feed.localeCompare(b.feed)),
      [
        { feed: 'curl', records: 4, written: 2, skipped: 2 },
        { feed: 'cve5', records: 1, written: 1, skipped: 0 },
        { feed: 'nvd', records: 4, written: 2, skipped: 2 },
        { feed: 'openssl', records: 2, written: 2, skipped: 0 },
      ],
    );
    store.close();
  });
});
