/**
 * The vendor and gap-filler feeds of `db update` on small self-made fixtures: Node.js core's index,
 * OpenSSL's release-metadata archive and OSS-Fuzz's OSV records, each imported and then matched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { affectedRanges } from '../../../src/intel/import/nodejs.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import type { FeedName } from '../../../src/intel/model.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import type { Package } from '../../../src/model/package.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';
import { condaPackage as condaFixture } from '../report/sbom-fixtures.ts';

function newStore(): IntelStore {
  return openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
}

/** A conda package whose lock says `purls: []`, as RoboStack and conda-forge C libraries are written. */
const condaPackage = (name: string, version: string): Package => condaFixture(name, version, { purlsKnown: true });

/** What the matcher says of one conda package: the ids of its findings and of its undecided advisories. */
function verdict(store: IntelStore, name: string, version: string): { found: string[]; undecided: string[] } {
  const result = new AdvisoryMatcher(store).match(condaPackage(name, version));
  return {
    found: result.groups.map((group) => [group.id, ...group.aliases].join('+')).sort(),
    undecided: result.undecided.map((item) => item.advisoryId).sort(),
  };
}

async function imported(path: string, feed?: FeedName) {
  const store = newStore();
  const report = await importSources(store, [{ path, feed }]);
  return { store, report };
}

describe('Node.js security-wg core index', () => {
  const index = fixture('intel/nodejs/index.json');

  it('reads every entry as NSWG-CORE-<n>, its CVEs as aliases, for the nodejs product', async () => {
    const { store, report } = await imported(index);
    assert.deepEqual(
      report.results.map(({ feed, records, written }) => ({ feed, records, written })),
      [{ feed: 'nodejs', records: 4, written: 4 }],
    );
    assert.deepEqual(report.results[0]?.notes, [
      '1 record: ranges not readable as SemVer: kept as undecided (NSWG-CORE-4)',
    ]);
    assert.deepEqual(store.advisoryById('NSWG-CORE-1'), {
      id: 'NSWG-CORE-1',
      aliases: ['CVE-2099-0101'],
      kind: 'vulnerability',
      summary: 'Demo path traversal in the permission model',
      modified: '1970-01-01T00:00:00Z',
      severity: { level: 'high', vectors: [], basis: 'nodejs' },
      cwes: [],
      affected: [
        {
          ecosystem: 'upstream',
          name: 'nodejs',
          normalizedName: 'nodejs',
          scheme: 'semver',
          ranges: [
            { type: 'SEMVER', events: [{ introduced: '18.0.0' }, { fixed: '18.18.2' }] },
            { type: 'SEMVER', events: [{ introduced: '20.0.0' }, { fixed: '20.8.1' }] },
          ],
          versions: [],
        },
      ],
      references: [],
      feed: 'nodejs',
    });
    const third = store.advisoryById('NSWG-CORE-3');
    assert.deepEqual(third?.aliases, ['CVE-2099-0102', 'CVE-2099-0103']);
    assert.equal(third?.summary, 'Demo: an unpatched line.');
    assert.equal(third?.published, '2099-08-16T00:00:00Z');
    assert.deepEqual(third?.cwes, ['CWE-400']);
    assert.deepEqual(third?.severity, { vectors: ['CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N'] });
    assert.equal(store.advisoryById('NSWG-CORE-2')?.summary, 'Demo flaw without a CVE (win32 only)');
    store.close();
  });

  it('finds the CVEs of nodejs 18.17.0 and none in a patched 18.18.2 but the unpatched line', async () => {
    const { store } = await imported(index);
    assert.deepEqual(verdict(store, 'nodejs', '18.17.0'), {
      found: ['CVE-2099-0101+NSWG-CORE-1', 'CVE-2099-0102+CVE-2099-0103+NSWG-CORE-3'],
      undecided: ['NSWG-CORE-4'],
    });
    assert.deepEqual(verdict(store, 'nodejs', '18.18.2').found, ['CVE-2099-0102+CVE-2099-0103+NSWG-CORE-3']);
    assert.deepEqual(verdict(store, 'nodejs', '20.8.1').found, []);
    assert.deepEqual(verdict(store, 'nodejs', '20.8.0').found, ['CVE-2099-0101+NSWG-CORE-1']);
    assert.deepEqual(verdict(store, 'nodejs', '4.4.2').found, []);
    assert.deepEqual(verdict(store, 'nodejs', '4.4.3').found, ['NSWG-CORE-2'], 'only the exact 4.4.2 is patched');
    store.close();
  });

  it('computes vulnerable minus patched as SemVer ranges', () => {
    assert.deepEqual(affectedRanges('<= 10', '^6.14.4 || ^8.11.4 || >= 10.9.0'), [
      { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '6.14.4' }] },
      { type: 'SEMVER', events: [{ introduced: '7.0.0' }, { fixed: '8.11.4' }] },
      { type: 'SEMVER', events: [{ introduced: '9.0.0' }, { fixed: '10.9.0' }] },
    ]);
    assert.deepEqual(affectedRanges('20.x || 21.x', '^20.1.0'), [
      { type: 'SEMVER', events: [{ introduced: '20.0.0' }, { fixed: '20.1.0' }] },
      { type: 'SEMVER', events: [{ introduced: '21.0.0' }, { fixed: '22.0.0' }] },
    ]);
    assert.deepEqual(affectedRanges('8.5.0', ''), [
      { type: 'SEMVER', events: [{ introduced: '8.5.0' }, { last_affected: '8.5.0' }] },
    ]);
    assert.deepEqual(affectedRanges('10.x', '10.x'), []);
    assert.equal(affectedRanges('10.x', 'nope ~~'), undefined);
  });

  it('refuses a malformed entry with one line naming the file and key', async () => {
    const path = writeTemp('index.json', JSON.stringify({ 7: { cve: 'CVE-1', vulnerable: '1.x', patched: '' } }));
    await assert.rejects(
      async () => imported(path),
      (error: unknown) =>
        error instanceof CvebuildError &&
        error.code === 'FEED_INVALID' &&
        error.toLine() === `${path}: 7: \`cve\` must be a list of CVE ids`,
    );
  });
});

