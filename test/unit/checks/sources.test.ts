import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckSettings } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { sourcesCheck } from '../../../src/checks/sources.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import type { Inventory } from '../../../src/model/inventory.ts';
import type { Package } from '../../../src/model/package.ts';
import { fixture } from '../../helpers/paths.ts';

const inventory = readInventory(fixture('audit/project/pixi.lock'));

async function run(settings: Partial<CheckSettings>, target: Inventory = inventory) {
  return sourcesCheck.run(target, {
    now: new Date('2026-11-22T00:00:00Z'),
    offline: true,
    cacheDir: '/nonexistent',
    settings: { ...defaultCheckSettings(), ...settings },
  });
}

describe('sources check', () => {
  it('is silent when the policy trusts no list of sources', async () => {
    assert.deepEqual(await run({}), []);
  });

  it('accepts channels by name or URL and indexes by URL, ignoring trailing slashes and case', async () => {
    assert.deepEqual(await run({ trustedChannels: ['conda-forge'], trustedIndexes: ['https://PYPI.org/simple/'] }), []);
    assert.deepEqual(await run({ trustedChannels: ['https://conda.anaconda.org/conda-forge/'] }), []);
  });

  it('flags every conda package from a channel the policy does not trust', async () => {
    const findings = await run({ trustedChannels: ['bioconda', 'https://prefix.dev/conda-forge'] });
    const conda = inventory.packages.filter((pkg) => pkg.ecosystem === 'conda');
    assert.equal(findings.length, conda.length);
    assert.ok(findings.every((finding) => finding.rule === 'sources/untrusted-channel' && finding.severity === 'high'));
    assert.match(findings[0]?.message ?? '', /comes from the channel https:\/\/conda\.anaconda\.org\/conda-forge/);
    assert.ok(findings[0]?.location?.line);
  });

  it('flags PyPI packages from an untrusted index, and direct references', async () => {
    const pypi = inventory.packages.filter((pkg) => pkg.ecosystem === 'pypi');
    const untrusted = await run({ trustedIndexes: ['https://pypi.internal.example/simple'] });
    assert.equal(untrusted.length, pypi.length);
    assert.ok(untrusted.every((finding) => finding.rule === 'sources/untrusted-index'));
    const first = pypi[0] as Package;
    const direct: Package = {
      ...first,
      kind: 'url',
      location: 'https://user:pw-q7Zx9v@files.example/pkg-1.0-py3-none-any.whl',
    };
    const findings = await run({ trustedIndexes: ['https://pypi.org/simple'] }, { ...inventory, packages: [direct] });
    assert.equal(findings[0]?.rule, 'sources/direct-reference');
    // The password itself: the word `secret` can be in the checkout's path, which findings name.
    assert.ok(!JSON.stringify(findings).includes('pw-q7Zx9v'), 'credentials must not leak into findings');
  });
});
