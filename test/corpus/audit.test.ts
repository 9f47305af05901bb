/**
 * The audit against the full real threat-intel corpus: every real lock audits without error and
 * deterministically; explicit `versions` lists agree with range evaluation; conda C libraries get
 * the CVEs their vendors' own data gives; malicious and KEV cases behave as the public record says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readInventory } from '../../src/engine/read-project.ts';
import { runAudit } from '../../src/engine/run-checks.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../../src/intel/matcher.ts';
import { isAffected } from '../../src/intel/ranges.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore } from '../../src/intel/store-api.ts';
import type { Finding } from '../../src/model/finding.ts';
import { auditIntelFiles } from '../helpers/intel-corpus.ts';
import { manifestLockRows } from '../helpers/manifest-table.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { type SyntheticPackage, syntheticLock } from '../helpers/synthetic-lock.ts';
import { tempDirectory } from '../helpers/temp.ts';

const NOW = new Date();
const NEGATIVE = /parse-fails\/|forward-compatible-lock/;

describe('audit with the full threat-intel corpus', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  let store: IntelStore;
  before(async () => {
    store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
    await importSources(
      store,
      auditIntelFiles().map((path) => ({ path })),
    );
  });
  after(() => store?.close());

  const auditLock = (path: string) => runAudit(readInventory(path), store, { failOn: 'high', now: NOW, offline: true });
  const auditPackages = async (packages: SyntheticPackage[]) => (await auditLock(syntheticLock(packages))).findings;
  const ids = (findings: Finding[]) => [...new Set(findings.map((f) => f.rule))].sort();

  it('audits every real lock without error, deterministically', async () => {
    const rows = manifestLockRows().filter((row) => !NEGATIVE.test(row.path));
    let findings = 0;
    for (const row of rows) {
      const first = await auditLock(corpus(row.path));
      assert.deepEqual((await auditLock(corpus(row.path))).findings, first.findings, row.path);
      findings += first.findings.length;
    }
    console.log(`audit: ${rows.length} real locks, ${findings} findings`);
    assert.ok(findings > 0);
  });

  it('explicit `versions` lists agree with range evaluation for every PyPI match', () => {
    const matcher = new AdvisoryMatcher(store);
    let checked = 0;
    const disagreements: string[] = [];
    // Documented: a conda build of a version PyPI never published (py-opencv 4.6.0 vs PyPI's
    // 4.6.0.66) is absent from PyPA's `versions` list, which enumerates PyPI releases only; the
    // range is the right answer for it. Anything else, or any disagreement for a PyPI package, fails.
    const condaVersionsNotOnPypi = new Set<string>();
    for (const row of manifestLockRows().filter((r) => !NEGATIVE.test(r.path))) {
      for (const pkg of readInventory(corpus(row.path)).packages) {
        for (const group of matcher.match(pkg).groups) {
          for (const { entry, advisory } of group.hits) {
            if (entry.ecosystem !== 'PyPI' || entry.versions.length === 0 || entry.ranges.length === 0) continue;
            checked++;
            const byList = Boolean(isAffected(group.target.version, { ...entry, ranges: [] }));
            const byRange = Boolean(isAffected(group.target.version, { ...entry, versions: [] }));
            if (byList === byRange) continue;
            const line = `${advisory.id} ${entry.name} ${group.target.version} (${pkg.ecosystem} ${pkg.name}): list ${byList}, ranges ${byRange}`;
            if (pkg.ecosystem === 'conda' && byRange && !byList) condaVersionsNotOnPypi.add(line);
            else disagreements.push(line);
          }
        }
      }
    }
    console.log(
      `versions-vs-ranges: ${checked} matches checked; ${condaVersionsNotOnPypi.size} documented (conda versions not on PyPI): ${[...condaVersionsNotOnPypi].join('; ')}`,
    );
    assert.deepEqual(disagreements, []);
  });

  it('litellm 1.82.7 and 1.82.8 are malicious (MAL-2026-2144); 1.82.6 is not', async () => {
    const findings = await auditPackages(
      ['1.82.6', '1.82.7', '1.82.8'].map((version) => ({ ecosystem: 'pypi', name: 'litellm', version })),
    );
    const malicious = findings.filter((f) => f.check === 'malicious');
    assert.deepEqual(
      malicious.map((f) => [f.subject?.version, f.rule]),
      [
        ['1.82.7', 'MAL-2026-2144'],
        ['1.82.8', 'MAL-2026-2144'],
      ],
    );
  });

  it("conda openssl 3.0.7 gets exactly the CVEs OpenSSL's own data gives; 3.0.8 is clear of CVE-2023-0286", async () => {
    const expected = opensslCvesFor('3.0.7');
    assert.ok(expected.includes('CVE-2023-0286'));
    const found = ids(
      (await auditPackages([{ ecosystem: 'conda', name: 'openssl', version: '3.0.7' }])).filter(
        (f) => f.evidence.source === 'openssl',
      ),
    );
    assert.deepEqual(found, expected);
    const later = ids(await auditPackages([{ ecosystem: 'conda', name: 'openssl', version: '3.0.8' }]));
    assert.ok(!later.includes('CVE-2023-0286'));
    assert.deepEqual(
      later.filter((id) => id.startsWith('CVE-')),
      opensslCvesFor('3.0.8'),
    );
  });

  it("conda libcurl versions get exactly the CVEs curl's own data gives", async () => {
    for (const version of ['7.88.1', '8.4.0', '8.10.1']) {
      const found = ids(
        (await auditPackages([{ ecosystem: 'conda', name: 'libcurl', version }])).filter(
          (f) => f.evidence.source === 'curl',
        ),
      );
      assert.deepEqual(found, curlCvesFor(version), `libcurl ${version}`);
    }
  });

  it('pillow affected by CVE-2023-4863 carries the KEV flag', async () => {
    const findings = await auditPackages([{ ecosystem: 'pypi', name: 'pillow', version: '10.0.0' }]);
    const webp = findings.find(
      (f) => f.rule === 'CVE-2023-4863' || (f.evidence.aliases as string[]).includes('CVE-2023-4863'),
    );
    assert.ok(webp, ids(findings).join(', '));
    assert.equal(webp.evidence.kev, true);
  });
});

/** Independent oracle: OpenSSL's CVE5 `versions[{version, lessThan}]` branches, compared numerically. */
function opensslCvesFor(version: string): string[] {
  const cves: string[] = [];
  for (const line of readFileSync(corpus('intel/clibs/openssl-secjson-cve5.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line);
    const branches: { version: string; lessThan?: string; lessThanOrEqual?: string; status: string }[] =
      record.containers.cna.affected.flatMap((affected: { versions: unknown[] }) => affected.versions);
    const hit = branches.some(
      (branch) =>
        branch.status === 'affected' &&
        compareDotted(version, branch.version) >= 0 &&
        (branch.lessThan !== undefined
          ? compareDotted(version, branch.lessThan) < 0
          : branch.lessThanOrEqual !== undefined && compareDotted(version, branch.lessThanOrEqual) <= 0),
    );
    if (hit) cves.push(record.cveMetadata.cveId);
  }
  return cves.sort();
}

/** Independent oracle: curl's table, first_vulnerable ≤ v ≤ last_vulnerable. */
function curlCvesFor(version: string): string[] {
  const cves: string[] = [];
  for (const line of readFileSync(corpus('intel/clibs/curl-vulns.derived.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line);
    if (compareDotted(version, row.first_vulnerable) >= 0 && compareDotted(version, row.last_vulnerable) <= 0)
      cves.push(row.cve);
  }
  return cves.sort();
}

/** Numeric comparison of X.Y.Z; a letter suffix (1.1.1t) is ignored, which is exact for the 3.x versions asked about. */
function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10));
  const pb = b.split('.').map((part) => Number.parseInt(part, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}
