/**
 * Repackaged Rust, Go and Node tools: self-made OSV records of crates.io, Go (with pseudo-versions)
 * and npm, imported and matched to conda packages through data/conda-ecosystems.json.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { coverageGaps } from '../../../src/checks/intel-coverage.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { DEFAULT_FEEDS, EXTRA_FEEDS, type FeedSource } from '../../../src/intel/feeds.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { packageCoverage } from '../../../src/intel/mapping-coverage.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { updateFeeds } from '../../../src/intel/update.ts';
import { ecosystemToolForConda, ecosystemTools, toolTarget } from '../../../src/mapping/ecosystem-purl.ts';
import { parseEcosystemMap } from '../../../src/mapping/ecosystem-purl-file.ts';
import type { Inventory } from '../../../src/model/inventory.ts';
import type { Package } from '../../../src/model/package.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';
import { condaPackage as condaFixture } from '../report/sbom-fixtures.ts';

/** A conda package whose lock says `purls: []`, as RoboStack and conda-forge C libraries are written. */
const condaPackage = (name: string, version: string): Package => condaFixture(name, version, { purlsKnown: true });

type Events = Record<string, string>[];

function osv(id: string, ecosystem: string, name: string, events: Events, type = 'SEMVER') {
  return {
    id,
    modified: '2025-01-01T00:00:00Z',
    aliases: [`CVE-${id.replace(/\D/g, '').slice(0, 8)}`],
    summary: `${name} flaw`,
    affected: [{ package: { ecosystem, name }, ranges: [{ type, events }] }],
  };
}

const RECORDS = {
  typos: osv('RUSTSEC-2099-0001', 'crates.io', 'typos_CLI', [{ introduced: '0' }, { fixed: '1.16.0' }]),
  gh: osv('GO-2099-0001', 'Go', 'github.com/cli/cli/v2', [{ introduced: '2.0.0' }, { fixed: '2.34.0' }]),
  // a fix made between releases, published as the pseudo-version of its commit
  ghPseudo: osv('GO-2099-0002', 'Go', 'github.com/cli/cli/v2', [
    { introduced: '0' },
    { fixed: '2.5.1-0.20220301000000-0123456789ab' },
  ]),
  ghV1: osv('GO-2099-0003', 'Go', 'github.com/cli/cli', [{ introduced: '0' }, { fixed: '1.99.0' }]),
  minio: osv('GO-2099-0004', 'Go', 'github.com/minio/minio', [
    { introduced: '0' },
    { fixed: '0.0.0-20230309014826-1a2b3c4d5e6f' },
  ]),
  prettier: osv('GHSA-pret-t1er-0001', 'npm', 'prettier', [{ introduced: '0' }, { fixed: '2.0.0' }]),
  leftPad: osv('GHSA-left-padd-0001', 'npm', 'left-pad', [{ introduced: '0' }]),
  pypi: osv('PYSEC-2099-1', 'PyPI', 'Demo_Lib', [{ introduced: '0' }, { fixed: '2.0' }], 'ECOSYSTEM'),
};

function storeWith(...records: object[]): Promise<IntelStore> {
  const directory = tempDirectory();
  const store = openStore(join(directory, 'intel.sqlite'), { create: true });
  const path = join(directory, 'records.json');
  writeFileSync(path, JSON.stringify(records));
  return Promise.resolve(importSources(store, [{ path, feed: 'local' }])).then(() => store);
}

const ids = (matcher: AdvisoryMatcher, name: string, version: string): string[] =>
  matcher
    .match(condaPackage(name, version))
    .groups.flatMap((group) => group.hits.map((hit) => hit.advisory.id))
    .sort();

