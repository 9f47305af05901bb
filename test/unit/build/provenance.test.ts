/**
 * What the provenance records and claims, without building: the recipe directory's files, its
 * sources and a lock's packages as resolved dependencies (credentials never in them), and the SLSA
 * and S2C2F claims from the stage records: never above Build L1, S2C2F only as far as it held.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runClaims, s2c2fClaim, slsaClaim } from '../../../src/build/levels.ts';
import {
  packageDescriptors,
  publicCommand,
  recipeDescriptors,
  resolvedPackages,
  sourceDescriptors,
} from '../../../src/build/materials.ts';
import { recipeRequirements } from '../../../src/build/recipe.ts';
import { auditedDependencies } from '../../../src/build/stages/provenance.ts';
import type { StageFinding, StageRecord } from '../../../src/build/types.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const TOKEN_SEGMENT = '/t/tk-0123456789abcdef0123456789abcdef';
const CHANNEL = `https://conda.anaconda.org${TOKEN_SEGMENT}/private`;
const TOOL_URL = `${CHANNEL}/noarch/tool-1.0-pyh0_0.conda`;
const SIX_URL = 'https://files.example.com/packages/six-1.16.0-py2.py3-none-any.whl';
const SHA = (byte: string) => byte.repeat(64);

const RECIPE = `context:
  version: "1.0"

package:
  name: demo
  version: \${{ version }}

source:
  - url: https://example.com/demo-\${{ version }}.tar.gz
    sha256: ${SHA('e')}
  - git: https://github.com/example/demo.git
    rev: 0123456789abcdef0123456789abcdef01234567
  - path: ../shared-src

requirements:
  run:
    - tool
    - six ==1.16.0
`;

const LOCK = `version: 6
environments:
  default:
    channels:
    - url: ${CHANNEL}/
    indexes:
    - https://user:hunter2@pypi.example.com/simple
    packages:
      linux-64:
      - conda: ${TOOL_URL}
      - pypi: ${SIX_URL}
      osx-arm64:
      - conda: ${TOOL_URL}
      - pypi: ${SIX_URL}
packages:
- conda: ${TOOL_URL}
  sha256: ${SHA('a')}
  md5: ${'b'.repeat(32)}
  depends: []
- pypi: ${SIX_URL}
  name: six
  version: 1.16.0
  sha256: ${SHA('c')}
`;

function recipeDirectory(): string {
  const root = tempDirectory();
  const dir = join(root, 'demo');
  mkdirSync(join(dir, 'patches'), { recursive: true });
  mkdirSync(join(dir, 'runs', 'run-0'), { recursive: true });
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'pixi.lock'), LOCK);
  writeFileSync(join(dir, 'patches', 'fix.patch'), 'a patch\n');
  writeFileSync(join(dir, 'runs', 'run-0', 'provenance.intoto.json'), '{}\n');
  symlinkSync('patches/fix.patch', join(dir, 'latest.patch'));
  return dir;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('provenance materials', () => {
  it('names every recipe file with its sha256, a symlink by its target, and leaves the run directories out', () => {
    const dir = recipeDirectory();
    const files = recipeDescriptors({ recipeDir: dir, recipeExclude: [join(dir, 'runs')] });
    assert.deepEqual(files, [
      {
        name: 'latest.patch',
        uri: pathToFileURL(join(dir, 'latest.patch')).href,
        annotations: { symlinkTo: 'patches/fix.patch' },
      },
      {
        name: 'patches/fix.patch',
        uri: pathToFileURL(join(dir, 'patches/fix.patch')).href,
        digest: { sha256: sha256('a patch\n') },
      },
      { name: 'pixi.lock', uri: pathToFileURL(join(dir, 'pixi.lock')).href, digest: { sha256: sha256(LOCK) } },
      { name: 'recipe.yaml', uri: pathToFileURL(join(dir, 'recipe.yaml')).href, digest: { sha256: sha256(RECIPE) } },
    ]);
  });

  it("states the recipe's sources: a URL with its pinned sha256, git at its commit, a path outside the recipe", () => {
    const dir = recipeDirectory();
    const requirements = recipeRequirements(join(dir, 'recipe.yaml'), 'noarch').inventory;
    assert.deepEqual(sourceDescriptors({ recipeDir: dir, requirements }), [
      { uri: 'https://example.com/demo-1.0.tar.gz', digest: { sha256: SHA('e') }, annotations: { source: 'url' } },
      {
        uri: 'git+https://github.com/example/demo.git@0123456789abcdef0123456789abcdef01234567',
        digest: { gitCommit: '0123456789abcdef0123456789abcdef01234567' },
        annotations: { source: 'git' },
      },
      { uri: pathToFileURL(join(dir, '..', 'shared-src')).href, annotations: { source: 'path' } },
    ]);
  });

  it("lists a lock's archives once each, with sha256 and md5, for the platforms locked, and no credentials", () => {
    const dir = recipeDirectory();
    const lock = { file: join(dir, 'pixi.lock'), inventory: readInventory(join(dir, 'pixi.lock')) };
    const resolved = resolvedPackages({ lock });
    const descriptors = packageDescriptors(resolved.packages);
    assert.deepEqual(
      descriptors,
      [
        {
          name: 'tool-1.0-pyh0_0.conda',
          uri: 'https://conda.anaconda.org/private/noarch/tool-1.0-pyh0_0.conda',
          digest: { sha256: SHA('a'), md5: 'b'.repeat(32) },
          annotations: { ecosystem: 'conda', platforms: ['linux-64', 'osx-arm64'] },
        },
        {
          name: 'six-1.16.0-py2.py3-none-any.whl',
          uri: SIX_URL,
          digest: { sha256: SHA('c') },
          annotations: { ecosystem: 'pypi', platforms: ['linux-64', 'osx-arm64'] },
        },
      ].sort((a, b) => (a.uri < b.uri ? -1 : 1)),
    );
    assert.equal(resolved.from, lock.file);
    const published = JSON.stringify({ descriptors, channels: resolved.channels });
    assert.ok(!published.includes('tk-0123'), published);
    assert.ok(!published.includes('hunter2'), published);
    assert.ok(resolved.channels.includes('https://conda.anaconda.org/private'), resolved.channels.join(' '));
    assert.deepEqual(resolvedPackages({}), { packages: [], channels: [] });
  });

  it('masks a token typed into the build command', async () => {
    const token = new FakeSecrets(7).githubClassic();
    const shown = await publicCommand(`GITHUB_TOKEN=${token} sh build.sh https://me:pw@example.com/x`);
    assert.ok(!shown.command.includes(token), shown.command);
    assert.ok(!shown.command.includes(':pw@'), shown.command);
    assert.ok(shown.masked >= 2, String(shown.masked));
    assert.deepEqual(await publicCommand("sh 'cph-build.sh' demo 1.0"), {
      command: "sh 'cph-build.sh' demo 1.0",
      masked: 0,
    });
  });
});

function record(stage: StageRecord['stage'], outcome: StageRecord['outcome'], fields: Partial<StageRecord> = {}) {
  return { stage, outcome, findings: [], ms: 1, inputs: 'x', ...fields } satisfies StageRecord;
}

const notChecked = (check: string): StageFinding => ({
  check,
  rule: `${check}/not-checked`,
  severity: 'high',
  message: '2 package(s) not checked: the store holds no PyPI advisories',
  blocking: true,
});

describe('level claims', () => {
  it('claims SLSA Build L1 at most, signed or not, and says what L2 and L3 need', () => {
    for (const signed of ['keyed', 'keyless', false] as const) {
      const claim = slsaClaim({ signed, subjects: 2, packages: 3 });
      assert.equal(claim.level, 1);
      assert.equal(claim.label, 'Build L1');
      assert.deepEqual(
        claim.notMet.map((gap) => gap.level),
        ['Build L2', 'Build L3'],
      );
      assert.match(claim.notMet[0]?.why ?? '', /hosted build platform/);
    }
    assert.match(slsaClaim({ signed: false, subjects: 1, packages: 0 }).because, /unsigned.*L1 allows/);
    assert.match(slsaClaim({ signed: 'keyed', subjects: 1, packages: 0 }).because, /no resolved package/);
    const none = slsaClaim(undefined);
    assert.equal(none.level, 0);
    assert.equal(none.label, 'Build L0');
  });

  it('holds SCA-1 and ING-3 only where their stage ran on covering data over versioned dependencies', () => {
    const ran = [record('threat-intel', 'passed'), record('cve-audit', 'surfaced')];
    const held = s2c2fClaim(ran, { versioned: 3, unversioned: 0 });
    assert.equal(held.level, null);
    assert.deepEqual(
      held.requirements.map((r) => `${r.id} ${r.status}`),
      ['SCA-1 held', 'ING-3 held'],
    );
    const partial = s2c2fClaim(ran, { versioned: 2, unversioned: 1 });
    assert.deepEqual(
      partial.requirements.map((r) => r.status),
      ['partial', 'partial'],
    );
    assert.match(partial.requirements[0]?.evidence ?? '', /1 unpinned requirement/);
    const nothing = s2c2fClaim(ran, { versioned: 0, unversioned: 2 });
    assert.deepEqual(
      nothing.requirements.map((r) => r.status),
      ['not held', 'not held'],
    );
    const gaps = s2c2fClaim(
      [
        record('threat-intel', 'passed', { findings: [notChecked('malicious')] }),
        record('cve-audit', 'surfaced', { findings: [notChecked('vulnerability')] }),
      ],
      { versioned: 3, unversioned: 0 },
    );
    assert.deepEqual(
      gaps.requirements.map((r) => r.status),
      ['not held', 'not held'],
    );
    assert.match(gaps.requirements[0]?.evidence ?? '', /does not cover/);
    const off = s2c2fClaim(
      [
        record('threat-intel', 'skipped', { reason: 'disabled by the policy (malicious)' }),
        record('cve-audit', 'passed'),
      ],
      { versioned: 3, unversioned: 0 },
    );
    assert.deepEqual(
      off.requirements.map((r) => `${r.id} ${r.status}`),
      ['SCA-1 held', 'ING-3 not held'],
    );
    assert.match(off.requirements[1]?.evidence ?? '', /disabled by the policy/);
    // a resumed stage counts with the outcome its earlier run recorded
    const resumed = s2c2fClaim(
      [
        record('threat-intel', 'skipped', { recorded: 'passed' }),
        record('cve-audit', 'skipped', { recorded: 'passed' }),
      ],
      { versioned: 1, unversioned: 0 },
    );
    assert.deepEqual(
      resumed.requirements.map((r) => r.status),
      ['held', 'held'],
    );
  });

  it("counts a lock's release for an unpinned requirement of the same name", () => {
    const dir = recipeDirectory();
    const requirements = recipeRequirements(join(dir, 'recipe.yaml'), 'noarch').inventory;
    assert.deepEqual(auditedDependencies(requirements), { versioned: 1, unversioned: 1 });
    const lock = readInventory(join(dir, 'pixi.lock'));
    requirements.packages.push(...lock.packages);
    // conda six (the pin), PyPI six and conda tool (locked): three releases audited, none unversioned
    assert.deepEqual(auditedDependencies(requirements), { versioned: 3, unversioned: 0 });
  });

  it('reports Build L0 and no S2C2F requirement when the provenance stage did not run', () => {
    const claims = runClaims([
      record('secrets', 'halted'),
      record('provenance', 'skipped', { reason: 'halted at secrets' }),
    ]);
    assert.equal(claims.slsa.label, 'Build L0');
    assert.deepEqual(claims.s2c2f.requirements, []);
    assert.match(claims.s2c2f.note, /halted at secrets/);
  });
});