/** An OSS-Fuzz OSV record as osv.dev exports it: GIT range, and the repository's tags in `versions`. */
function ossFuzzRecord(id: string, project: string, repo: string, versions?: string[], extra: Json = {}): Json {
  return {
    id,
    summary: `Heap-buffer-overflow in ${project}`,
    modified: '2099-01-01T00:00:00Z',
    published: '2099-01-01T00:00:00Z',
    affected: [
      {
        package: { name: project, ecosystem: 'OSS-Fuzz' },
        ranges: [{ type: 'GIT', repo, events: [{ introduced: 'a1b2c3d' }, { fixed: 'e4f5a6b' }] }],
        ...(versions ? { versions } : {}),
        ecosystem_specific: { severity: 'HIGH' },
      },
    ],
    ...extra,
  };
}

type Json = Record<string, unknown>;

const LIBXML2 = 'https://gitlab.gnome.org/GNOME/libxml2.git';

describe('OSS-Fuzz OSV records', () => {
  const records = [
    ossFuzzRecord('OSV-2099-10', 'libxml2', LIBXML2, ['v2.10.2', 'v2.10.3', 'v2.11.0-rc1', 'CVE-2099-1']),
    ossFuzzRecord('OSV-2099-11', 'libxml2', LIBXML2, undefined, { aliases: ['CVE-2099-0111'] }),
    ossFuzzRecord('OSV-2099-12', 'libxml2', LIBXML2, ['v2.11.0-rc1', 'snapshot']),
    ossFuzzRecord('OSV-2099-13', 'freetype2', 'https://github.com/freetype/freetype2-testing.git', ['VER-2-12-1']),
    ossFuzzRecord('OSV-2099-14', 'boringssl', 'https://boringssl.googlesource.com/boringssl', ['fips-20180730']),
    ossFuzzRecord('OSV-2099-15', 'libxml2', LIBXML2, ['v2.10.3'], { withdrawn: '2099-02-01T00:00:00Z' }),
  ];
  const path = () => writeTemp('ossfuzz.jsonl', records.map((record) => JSON.stringify(record)).join('\n'));

  it('turns tags of the product repository into exact versions, and keeps the rest undecided', async () => {
    const { store, report } = await imported(path());
    assert.deepEqual(
      report.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped })),
      [{ feed: 'oss-fuzz', records: 6, written: 5, skipped: 1 }],
    );
    assert.deepEqual(report.results[0]?.notes, [
      '1 record: OSS-Fuzz project of no product in the product map (OSV-2099-14)',
      '1 record: OSS-Fuzz entry kept as undecided: no affected versions listed (OSV-2099-11)',
      '1 record: OSS-Fuzz entry kept as undecided: its tags name no release of the product (OSV-2099-12)',
      "1 record: OSS-Fuzz entry kept as undecided: its range is in another repository than the product's (OSV-2099-13)",
    ]);
    assert.deepEqual(store.advisoryById('OSV-2099-10')?.affected, [
      {
        ecosystem: 'upstream',
        name: 'libxml2',
        normalizedName: 'libxml2',
        scheme: 'upstream',
        ranges: [],
        versions: ['2.10.2', '2.10.3'],
      },
    ]);
    assert.equal(store.advisoryById('OSV-2099-10')?.severity.level, 'high');
    assert.equal(store.advisoryById('OSV-2099-14'), undefined);
    store.close();
  });

  it('finds libxml2 2.10.3 by its listed version, reports the rest undecided, never guesses', async () => {
    const { store } = await imported(path());
    assert.deepEqual(verdict(store, 'libxml2', '2.10.3'), {
      found: ['OSV-2099-10'],
      undecided: ['OSV-2099-11', 'OSV-2099-12'],
    });
    assert.deepEqual(verdict(store, 'libxml2', '2.10.4'), { found: [], undecided: ['OSV-2099-11', 'OSV-2099-12'] });
    assert.deepEqual(verdict(store, 'libfreetype6', '2.12.1'), { found: [], undecided: ['OSV-2099-13'] });
    store.close();
  });
});

