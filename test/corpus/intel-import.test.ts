/**
 * The whole intel corpus imports into one store, with the record counts MANIFEST.md gives and the
 * facts intel.md documents: withdrawn PYSEC records excluded, LiteLLM's compromised releases,
 * OpenSSL branch ranges, KEV, parselmouth names, GHSA severities.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FeedImportOutcome } from '../../src/intel/import/index.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore } from '../../src/intel/store-api.ts';
import { nativeProductForOssFuzz } from '../../src/mapping/native.ts';
import { normalizePypiName } from '../../src/model/package.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';
const intel = (path: string) => corpus(`intel/${path}`);

/** Records per file, as MANIFEST.md counts them. */
const MANIFEST_RECORDS: Record<string, number> = {
  'osv-pypi-pysec.jsonl': 7080,
  'osv-pypi-malicious.jsonl': 9208,
  'osv-pypi-malicious-recent.jsonl': 8,
  'osv-pypi-ghsa.jsonl': 26,
  'cisa-kev.json': 1404,
  'pypi-malicious-names.jsonl': 11154,
  'top-pypi-packages.min.json': 15000,
  'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json': 33909,
  'conda-forge/parselmouth-compressed_mapping.json': 33909,
  'conda-forge/parselmouth-mapping_as_grayskull.json': 20655,
  'conda-forge/feedstock-outputs.json': 32676,
  'clibs/openssl-secjson-cve5.jsonl': 272,
  'clibs/curl-vulns.derived.jsonl': 206,
  'clibs/curl-vuln.pm': 206,
  'clibs/osv-ossfuzz-clibs.jsonl': 399,
  'clibs/osv-psf-cpython.jsonl': 132,
};

