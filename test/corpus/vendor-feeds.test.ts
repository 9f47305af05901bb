/**
 * The vendor and gap-filler feeds of `db update` on the real data, served from loopback in their
 * upstream layouts (OpenSSL's codeload zip, the security-wg index, OSS-Fuzz's all.zip,
 * feedstock-outputs.json), into a store with no other data:
 * - the openssl-cve example, gated against that store instead of its bundled intel, finds CVE-2023-0286;
 * - Node.js versions get exactly the entries the security-wg's own reading gives (vulnerable and not
 *   patched, computed here with node-semver), and a patched version none;
 * - libxml2 2.10.3 gets the OSS-Fuzz records whose tag lists name v2.10.3, and the records without a
 *   usable tag list as undecided;
 * - the typosquat check no longer says the conda-forge names list is missing.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { feedEnvironmentVariable, selectFeeds } from '../../src/intel/feeds.ts';
import { AdvisoryMatcher } from '../../src/intel/matcher.ts';
import type { FeedName } from '../../src/intel/model.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore } from '../../src/intel/store-api.ts';
import { type UpdateReport, updateFeeds } from '../../src/intel/update.ts';
import type { Package } from '../../src/model/package.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.ts';
import { hasCorpus, projectRoot } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';
import { corpusLines, NODEJS_INDEX, OSS_FUZZ_OSV, vendorFeedRoutes } from '../helpers/vendor-feeds.ts';
import { condaPackage as condaFixture } from '../unit/report/sbom-fixtures.ts';

const VENDOR_FEEDS: FeedName[] = ['openssl', 'nodejs', 'oss-fuzz', 'conda-forge-names'];

/** A conda package whose lock says `purls: []`, as RoboStack and conda-forge C libraries are written. */
const condaPackage = (name: string, version: string): Package => condaFixture(name, version, { purlsKnown: true });

interface AuditJson {
  findings: { id: string; check: string; source: string | null; package: { name: string | null } }[];
  summary: { undecided: string[] };
}

