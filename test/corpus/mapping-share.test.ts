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

/** Measured with the product map of 67 upstreams and the name-map fallback for `purls: []`: 640 of 2,059 names. */
const FLOOR = { mapped: 640, share: 0.31 };

describe('mapping share over the corpus pixi locks', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  it('maps at least today’s share of distinct conda names to an advisory source', async () => {
    const locks = corpusPixiLocks();
    assert.equal(locks.length, 24);
    const { summary } = await corpusMappingCoverage(locks);
    const names = summary.condaNames;
    const perKind = COVERAGE_KINDS.map((kind) => `${kind} ${summary.condaNamesByKind[kind]}`).join(', ');
    console.log(`conda names mapped: ${names.mapped} of ${names.distinct} (${percent(shareOf(names))}); ${perKind}`);
    assert.ok(names.distinct > 2000, `${names.distinct} distinct conda names`);
    assert.ok(names.mapped >= FLOOR.mapped, `${names.mapped} mapped, floor ${FLOOR.mapped}`);
    assert.ok(shareOf(names) >= FLOOR.share, `share ${percent(shareOf(names))}`);
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
