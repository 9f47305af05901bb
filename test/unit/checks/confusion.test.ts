import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { openStore } from '../../../src/intel/store.ts';
import { condaChannelVisibility, pypiIndexVisibility } from '../../../src/sources/public.ts';
import { fixture } from '../../helpers/paths.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

async function confusion(privateNames: string[] = []) {
  const store = openStore(':memory:', { create: true });
  await importSources(store, [{ path: fixture('confusion/intel') }]);
  try {
    const settings = { ...defaultCheckSettings(), privateNames };
    const result = await runAudit(readInventory(fixture('confusion/pixi.lock')), store, {
      failOn: 'high',
      checks: ['confusion'],
      now: NOW,
      settings,
    });
    return result.findings.map((f) => [f.rule, f.subject?.name, f.severity]);
  } finally {
    store.close();
  }
}

describe('source visibility', () => {
  it('knows public conda channels by name and host', () => {
    assert.equal(condaChannelVisibility('conda-forge'), 'public');
    assert.equal(condaChannelVisibility('https://prefix.dev/conda-forge'), 'public');
    assert.equal(condaChannelVisibility('https://conda.anaconda.org/robostack-staging'), 'public');
    assert.equal(condaChannelVisibility('https://repo.anaconda.com/pkgs/main'), 'public');
    assert.equal(condaChannelVisibility('https://conda.example-corp.com/internal'), 'private');
    assert.equal(condaChannelVisibility('https://conda.anaconda.org/t/abc123/private-channel'), 'private');
    assert.equal(condaChannelVisibility('https://conda.anaconda.org/someone'), 'private');
    assert.equal(condaChannelVisibility('https://prefix.dev/conda-forge', ['https://prefix.dev/']), 'private');
  });

  it('knows PyPI and its public mirrors', () => {
    assert.equal(pypiIndexVisibility('https://pypi.org/simple'), 'public');
    assert.equal(pypiIndexVisibility('https://pypi.tuna.tsinghua.edu.cn/simple'), 'public');
    assert.equal(pypiIndexVisibility('https://oauth2accesstoken@europe-west4-python.pkg.dev/x/test/simple'), 'private');
  });
});

describe('confusion check', () => {
  it('flags public names resolved from private sources, not private-only names', async () => {
    assert.deepEqual(await confusion(), [
      ['confusion/public-name-on-private-source', 'numpy', 'medium'],
      ['confusion/public-name-on-private-source', 'requests', 'medium'],
    ]);
  });

  it('flags a name configured as private that came from a public source', async () => {
    const findings = await confusion(['corp_auth']);
    assert.deepEqual(findings[0], ['confusion/private-name-from-public', 'corp-auth', 'critical']);
  });
});