describe('the ecosystem-purl map (data/conda-ecosystems.json)', () => {
  it('loads, with evidence for every entry and no PyPI or C library among them', () => {
    const tools = ecosystemTools();
    assert.ok(tools.length >= 20, `${tools.length} tools`);
    for (const tool of tools)
      assert.ok(
        tool.evidence.some((line) => line.includes('-feedstock')),
        tool.conda,
      );
    assert.equal(ecosystemToolForConda('typos')?.purl, 'pkg:cargo/typos-cli');
    assert.equal(ecosystemToolForConda('openssl'), undefined);
  });

  it('gives the target each ecosystem files advisories under, in its own version spelling', () => {
    const target = (conda: string, version: string) => {
      const tool = ecosystemToolForConda(conda);
      assert.ok(tool, conda);
      return toolTarget(tool, version);
    };
    assert.deepEqual(target('typos', '1.16'), {
      ecosystem: 'crates.io',
      normalizedName: 'typos-cli',
      version: '1.16.0',
    });
    assert.deepEqual(target('gh', '2.40.1'), {
      ecosystem: 'Go',
      normalizedName: 'github.com/cli/cli/v2',
      version: '2.40.1',
    });
    assert.equal(target('gh', '1.14.0').normalizedName, 'github.com/cli/cli', 'a 1.x gh is the bare module path');
    assert.equal(target('go-shfmt', '3.12.0').normalizedName, 'mvdan.cc/sh/v3');
    assert.equal(target('buf', '1.54.0').normalizedName, 'github.com/bufbuild/buf');
    assert.equal(target('prettier', '3.0.0_alpha.1').version, '3.0.0-alpha.1');
    assert.equal(target('minio-server', '2025.01.20.14.49.07').version, '0.0.0-20250120144907-000000000000');
  });

  it('refuses a malformed entry with one line naming the file and key', () => {
    const parse = (tools: object) => () => parseEcosystemMap(JSON.stringify({ tools }), 'map.json');
    const refused = (tools: object, key: string, message: RegExp) =>
      assert.throws(parse(tools), (error: unknown) => {
        assert.ok(error instanceof CvebuildError);
        assert.equal(error.code, 'DATA_INVALID');
        assert.equal(error.location.key, key);
        assert.match(error.message, message);
        return true;
      });
    const evidence = ['feedstock x'];
    refused({ x: { purl: 'pkg:pypi/x', evidence } }, 'tools.x.purl', /purl type "pypi"/);
    refused({ x: { purl: 'pkg:cargo/x@1.0', evidence } }, 'tools.x.purl', /no version/);
    refused({ x: { purl: 'not a purl', evidence } }, 'tools.x.purl', /not a purl/);
    refused({ x: { purl: 'pkg:cargo/x' } }, 'tools.x.evidence', /justified/);
    refused({ x: { purl: 'pkg:cargo/x', evidence, version: 'calendar' } }, 'tools.x.version', /one of/);
    refused({ X: { purl: 'pkg:cargo/x', evidence } }, 'tools.X', /lowercase/);
  });
});

describe('matching repackaged tools against their own ecosystem', () => {
  let matcher: AdvisoryMatcher;
  let store: IntelStore;
  before(async () => {
    store = await storeWith(...Object.values(RECORDS));
    matcher = new AdvisoryMatcher(store);
  });

  it('matches a crates.io advisory by the crate name, case and `_` aside', () => {
    assert.deepEqual(ids(matcher, 'typos', '1.15.10'), ['RUSTSEC-2099-0001']);
    assert.deepEqual(ids(matcher, 'typos', '1.16.0'), []);
    const [group] = matcher.match(condaPackage('typos', '1.15.10')).groups;
    assert.equal(group?.target.mappedBy, 'ecosystem-purl');
    assert.equal(group?.safeVersion, '1.16.0');
  });

  it('matches Go advisories under the module path of the version’s major, pseudo-version fixes included', () => {
    assert.deepEqual(ids(matcher, 'gh', '2.5.0'), ['GO-2099-0001', 'GO-2099-0002']);
    // 2.5.1 is a release after the fix's pseudo-version 2.5.1-0.2022…: SemVer puts a pre-release first
    assert.deepEqual(ids(matcher, 'gh', '2.5.1'), ['GO-2099-0001']);
    assert.deepEqual(ids(matcher, 'gh', '2.34.0'), []);
    assert.deepEqual(ids(matcher, 'gh', '1.2.0'), ['GO-2099-0003'], 'the v1 path is its own package');
  });

  it('compares MinIO release timestamps with pseudo-versions', () => {
    assert.deepEqual(ids(matcher, 'minio-server', '2023.03.01.00.00.00'), ['GO-2099-0004']);
    assert.deepEqual(ids(matcher, 'minio-server', '2023.03.13.19.46.17'), []);
  });

  it('matches npm advisories for mapped names; others are not even stored', () => {
    assert.deepEqual(ids(matcher, 'prettier', '1.19.1'), ['GHSA-pret-t1er-0001']);
    assert.deepEqual(ids(matcher, 'prettier', '3.0.0_alpha.1'), []);
    assert.equal(store.advisoryById('GHSA-left-padd-0001'), undefined);
  });

  it('leaves PyPI matching as it was', () => {
    assert.deepEqual(
      store.advisoriesFor('PyPI', 'demo-lib').map((advisory) => advisory.id),
      ['PYSEC-2099-1'],
    );
    assert.deepEqual(ids(matcher, 'typos', '1.15.10').includes('PYSEC-2099-1'), false);
  });

  it('counts the tools under their own coverage kind', () => {
    assert.deepEqual(packageCoverage(condaPackage('gh', '2.40.1'), matcher), {
      package: condaPackage('gh', '2.40.1'),
      kinds: ['ecosystem-purl'],
      targets: ['Go:github.com/cli/cli/v2'],
    });
  });
});