const jsonLines = (path: string) =>
  readFileSync(intel(path), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** An OSV record with a PyPI package, or an OSS-Fuzz project the product map names by project or repository. */
function isTracked(record: Record<string, unknown>): boolean {
  const affected = (record.affected ?? []) as {
    package: { ecosystem: string; name: string };
    ranges?: { repo?: string }[];
  }[];
  return affected.some(
    ({ package: pkg, ranges = [] }) =>
      pkg.ecosystem === 'PyPI' ||
      (pkg.ecosystem === 'OSS-Fuzz' &&
        nativeProductForOssFuzz(
          pkg.name,
          ranges.flatMap((range) => (range.repo ? [range.repo] : [])),
        ) !== undefined),
  );
}

describe('importing the intel corpus', { skip: SKIP }, () => {
  let store: IntelStore;
  let results: FeedImportOutcome[];
  let durationMs: number;
  const nvdFiles = hasCorpus ? readdirSync(intel('clibs/nvd')).map((name) => `clibs/nvd/${name}`) : [];

  before(async () => {
    store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
    const paths = [...Object.keys(MANIFEST_RECORDS), ...nvdFiles, 'clibs/cve5'];
    const report = await importSources(
      store,
      paths.map((path) => ({ path: intel(path) })),
    );
    results = report.results;
    durationMs = report.durationMs;
    console.log(`intel corpus: ${results.length} imports in ${Math.round(durationMs)} ms`);
  });
  after(() => store?.close());

  const resultFor = (path: string) => {
    const found = results.filter((result) => result.path === intel(path));
    assert.equal(found.length, 1, path);
    return found[0] as FeedImportOutcome;
  };

  it('reads every record MANIFEST.md counts, under the expected feeds', () => {
    for (const [path, records] of Object.entries(MANIFEST_RECORDS)) {
      assert.equal(resultFor(path).records, records, path);
    }
    assert.deepEqual(Object.fromEntries(Object.keys(MANIFEST_RECORDS).map((path) => [path, resultFor(path).feed])), {
      'osv-pypi-pysec.jsonl': 'pypa',
      'osv-pypi-malicious.jsonl': 'malicious',
      'osv-pypi-malicious-recent.jsonl': 'malicious',
      'osv-pypi-ghsa.jsonl': 'ghsa',
      'cisa-kev.json': 'kev',
      'pypi-malicious-names.jsonl': 'malicious-names',
      'top-pypi-packages.min.json': 'top-pypi',
      'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json': 'parselmouth',
      'conda-forge/parselmouth-compressed_mapping.json': 'parselmouth',
      'conda-forge/parselmouth-mapping_as_grayskull.json': 'parselmouth',
      'conda-forge/feedstock-outputs.json': 'conda-forge-names',
      'clibs/openssl-secjson-cve5.jsonl': 'openssl',
      'clibs/curl-vulns.derived.jsonl': 'curl',
      'clibs/curl-vuln.pm': 'curl',
      'clibs/osv-ossfuzz-clibs.jsonl': 'oss-fuzz',
      'clibs/osv-psf-cpython.jsonl': 'local',
    });
    assert.equal(resultFor('osv-pypi-pysec.jsonl').written, 7080);
    assert.equal(resultFor('clibs/curl-vuln.pm').written, 0, 'vuln.pm holds the same rows as the derived table');
    assert.equal(
      resultFor('clibs/osv-ossfuzz-clibs.jsonl').written,
      jsonLines('clibs/osv-ossfuzz-clibs.jsonl').filter(isTracked).length,
      'the PyPI (pillow) records and those of OSS-Fuzz projects of a product-map product',
    );
    assert.equal(store.feed('malicious')?.count, 9208 + 8);
    assert.equal(store.feed('kev')?.count, 1404);
    const counts = store.counts();
    assert.equal(counts.kev, 1404);
    assert.equal(counts.maliciousNames, 11154);
    assert.equal(counts.popularity, 15000 + 32676);
    assert.equal(counts.malicious, 9208 + 8);
  });

  it('stores the 269 withdrawn PYSEC records but never returns them for a package', () => {
    const withdrawn = jsonLines('osv-pypi-pysec.jsonl').filter((record) => record.withdrawn);
    assert.equal(withdrawn.length, 269);
    for (const record of withdrawn) {
      const id = record.id as string;
      assert.ok(store.advisoryById(id)?.withdrawn, id);
      for (const affected of record.affected as { package: { name: string } }[]) {
        const found = store.advisoriesFor('PyPI', normalizePypiName(affected.package.name)).map((a) => a.id);
        assert.ok(!found.includes(id), `${id} returned for ${affected.package.name}`);
      }
    }
    const ossFuzzWithdrawn = jsonLines('clibs/osv-ossfuzz-clibs.jsonl').filter(
      (record) => record.withdrawn && isTracked(record),
    ).length;
    assert.equal(
      store.counts().withdrawn,
      269 + 1 + ossFuzzWithdrawn,
      'plus the one withdrawn MAL record and the withdrawn OSS-Fuzz records of tracked products',
    );
  });

  it("finds LiteLLM's compromised releases 1.82.7 and 1.82.8 (MAL-2026-2144)", () => {
    const litellm = store.advisoriesFor('PyPI', 'litellm');
    const mal = litellm.find((advisory) => advisory.id === 'MAL-2026-2144');
    assert.ok(mal);
    assert.equal(mal.kind, 'malicious');
    assert.equal(mal.severity.level, 'critical');
    assert.deepEqual(mal.affected.find((entry) => entry.normalizedName === 'litellm')?.versions, ['1.82.7', '1.82.8']);
    assert.deepEqual(mal.aliases, ['PYSEC-2026-2']);
    assert.ok(litellm.some((advisory) => advisory.id === 'PYSEC-2026-2'));
  });

  it('has the OpenSSL 3.0 branch range of CVE-2023-0286 (introduced 3.0.0, fixed 3.0.8)', () => {
    const advisory = store.advisoriesFor('upstream', 'openssl').find((found) => found.id === 'CVE-2023-0286');
    assert.ok(advisory);
    assert.equal(advisory.severity.level, 'high');
    assert.ok(
      advisory.affected[0]?.ranges.some(
        (range) => JSON.stringify(range.events) === JSON.stringify([{ introduced: '3.0.0' }, { fixed: '3.0.8' }]),
      ),
    );
    const fromOpenSsl = store.advisoriesFor('upstream', 'openssl').filter((found) => found.feed === 'openssl');
    assert.equal(fromOpenSsl.length, 272);
  });

  it('joins KEV, name maps and vendor records', () => {
    assert.equal(store.kevFor(['CVE-2023-4863'])[0]?.product, 'Chromium WebP');
    assert.ok(store.pypiNamesForConda('pytorch')?.includes('torch'));
    assert.deepEqual(store.pypiNamesForConda('openssl'), []);
    assert.deepEqual(store.pypiNamesForConda('py-opencv'), ['opencv-python', 'opencv-python-headless']);
    assert.equal(store.advisoriesFor('upstream', 'curl').filter((found) => found.feed === 'curl').length, 206);
    assert.deepEqual(
      store.advisoriesFor('upstream', 'xz').find((advisory) => advisory.id === 'CVE-2024-3094')?.affected[0]?.versions,
      ['5.6.0', '5.6.1'],
    );
    assert.deepEqual(store.advisoryById('CVE-2024-25062')?.affected, [], 'libxml2: NVD has no configuration yet');
    assert.equal(store.advisoryById('CVE-2024-7264')?.feed, 'curl', "curl's own table over the CVE 5 copy");
    assert.equal(store.advisoryById('CVE-2024-45490')?.severity.score, 7.5, "NVD's Primary score, not the CNA's 9.8");
  });

  it("scores GHSA's CVSS vectors to the level GitHub gives them", () => {
    const levels: Record<string, string> = { LOW: 'low', MODERATE: 'medium', HIGH: 'high', CRITICAL: 'critical' };
    for (const record of jsonLines('osv-pypi-ghsa.jsonl')) {
      const id = record.id as string;
      const vectors = (record.severity as { score: string }[]).map((entry) => entry.score);
      const github = levels[(record.database_specific as { severity: string }).severity];
      const severity = store.advisoryById(id)?.severity;
      assert.ok(severity, id);
      if (vectors.length === 0) {
        assert.deepEqual(severity, { level: github, vectors: [], basis: 'ghsa' }, id);
      } else if (vectors.some((vector) => vector.startsWith('CVSS:4.0/'))) {
        assert.equal(severity.basis, 'cvss', id);
      } else {
        assert.equal(severity.level, github, `${id} ${vectors.join(' ')} scored ${severity.score}`);
      }
    }
    assert.equal(store.advisoryById('GHSA-248v-346w-9cwc')?.severity.score, 7.5);
    assert.equal(store.advisoryById('GHSA-8q59-q68h-6hv4')?.severity.score, 9.8);
  });

  it('re-imports the whole corpus without writing anything', async () => {
    const countsBefore = store.counts();
    const again = await importSources(
      store,
      [...Object.keys(MANIFEST_RECORDS), ...nvdFiles, 'clibs/cve5'].map((path) => ({ path: intel(path) })),
    );
    assert.deepEqual(
      again.results.filter((result) => result.written > 0).map((result) => `${result.path}: ${result.written}`),
      [],
    );
    assert.deepEqual(store.counts(), countsBefore);
  });
});
