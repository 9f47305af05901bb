/**
 * The share of distinct conda names in the 24 corpus pixi locks that map to any advisory source
 * (lock purl, name map, upstream product): printed, and held at least at today's figure, so a
 * change that drops mappings fails. Issue 13 aims for 60%.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COVERAGE_KINDS, shareOf } from '../../src/intel/mapping-coverage.ts';
import { percent } from '../../src/report/coverage-table.ts';
import { corpusMappingCoverage, corpusPixiLocks } from '../helpers/corpus-mapping.ts';
import { hasCorpus } from '../helpers/paths.ts';

/**
 * Measured with the product map of 132 upstreams and the name-map fallback for `purls: []`: 738 of
 * 2,059 names (35.8%); 736 of 1,321 names outside RoboStack's ros-humble- and ros-jazzy- packages (55.7%).
 */
const FLOOR = { mapped: 738, share: 0.358, nonRos: 0.557 };

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

  it('maps zizmor, which some locks say has purls: [], through the name-map fallback there', async () => {
    const { packages } = await corpusMappingCoverage();
    const zizmor = packages.filter((row) => row.package.ecosystem === 'conda' && row.package.name === 'zizmor');
    assert.ok(zizmor.some((row) => row.package.purlsKnown === true));
    for (const row of zizmor) {
      assert.deepEqual(row.kinds, [row.package.purlsKnown === true ? 'name-map-fallback' : 'name-map']);
    }
  });
});
