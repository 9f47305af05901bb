/**
 * What a check declares it needs is honoured: no tree or no package contents → skipped with a
 * reason (not a silent pass); no network → the check runs offline; the HTTP client comes from the
 * engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckContext } from '../../../src/checks/check.ts';
import { CHECKS } from '../../../src/checks/registry.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { CvebuildError } from '../../../src/errors.ts';
import type { Download } from '../../../src/net/download.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { inventoryFromPackages } from '../../../src/readers/packages.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { condaPackage } from '../report/sbom-fixtures.ts';
import { fakeCheck } from './fake-checks.ts';

const inventory = inventoryFromPackages([condaPackage('numpy', '2.0.0')]);
const clock = () => new Date('2026-11-22T12:00:00Z');

describe('engine: capabilities', () => {
  it('the registry declares them: the code checks need the tree, link-scripts and the artifact checks package contents', () => {
    const needing = (key: 'tree' | 'archives' | 'network' | 'intel') =>
      CHECKS.filter((check) => check.requires[key]).map((check) => check.id);
    assert.deepEqual(needing('tree'), ['sast', 'secrets']);
    assert.deepEqual(needing('archives'), ['link-scripts', 'artifact-files', 'vendored-libs']);
    // typosquat looks the suspect project's history up on its index (issue 17)
    assert.deepEqual(needing('network'), ['typosquat', 'cooldown', 'attestation']);
  });

  it('without a root, a tree check is skipped with a reason and never runs', async () => {
    let runs = 0;
    const tree = fakeCheck(
      'tree',
      () => {
        runs++;
        return [];
      },
      { tree: true },
    );
    const engine = createEngine({ clock, http: null, checks: [tree] });
    const without = await engine.audit({ inventory });
    assert.deepEqual(
      without.checks.map(({ id, status, reason }) => ({ id, status, reason })),
      [{ id: 'tree', status: 'skipped', reason: 'no project tree to scan' }],
    );
    assert.equal(runs, 0);
    const withRoot = await engine.audit({ inventory, root: tempDirectory() });
    assert.equal(withRoot.checks[0]?.status, 'ok');
    assert.equal(runs, 1);
  });

  it('without package dirs or an installed prefix, an archive check is skipped; with either it runs', async () => {
    const contents = fakeCheck('contents', () => [], { archives: true });
    const engine = createEngine({ clock, http: null, checks: [contents] });
    const skipped = await engine.audit({ inventory });
    assert.equal(skipped.checks[0]?.status, 'skipped');
    assert.match(skipped.checks[0]?.reason ?? '', /no package-dirs archives and no installed prefix/);
    const policy = defaultPolicy();
    policy.settings.packageDirs = [tempDirectory()];
    assert.equal((await engine.audit({ inventory, policy })).checks[0]?.status, 'ok');
    const prefix = readInventory(fixture('conda-meta/analysis'));
    assert.equal((await engine.audit({ inventory: prefix })).checks[0]?.status, 'ok');
  });

  it('a skipped check enforces nothing: a requirement only it enforces is reported unenforced', async () => {
    const sources = { ...fakeCheck('gatekeeper', () => [], { tree: true }), enforces: ['trusted-sources' as const] };
    const policy = defaultPolicy();
    policy.settings.trustedChannels = ['conda-forge'];
    const engine = createEngine({ clock, http: null, checks: [sources] });
    const skipped = await engine.audit({ inventory, policy });
    assert.deepEqual(
      skipped.findings.map((finding) => finding.rule),
      ['policy/requirement-not-enforced'],
    );
    assert.equal((await engine.audit({ inventory, policy, root: tempDirectory() })).findings.length, 0);
  });

  it('network checks get the engine’s HTTP client, and run offline without one or when asked', async () => {
    const seen: { offline: boolean; http: CheckContext['http'] }[] = [];
    const lookup = fakeCheck(
      'lookup',
      (_inventory, context) => {
        seen.push({ offline: context.offline, http: context.http });
        return [];
      },
      { network: true },
    );
    const http: Download = async () => {
      throw new Error('not called in this test');
    };
    const online = await createEngine({ clock, http, checks: [lookup] }).audit({ inventory });
    assert.deepEqual(seen.pop(), { offline: false, http });
    assert.equal(online.checks[0]?.reason, undefined);
    const asked = await createEngine({ clock, http, checks: [lookup] }).audit({ inventory, offline: true });
    assert.equal(seen.pop()?.offline, true);
    assert.equal(asked.checks[0]?.reason, 'offline: no network lookups');
    await createEngine({ clock, http: null, checks: [lookup] }).audit({ inventory });
    assert.deepEqual(seen.pop(), { offline: true, http: undefined });
    // a check that says what it does without network gives that as the reason
    const fallback = fakeCheck('fallback', () => [], { network: true, offline: 'offline: judged from the lock alone' });
    const said = await createEngine({ clock, http: null, checks: [fallback] }).audit({ inventory });
    assert.equal(said.checks[0]?.reason, 'offline: judged from the lock alone');
  });

  it('the cooldown check asks the engine’s HTTP client for PyPI upload times', async () => {
    const asked: string[] = [];
    const http: Download = async (request) => {
      asked.push(request.url);
      throw new CvebuildError('NETWORK', `could not download ${request.url}: HTTP 503 after 1 attempt`);
    };
    const pypi = inventoryFromPackages([
      {
        ...condaPackage('requests', '2.32.3'),
        ecosystem: 'pypi',
        normalizedName: 'requests',
        kind: 'registry',
        index: 'https://pypi.example/simple',
        url: 'https://files.example/requests-2.32.3-py3-none-any.whl',
        location: 'https://files.example/requests-2.32.3-py3-none-any.whl',
        build: undefined,
        subdir: undefined,
        channel: undefined,
      },
    ]);
    const policy = defaultPolicy();
    policy.settings.cooldown = '7d';
    const engine = createEngine({ clock, http, cacheDir: tempDirectory() });
    const result = await engine.audit({ inventory: pypi, policy, checks: ['cooldown'] });
    assert.deepEqual(asked, ['https://pypi.example/simple/requests/']);
    assert.equal(result.checks[0]?.status, 'ok');
    assert.deepEqual(
      result.findings.map((finding) => [finding.rule, finding.evidence.reason]),
      [
        [
          'cooldown/not-checked',
          'network error: could not download https://pypi.example/simple/requests/: HTTP 503 after 1 attempt',
        ],
      ],
    );
  });
});