describe('a store that has not looked at an ecosystem', () => {
  const inventory = (packages: Package[]): Inventory =>
    ({ packages, sources: [{ path: 'pixi.lock' }] }) as unknown as Inventory;

  it('reports the tools as not checked until the ecosystem’s feed was imported, even with no record kept', async () => {
    const store = await storeWith(RECORDS.pypi);
    const lock = inventory([condaPackage('prettier', '3.3.3')]);
    const gaps = coverageGaps({ id: 'vulnerability', version: 1 }, lock, new AdvisoryMatcher(store));
    assert.ok(
      gaps.some((gap) => /no npm vulnerability advisories/.test(gap.message) && /prettier 3\.3\.3/.test(gap.message)),
    );

    const directory = tempDirectory();
    const path = join(directory, 'npm.zip');
    writeFileSync(path, zipEntries([{ name: 'GHSA-left-padd-0001.json', data: JSON.stringify(RECORDS.leftPad) }]));
    await importSources(store, [{ path, feed: 'osv-npm' }]);
    const after = coverageGaps({ id: 'vulnerability', version: 1 }, lock, new AdvisoryMatcher(store));
    assert.equal(after.filter((gap) => /npm/.test(gap.message)).length, 0);
  });
});

describe('db update of the tool-ecosystem feeds from a loopback server', () => {
  let server: FeedServer;
  before(async () => {
    server = await startFeedServer();
  });
  after(() => server.close());

  const catalogue = (name: string) =>
    [...DEFAULT_FEEDS, ...EXTRA_FEEDS].find((feed) => feed.name === name) as FeedSource;

  it('imports crates.io and Go in full and npm only for mapped names, refetching npm in full every time', async () => {
    server.serve('/crates.io/all.zip', {
      body: zipEntries([{ name: 'RUSTSEC-2099-0001.json', data: JSON.stringify(RECORDS.typos) }]),
    });
    server.serve('/Go/all.zip', {
      body: zipEntries([
        { name: 'GO-2099-0001.json', data: JSON.stringify(RECORDS.gh) },
        { name: 'GO-2099-0002.json', data: JSON.stringify(RECORDS.ghPseudo) },
      ]),
    });
    server.serve('/npm/all.zip', {
      body: zipEntries([
        { name: 'GHSA-pret-t1er-0001.json', data: JSON.stringify(RECORDS.prettier) },
        { name: 'GHSA-left-padd-0001.json', data: JSON.stringify(RECORDS.leftPad) },
        // a record the reader must pass over unparsed: it is not even JSON
        { name: 'MAL-2099-0001.json', data: '{ not json, names no mapped package' },
      ]),
    });
    const feeds = [
      { ...catalogue('osv-crates-io'), url: server.url('/crates.io/all.zip') },
      { ...catalogue('osv-go'), url: server.url('/Go/all.zip') },
      { ...catalogue('osv-npm'), url: server.url('/npm/all.zip') },
    ];
    const store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
    const report = await updateFeeds(store, { feeds, backoffMs: 1, retries: 1 });
    assert.deepEqual(
      report.feeds.map((feed) => [feed.feed, feed.status, feed.records, feed.written]),
      [
        ['osv-crates-io', 'downloaded', 1, 1],
        ['osv-go', 'downloaded', 2, 2],
        ['osv-npm', 'downloaded', 3, 1],
      ],
    );
    assert.equal(store.feed('osv-npm')?.count, 3);
    const matcher = new AdvisoryMatcher(store);
    assert.deepEqual(ids(matcher, 'typos', '1.0.0'), ['RUSTSEC-2099-0001']);
    assert.deepEqual(ids(matcher, 'gh', '2.5.0'), ['GO-2099-0001', 'GO-2099-0002']);
    assert.deepEqual(ids(matcher, 'prettier', '1.0.0'), ['GHSA-pret-t1er-0001']);
    assert.equal(store.advisoryById('GHSA-left-padd-0001'), undefined);

    server.requests.length = 0;
    const again = await updateFeeds(store, { feeds, backoffMs: 1, retries: 1 });
    const status = Object.fromEntries(again.feeds.map((feed) => [feed.feed, feed.status]));
    assert.deepEqual(status, { 'osv-crates-io': 'unchanged', 'osv-go': 'unchanged', 'osv-npm': 'downloaded' });
    const npm = server.requests.find((request) => request.path === '/npm/all.zip');
    assert.equal(npm?.ifNoneMatch, undefined, 'npm is imported in part: a 304 would keep an older map’s part');
  });

  it('fetches crates.io and Go by default, optional; npm on request only', () => {
    const defaults = DEFAULT_FEEDS.filter((feed) => feed.name.startsWith('osv-') && feed.name !== 'osv-pypi');
    assert.deepEqual(
      defaults.map((feed) => [feed.name, feed.required]),
      [
        ['osv-crates-io', false],
        ['osv-go', false],
      ],
    );
    assert.ok(EXTRA_FEEDS.some((feed) => feed.name === 'osv-npm' && feed.selective === true));
    // each feed has tools in the map to serve
    for (const ecosystem of ['crates.io', 'Go', 'npm']) {
      assert.ok(
        ecosystemTools().some((tool) => tool.ecosystem === ecosystem),
        ecosystem,
      );
    }
  });
});
