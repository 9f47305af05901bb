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
 * Measured with the product map of 67 upstreams, the name-map fallback for `purls: []` and the
 * ecosystem-purl map of 22 Rust, Go and Node tools: 662 of 2,059 names (640 before the tools).
 */
const FLOOR = { mapped: 662, share: 0.32 };

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