describe("OpenSSL's release-metadata archive (GitHub codeload zip)", () => {
  /** The repository's real layout under one top directory: secjson records beside other files. */
  function releaseMetadataZip(): string {
    const lines = readFileSync(fixture('intel/upstream/openssl-secjson-cve5.jsonl'), 'utf8').trim().split('\n');
    const top = 'release-metadata-main/';
    const entries = [
      { name: top, data: '' },
      { name: `${top}.github/workflows/lint.yml`, data: 'on: push\n' },
      { name: `${top}data.json`, data: JSON.stringify({ '3.0': { eol: 'soon' } }) },
      { name: `${top}secjson/`, data: '' },
      { name: `${top}secjson/statements.json`, data: JSON.stringify({ statements: [] }) },
      ...lines.map((line) => ({
        name: `${top}secjson/${(JSON.parse(line) as { cveMetadata: { cveId: string } }).cveMetadata.cveId}.json`,
        data: line,
      })),
    ];
    return writeTemp('release-metadata-main.zip', zipEntries(entries));
  }

  it('reads only secjson/CVE-*.json, as feed openssl, and says what else it ignored', async () => {
    const { store, report } = await imported(releaseMetadataZip(), 'openssl');
    assert.deepEqual(
      report.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped })),
      [{ feed: 'openssl', records: 2, written: 2, skipped: 0 }],
    );
    assert.deepEqual(report.results[0]?.notes, [
      '3 archive files: not a secjson/CVE-*.json record, ignored (release-metadata-main/.github/workflows/lint.yml, release-metadata-main/data.json, release-metadata-main/secjson/statements.json)',
    ]);
    assert.equal(store.advisoryById('CVE-2099-0005')?.feed, 'openssl');
    assert.deepEqual(verdict(store, 'openssl', '3.0.7').found, ['CVE-2099-0005', 'CVE-2099-0006']);
    assert.deepEqual(verdict(store, 'openssl', '3.0.8').found, []);
    store.close();
  });

  it('refuses a record that is not CVE JSON 5, naming the archive entry', async () => {
    const path = writeTemp(
      'bad.zip',
      zipEntries([{ name: 'release-metadata-main/secjson/CVE-2099-0001.json', data: '{"id": "x"}' }]),
    );
    await assert.rejects(
      async () => imported(path, 'openssl'),
      (error: unknown) =>
        error instanceof CvebuildError &&
        error.code === 'FEED_INVALID' &&
        error.location.key === 'release-metadata-main/secjson/CVE-2099-0001.json',
    );
  });
});