describe('vendor feeds from loopback, into a store with nothing else', { skip: !hasCorpus && 'corpus absent' }, () => {
  let server: FeedServer;
  let storePath: string;
  let store: IntelStore;
  let env: Record<string, string>;
  let first: UpdateReport;

  before(async () => {
    server = await startFeedServer();
    env = {};
    for (const [path, route] of Object.entries(vendorFeedRoutes())) {
      server.serve(path, { file: route.path });
      env[feedEnvironmentVariable(route.feed)] = server.url(path);
    }
    storePath = join(tempDirectory(), 'intel.sqlite');
    store = openStore(storePath, { create: true });
    first = await updateFeeds(store, { feeds: selectFeeds({ env, only: VENDOR_FEEDS }), backoffMs: 10 });
  });

  after(async () => {
    store?.close();
    await server?.close();
  });

  it('downloads and imports each feed, every record counted', () => {
    assert.equal(first.imported, true);
    const records = Object.fromEntries(first.feeds.map((feed) => [feed.feed, [feed.status, feed.records]]));
    assert.deepEqual(records, {
      openssl: ['downloaded', corpusLines('intel/clibs/openssl-secjson-cve5.jsonl').length],
      nodejs: ['downloaded', Object.keys(nodeIndex()).length],
      'oss-fuzz': ['downloaded', corpusLines(OSS_FUZZ_OSV).length],
      'conda-forge-names': ['downloaded', 32_676],
    });
    for (const name of VENDOR_FEEDS) assert.ok(store.feed(name)?.etag, `${name} keeps its validators`);
  });

  it('gets 304s on a second update and imports nothing', async () => {
    const second = await updateFeeds(store, { feeds: selectFeeds({ env, only: VENDOR_FEEDS }) });
    assert.deepEqual(
      second.feeds.map((feed) => feed.status),
      VENDOR_FEEDS.map(() => 'unchanged'),
    );
    assert.equal(second.imported, false);
  });

  it('the openssl-cve example, without its bundled intel, finds CVE-2023-0286 through the updated store', async () => {
    const project = tempDirectory();
    for (const file of ['pixi.lock', 'pixi.toml']) {
      copyFileSync(join(projectRoot, 'examples/openssl-cve', file), join(project, file));
    }
    const result = await runCliAsync(['gate', project, '--db', storePath, '--offline', '--format', 'json']);
    assert.equal(result.status, 1, result.stderr);
    const report = JSON.parse(result.stdout) as AuditJson;
    const openssl = report.findings.filter((finding) => finding.package?.name === 'openssl').map((f) => f.id);
    assert.ok(openssl.includes('CVE-2023-0286'), openssl.join(' '));
    assert.ok(openssl.includes('CVE-2022-3602'), 'the 3.0.0–3.0.6 buffer overrun too');
  });

  it('gives Node.js versions exactly the entries vulnerable-and-not-patched gives them', () => {
    const matcher = new AdvisoryMatcher(store);
    const semver = createRequire(import.meta.url)('semver') as typeof import('semver');
    const index = nodeIndex();
    const expected = (version: string) =>
      Object.entries(index)
        .filter(
          ([, entry]) =>
            semver.satisfies(version, entry.vulnerable) &&
            !(entry.patched.trim() !== '' && semver.satisfies(version, entry.patched)),
        )
        .map(([key]) => `NSWG-CORE-${key}`)
        .sort();
    const found = (version: string) =>
      matcher
        .match(condaPackage('nodejs', version))
        .groups.flatMap((group) => [group.id, ...group.aliases])
        .filter((id) => id.startsWith('NSWG-CORE-'))
        .sort();
    for (const version of ['18.17.0', '20.9.0', '16.20.2', '18.20.8', '20.20.2', '22.22.2', '24.14.1']) {
      assert.deepEqual(found(version), expected(version), version);
    }
    assert.ok(found('18.17.0').length > 10, 'nodejs 18.17.0 has known CVEs');
    const cves = matcher
      .match(condaPackage('nodejs', '18.17.0'))
      .groups.flatMap((group) => [group.id, ...group.aliases]);
    assert.ok(cves.includes('CVE-2023-44487'), 'HTTP/2 rapid reset, patched in 18.18.2');
    assert.deepEqual(found('24.14.1'), [], 'the patched 24.14.1 is clean');
  });

  it('finds the OSS-Fuzz records that list libxml2 v2.10.3, and keeps the untagged ones undecided', () => {
    const records = corpusLines(OSS_FUZZ_OSV)
      .map((line) => JSON.parse(line) as OssFuzzRecord)
      .filter((record) => !record.withdrawn && record.affected.some((entry) => entry.package.name === 'libxml2'));
    const tags = (record: OssFuzzRecord) => record.affected.flatMap((entry) => entry.versions ?? []);
    const listing = records.filter((record) => tags(record).includes('v2.10.3')).map((record) => record.id);
    const untagged = records
      .filter((record) => !tags(record).some((tag) => /^v\d+(\.\d+)+$/.test(tag)))
      .map((record) => record.id);
    assert.ok(listing.length > 0 && untagged.length > 0);

    const result = new AdvisoryMatcher(store).match(condaPackage('libxml2', '2.10.3'));
    assert.deepEqual(result.groups.map((group) => group.id).sort(), listing.sort());
    assert.deepEqual(result.undecided.map((item) => item.advisoryId).sort(), untagged.sort());
    const later = new AdvisoryMatcher(store).match(condaPackage('libxml2', '2.10.4'));
    assert.deepEqual(
      later.groups.map((group) => group.id).sort(),
      records
        .filter((record) => tags(record).includes('v2.10.4'))
        .map((record) => record.id)
        .sort(),
    );
  });

  it('lets the typosquat check judge conda names: no more "no conda-forge-names list"', async () => {
    const project = tempDirectory();
    mkdirSync(project, { recursive: true });
    // a package from a channel other than conda-forge: only the names list can vouch for its name
    writeFileSync(
      join(project, 'explicit.txt'),
      '# platform: linux-64\n@EXPLICIT\nhttps://repo.example.org/internal/linux-64/numpy-1.26.4-py311_0.conda\n',
    );
    const withoutNames = join(tempDirectory(), 'openssl-only.sqlite');
    const bare = openStore(withoutNames, { create: true });
    await updateFeeds(bare, { feeds: selectFeeds({ env, only: ['openssl'] }) });
    bare.close();
    const noData = (report: AuditJson) =>
      report.findings.filter((finding) => finding.id === 'typosquat/no-data' && finding.source === 'conda-forge-names');
    const audit = async (db: string) => {
      const args = ['audit', join(project, 'explicit.txt'), '--db', db, '--checks', 'typosquat', '--offline'];
      const result = await runCliAsync([...args, '--format', 'json']);
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as AuditJson;
    };
    assert.equal(noData(await audit(withoutNames)).length, 1, 'without the feed the gap is reported');
    assert.deepEqual(noData(await audit(storePath)), []);
  });
});

interface NodeEntry {
  vulnerable: string;
  patched: string;
}

function nodeIndex(): Record<string, NodeEntry> {
  return JSON.parse(corpusLines(NODEJS_INDEX).join('\n')) as Record<string, NodeEntry>;
}

interface OssFuzzRecord {
  id: string;
  withdrawn?: string;
  affected: { package: { name: string }; versions?: string[] }[];
}
