/**
 * The share of distinct conda names in the 24 corpus pixi locks that map to any advisory source
 * (lock purl, name map, upstream product): printed, and held at least at today's figure, so a
 * change that drops mappings fails. Issue 13 aims for 60%.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COVERAGE_KINDS, shareOf } from '../../src/intel/mapping-coverage.ts';
import { comparatorFor } from '../../src/intel/schemes.ts';
import { ecosystemToolForConda, ecosystemTools, toolTarget } from '../../src/mapping/ecosystem-purl.ts';
import { percent } from '../../src/report/coverage-table.ts';
import { corpusMappingCoverage, corpusPixiLocks } from '../helpers/corpus-mapping.ts';
import { hasCorpus } from '../helpers/paths.ts';

/**
 * Measured with the product map of 132 upstreams (134 since, with zeromq and libyaml), the name-map fallback for `purls: []` and the
 * ecosystem-purl map of 22 Rust, Go and Node tools: 760 of 2,059 names (36.9%); 758 of the 1,321
 * names outside RoboStack's ros-humble- and ros-jazzy- packages (57.4%).
 */
const FLOOR = { mapped: 760, share: 0.369, nonRos: 0.573 };

const ROBOSTACK = /^ros-(humble|jazzy)-/;

describe('mapping share over the corpus pixi locks', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  it('maps at least today’s share of distinct conda names to an advisory source', async () => {
    const locks = corpusPixiLocks();
    assert.equal(locks.length, 24);
    const { summary, packages } = await corpusMappingCoverage(locks);
    const names = summary.condaNames;
    const perKind = COVERAGE_KINDS.map((kind) => `${kind} ${summary.condaNamesByKind[kind]}`).join(', ');
    console.log(`conda names mapped: ${names.mapped} of ${names.distinct} (${percent(shareOf(names))}); ${perKind}`);
    assert.ok(names.distinct > 2000, `${names.distinct} distinct conda names`);
    assert.ok(names.mapped >= FLOOR.mapped, `${names.mapped} mapped, floor ${FLOOR.mapped}`);
    assert.ok(shareOf(names) >= FLOOR.share, `share ${percent(shareOf(names))}`);
    const nonRos = new Map<string, boolean>();
    for (const row of packages) {
      const name = row.package.normalizedName;
      if (row.package.ecosystem !== 'conda' || ROBOSTACK.test(name)) continue;
      nonRos.set(name, nonRos.get(name) === true || row.reason === undefined);
    }
    const outside = { distinct: nonRos.size, mapped: [...nonRos.values()].filter(Boolean).length };
    console.log(`outside RoboStack: ${outside.mapped} of ${outside.distinct} (${percent(shareOf(outside))})`);
    assert.ok(shareOf(outside) >= FLOOR.nonRos, `non-RoboStack share ${percent(shareOf(outside))}`);
  });

  it('says why metapackages, data-only and build-only packages map to nothing, not a generic reason', async () => {
    const { packages } = await corpusMappingCoverage();
    const reasonOf = (name: string) =>
      new Set(packages.filter((row) => row.package.normalizedName === name).map((row) => row.reason));
    assert.deepEqual(reasonOf('_openmp_mutex'), new Set(['no upstream: metapackage']));
    assert.deepEqual(reasonOf('font-ttf-ubuntu'), new Set(['no upstream: data']));
    assert.deepEqual(reasonOf('gcc_impl_linux-64'), new Set(['build-only: compiler or build tool, not matched']));
    const classes = new Map<string, number>();
    for (const row of packages) {
      if (row.reason?.startsWith('no upstream') || row.reason?.startsWith('build-only'))
        classes.set(row.reason, (classes.get(row.reason) ?? 0) + 1);
    }
    console.log(`explained unmapped packages: ${[...classes].map(([reason, n]) => `${reason} ${n}`).join('; ')}`);
  });

  it('maps every tool of the ecosystem-purl map found in the locks through it, and only through it', async () => {
    const { packages, summary } = await corpusMappingCoverage();
    const tools = new Set(ecosystemTools().map((tool) => tool.conda));
    const rows = packages.filter((row) => row.package.ecosystem === 'conda' && tools.has(row.package.normalizedName));
    const found = new Set(rows.map((row) => row.package.normalizedName));
    console.log(`ecosystem-purl tools in the locks: ${found.size} of ${tools.size} (${[...found].sort().join(', ')})`);
    assert.ok(found.size >= 22, `${found.size} tools`);
    assert.equal(summary.condaNamesByKind['ecosystem-purl'], found.size);
    for (const row of rows) {
      assert.deepEqual(row.kinds, ['ecosystem-purl'], row.package.name);
      // every version in the locks reads in SemVer once in the tool's spelling (MinIO's timestamps too)
      const tool = ecosystemToolForConda(row.package.normalizedName);
      const target = tool && row.package.version ? toolTarget(tool, row.package.version) : undefined;
      assert.ok(target && comparatorFor('semver').parse(target.version), `${row.package.name} ${row.package.version}`);
    }
  });

  it('maps zizmor, which some locks say has purls: [], through the name-map fallback there', async () => {
    const { packages } = await corpusMappingCoverage();
    const zizmor = packages.filter((row) => row.package.ecosystem === 'conda' && row.package.name === 'zizmor');
    assert.ok(zizmor.some((row) => row.package.purlsKnown === true));
    for (const row of zizmor) {
      assert.deepEqual(row.kinds, [row.package.purlsKnown === true ? 'name-map-fallback' : 'name-map']);
    }
  });
});
