/**
 * The product map on real records: NVD and CVE 5 (CNA) records from the corpus reach the conda
 * packages the map names, at the versions their ranges cover; and the zlib trap holds (CVE-2023-45853
 * is in contrib/minizip, which conda-forge's zlib/libzlib do not ship).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importSources } from '../../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../../src/intel/matcher.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore } from '../../src/intel/store-api.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../helpers/temp.ts';
import { condaPackage } from '../unit/report/sbom-fixtures.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';
const intel = (path: string) => corpus(`intel/${path}`);

/** A self-made record (not third-party data): a zlib flaw outside minizip, so the rule does not over-reach. */
const ZLIB_INFLATE = {
  id: 'CVE-2099-0045',
  published: '2099-01-01T00:00:00.000',
  lastModified: '2099-01-01T00:00:00.000',
  vulnStatus: 'Analyzed',
  descriptions: [{ lang: 'en', value: 'zlib through 1.3 has a demo overflow in inflateGetHeader.' }],
  configurations: [
    {
      nodes: [
        {
          operator: 'OR',
          cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*', versionEndIncluding: '1.3' }],
        },
      ],
    },
  ],
};

describe('the product map on real NVD and CVE 5 records', { skip: SKIP }, () => {
  let store: IntelStore;
  let matcher: AdvisoryMatcher;
  const ids = (name: string, version: string) =>
    matcher
      .match(condaPackage(name, version))
      .groups.flatMap((group) => [group.id, ...group.aliases])
      .sort();

  before(async () => {
    store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
    const nvd = readdirSync(intel('nvd-products'))
      .filter((name) => name.startsWith('CVE-'))
      .map((name) => ({ path: intel(`nvd-products/${name}`) }));
    await importSources(store, [
      ...nvd,
      { path: intel('clibs/cve5/CVE-2025-4565.json') },
      { path: intel('clibs/nvd/CVE-2023-45853.json') },
      { path: intel('cve5-vulnrichment') },
      { path: writeTemp('zlib-inflate.json', JSON.stringify(ZLIB_INFLATE)) },
    ]);
    matcher = new AdvisoryMatcher(store);
  });
  after(() => store?.close());

  it('does not report CVE-2023-45853 (minizip) for libzlib or zlib 1.2.13, but does report a zlib flaw', () => {
    assert.equal(store.advisoryById('CVE-2023-45853'), undefined);
    for (const name of ['libzlib', 'zlib']) {
      assert.deepEqual(ids(name, '1.2.13'), ['CVE-2099-0045'], name);
    }
    assert.deepEqual(ids('libzlib', '1.3.1'), [], 'after the fix');
  });

  it('expat 2.5.0 finds CVE-2023-52425 and CVE-2024-45490 (NVD CPE libexpat_project:libexpat)', () => {
    assert.deepEqual(ids('expat', '2.5.0'), ['CVE-2023-52425', 'CVE-2024-45490']);
    assert.deepEqual(ids('libexpat', '2.5.0'), ['CVE-2023-52425', 'CVE-2024-45490']);
    assert.deepEqual(ids('libexpat', '2.6.3'), []);
  });

  it('maps new upstreams to their conda packages at the right versions', () => {
    assert.ok(ids('git', '2.43.0').includes('CVE-2024-32002'), 'git 2.43.0 (NVD git:git, CNA git/git)');
    assert.ok(!ids('git', '2.43.4').includes('CVE-2024-32002'), 'git 2.43.4 is fixed');
    assert.deepEqual(ids('libgit2', '2.43.0'), [], 'libgit2 is not git');
    assert.ok(ids('libgit2', '1.7.1').includes('CVE-2024-24575'));
    assert.deepEqual(ids('exiv2', '0.28.2'), ['CVE-2024-39695']);
    assert.ok(ids('c-ares', '1.19.0').includes('CVE-2023-32067'), "CNA c-ares/c-ares, GitHub's `< 1.19.1`");
    assert.ok(ids('libnghttp2', '1.58.0').includes('CVE-2024-28182'), 'CNA nghttp2/nghttp2');
    assert.deepEqual(ids('libnghttp2', '1.61.0'), []);
    assert.ok(ids('libpq', '16.3').includes('CVE-2024-7348'), 'CNA n/a/PostgreSQL');
    assert.ok(ids('ffmpeg', '7.1.1').includes('CVE-2023-51794'), 'NVD ffmpeg:ffmpeg exact versions');
    assert.ok(ids('nodejs', '20.11.0').includes('CVE-2024-21890'));
  });

  it('reaches RoboStack’s Fast DDS builds (NVD eprosima:fast_dds, CNA eProsima/Fast-DDS) at their release lines', () => {
    const humble = ids('ros-humble-fastrtps', '2.6.7');
    assert.ok(humble.includes('CVE-2024-28231'), 'humble 2.6.7 < 2.6.8');
    assert.ok(!humble.includes('CVE-2023-39949'), 'fixed in 2.6.5, before 2.6.7');
    assert.deepEqual(ids('ros-humble-fastrtps', '2.6.9'), [], 'a later humble release');
    assert.ok(ids('ros-jazzy-fastrtps', '2.13.3').includes('CVE-2024-28231'), '2.13.0 ≤ v < 2.13.4');
    assert.ok(!ids('ros-jazzy-fastrtps', '2.14.4').includes('CVE-2024-28231'), 'jazzy 2.14 is after every range');
    assert.deepEqual(ids('ros-jazzy-fastcdr', '2.2.5'), [], 'Fast CDR is another product');
  });

  it('compares protobuf CVEs in libprotobuf’s numbering, and keeps Java- and Python-only CVEs off it', () => {
    assert.ok(
      ids('libprotobuf', '4.24.4').includes('CVE-2024-2410'),
      'CNA protocolbuffers/protobuf 4.22.0 ≤ v < 4.25.0',
    );
    assert.ok(!ids('libprotobuf', '4.25.3').includes('CVE-2024-2410'), 'fixed in 4.25.0');
    assert.ok(!ids('libprotobuf', '3.21.12').includes('CVE-2024-2410'), 'before 4.22.0');
    for (const version of ['3.21.12', '4.25.3', '5.28.1']) {
      const found = ids('libprotobuf', version);
      assert.ok(!found.includes('CVE-2024-7254'), `${version}: CVE-2024-7254 is in protobuf-java`);
      assert.ok(!found.includes('CVE-2025-4565'), `${version}: CVE-2025-4565 is in the pure-Python backend`);
    }
    assert.equal(store.advisoryById('CVE-2025-4565'), undefined, 'Python-Protobuf names no tracked product');
  });
});
