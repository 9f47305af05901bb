/**
 * Report fuzzing on real locks: packages read from the corpus locks (conda and PyPI records as pixi
 * and conda-lock write them), with seeded hostile text — escapes, bidi, markup, mentions,
 * autolinks, forged lines, URLs with credentials — planted in every field of the lock records
 * (names, versions, builds, channels, index URLs, URLs, file names) and of the advisories found on
 * them (id, aliases, summary, references, remedies, waivers), rendered in every format. Each case:
 * no raw control reaches any output; HTML has no element, attribute or script the clean page
 * lacks; Markdown has no live link, raw HTML, autolink or @mention; SARIF validates against the
 * OASIS schema with safe `helpUri`s and no embedded links; CycloneDX validates against its schema
 * and SPDX against the spec's rules; no planted credential appears anywhere.
 * Cases are seeded (a failure names its seed); CVEBUILD_REPORT_FUZZ_CASES sets how many run.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Package } from '../../src/model/package.ts';
import { readLockText } from '../../src/readers/lockfile.ts';
import { cleanShape, HostileText, hostileScenario, outputProblems, renderAll } from '../helpers/hostile-report.ts';
import { manifestLockRows } from '../helpers/manifest-table.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { pick, seededRandom } from '../helpers/random.ts';
import { cycloneDxErrors, sarifErrors, spdxErrors } from '../helpers/schemas.ts';

const CASES = Number(process.env.CVEBUILD_REPORT_FUZZ_CASES ?? 200);
const MAX_SEED_FILE_BYTES = 400_000;
/** Packages per case: enough for every kind of record, few enough to validate each document. */
const PACKAGES_PER_CASE = 8;

/** The packages of each small corpus lock that has at least three. */
function corpusPackages(): { path: string; packages: Package[] }[] {
  return manifestLockRows()
    .map((row) => row.path)
    .filter((path) => statSync(corpus(path)).size <= MAX_SEED_FILE_BYTES)
    .map((path) => {
      let packages: Package[] = [];
      try {
        const output = readLockText(readFileSync(corpus(path), 'utf8'), corpus(path));
        packages = output.environments.flatMap((env) => env.platforms.flatMap((platform) => platform.packages));
      } catch {
        // Locks the readers refuse (a newer format version) have no records to plant into.
      }
      return { path, packages: [...new Set(packages)] };
    })
    .filter((lock) => lock.packages.length >= 3);
}

describe('fuzzing the reports with hostile text in real lock records', {
  skip: !hasCorpus && 'needs ../shared/corpus',
}, () => {
  it(`${CASES} seeded cases: every output inert and valid, no credential shown`, async () => {
    const locks = corpusPackages();
    assert.ok(locks.length >= 20, `enough seed locks (${locks.length})`);
    const clean = cleanShape((await renderAll(hostileScenario((value) => value))).html);
    const kinds = new Set<string>();
    for (let seed = 1; seed <= CASES; seed++) {
      const random = seededRandom(seed);
      const lock = pick(random, locks);
      const chosen = Array.from({ length: PACKAGES_PER_CASE }, () => pick(random, lock.packages));
      const packages = [...new Set(chosen)].map((pkg) => ({ ...pkg, environments: ['default'] }));
      if (packages.length < 3) continue;
      for (const pkg of packages) kinds.add(`${pkg.ecosystem}/${pkg.kind}`);
      const hostile = new HostileText(random);
      const outputs = await renderAll(hostileScenario((value) => hostile.text(value), packages));
      const problems = [
        ...outputProblems(outputs, hostile.secrets, clean),
        ...sarifErrors(JSON.parse(outputs.sarif)).map((error) => `sarif schema: ${error}`),
        ...(await cycloneDxErrors(outputs.cyclonedx)).map((error) => `cyclonedx schema: ${error}`),
        ...spdxErrors(JSON.parse(outputs.spdx)).map((error) => `spdx: ${error}`),
      ];
      assert.deepEqual(problems, [], `seed ${seed} (${lock.path})`);
    }
    console.log(
      `report fuzz: ${CASES} cases over ${locks.length} real locks; record kinds ${[...kinds].sort().join(', ')}`,
    );
    assert.ok(kinds.has('conda/registry') && kinds.has('pypi/registry'), 'conda and PyPI records were planted');
  });
});
