import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { readLockText } from '../../../src/readers/lockfile.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';

const find = (inventory: ReturnType<typeof readInventory>, name: string, platform?: string) =>
  inventory.packages.filter((p) => p.name === name && (!platform || p.platform === platform));

describe('pixi.lock v7', () => {
  const inventory = readInventory(fixture('pixi-lock/v7-named-platforms.lock'));

  it('resolves renamed platforms to their subdir and merges them', () => {
    const openssl = find(inventory, 'openssl');
    assert.equal(openssl.length, 1, 'linux-64 and `cuda` (= linux-64) hold the same artifact once');
    assert.equal(openssl[0]?.platform, 'linux-64');
    assert.deepEqual(openssl[0]?.environments, ['default']);
    const platforms = inventory.environments.find((e) => e.name === 'default')?.platforms;
    assert.deepEqual(
      platforms?.map((p) => [p.name, p.subdir, p.virtualPackages.join(' ')]),
      [
        ['cuda', 'linux-64', '__cuda=12.9'],
        ['linux-64', 'linux-64', '__glibc=2.28'],
        ['win-64', 'win-64', ''],
      ],
    );
  });

  it('derives name, version, build, subdir and channel from the URL', () => {
    const [openssl] = find(inventory, 'openssl');
    assert.equal(openssl?.version, '3.5.1');
    assert.equal(openssl?.build, 'h7b32b05_0');
    assert.equal(openssl?.buildNumber, 0);
    assert.equal(openssl?.subdir, 'linux-64');
    assert.equal(openssl?.channel, 'https://prefix.dev/conda-forge');
    assert.equal(openssl?.kind, 'registry');
    assert.equal(openssl?.timestamp, 1751390253000);
    assert.deepEqual(openssl?.depends, ['__glibc >=2.17,<3.0.a0', 'ca-certificates']);
  });

  it('puts noarch records on every platform that installs them, with seconds normalised to ms', () => {
    const tzdata = find(inventory, 'tzdata');
    assert.deepEqual(
      tzdata.map((p) => [p.platform, p.environments.join(',')]),
      [
        ['linux-64', 'default,lint'],
        ['win-64', 'default'],
      ],
    );
    assert.equal(tzdata[0]?.noarch, 'generic');
    assert.equal(tzdata[0]?.subdir, 'noarch');
    assert.equal(tzdata[0]?.timestamp, 1742727099000);
  });

  it('reads conda_source records and marks their build packages build-only', () => {
    const [tool] = find(inventory, 'mytool');
    assert.equal(tool?.kind, 'source-build');
    assert.equal(tool?.version, '0.3.0');
    assert.equal(tool?.location, 'git+https://github.com/example/mytool@34d90eaf81fa042ace51ec27af28b1e487c79f32');
    const [cmake] = find(inventory, 'cmake');
    assert.equal(cmake?.buildOnly, true);
    assert.equal(cmake?.platform, 'win-64');
  });

  it('fills the PyPI index from the record or the environment', () => {
    assert.equal(find(inventory, 'requests')[0]?.index, 'https://pypi.org/simple');
    assert.equal(find(inventory, 'ruff')[0]?.index, 'https://mirror.example.org/simple');
    assert.equal(find(inventory, 'requests')[0]?.normalizedName, 'requests');
  });

  it('counts list entries by kind and records the line of each record', () => {
    assert.deepEqual(inventory.sources[0]?.records, { conda: 3, pypi: 2, condaSource: 1 });
    assert.equal(find(inventory, 'openssl')[0]?.origin.line, 38);
  });

  it('returns packages sorted and deterministic', () => {
    const again = readInventory(fixture('pixi-lock/v7-named-platforms.lock'));
    assert.deepEqual(again.packages, inventory.packages);
    const keys = inventory.packages.map((p) => `${p.ecosystem}/${p.normalizedName}`);
    assert.deepEqual(keys, [...keys].sort());
  });
});

describe('pixi.lock v6', () => {
  const inventory = readInventory(fixture('pixi-lock/v6-source-disambiguation.lock'));

  it('uses selector fields to pick among records sharing a location', () => {
    const mine = find(inventory, 'my-pkg');
    assert.deepEqual(
      mine.map((p) => [p.platform, p.build, p.kind]),
      [
        ['linux-64', 'hb0f4dca_0', 'source-build'],
        ['osx-arm64', 'h60d57d3_0', 'source-build'],
      ],
    );
  });

  it('keeps an explicit build_number over the derived one', () => {
    assert.equal(find(inventory, 'python')[0]?.buildNumber, 100);
  });

  it('classifies editable, path and git PyPI records', () => {
    assert.equal(find(inventory, 'my-project')[0]?.kind, 'editable');
    assert.equal(find(inventory, 'lib')[0]?.kind, 'git');
  });

  it('keeps the lock-level solver options and exclude-newer', () => {
    const env = inventory.environments[0];
    assert.equal(env?.options.strategy, 'lowest-version');
    assert.equal(env?.excludeNewer?.value, '2025-04-15T12:15:00+00:00');
  });
});

describe('pixi.lock v4 and v5', () => {
  it('merges the legacy duplicate records of one URL (v5)', () => {
    const inventory = readInventory(fixture('pixi-lock/v5-legacy-duplicates.lock'));
    const six = find(inventory, 'six');
    assert.equal(six.length, 1);
    assert.equal(six[0]?.noarch, 'python');
    assert.equal(inventory.sources[0]?.records.conda, 2, 'both list entries are counted');
    const click = find(inventory, 'Click')[0];
    assert.equal(click?.normalizedName, 'click');
    assert.equal(click?.index, 'https://pypi.org/simple');
  });

  it('reads editable path records (v4)', () => {
    const inventory = readInventory(fixture('pixi-lock/v4-editable.lock'));
    const foo = find(inventory, 'foo')[0];
    assert.equal(foo?.kind, 'editable');
    assert.equal(foo?.location, './foo');
    assert.equal(foo?.url, undefined);
  });
});

describe('conda-lock v1', () => {
  const inventory = readInventory(fixture('pixi-lock/conda-lock-v1.yml'));

  it('reads one entry per platform and the dependency map', () => {
    assert.deepEqual(
      find(inventory, 'zlib').map((p) => [p.platform, p.build, p.md5?.slice(0, 6)]),
      [
        ['linux-64', 'hd590300_5', '68c34e'],
        ['osx-arm64', 'h53f4e23_5', 'a08383'],
      ],
    );
    assert.deepEqual(find(inventory, 'zlib', 'linux-64')[0]?.depends, ['libzlib 1.2.13 hd590300_5']);
    assert.equal(inventory.sources[0]?.format, 'conda-lock');
  });

  it('does not take a git commit id for an artifact hash', () => {
    const requests = find(inventory, 'requests')[0];
    assert.equal(requests?.kind, 'git');
    assert.equal(requests?.sha256, undefined);
    assert.deepEqual(requests?.requiresDist, ['idna>=2.5,<4']);
  });
});

describe('lock files that must be refused', () => {
  const minimal = (body: string) => `version: 6\nenvironments: {}\npackages:\n${body}`;
  const cases: [string, string, Parameters<typeof assertCvebuildError>[1], ...string[]][] = [
    [
      'newer format',
      'version: 8\nenvironments: {}\npackages: []\n',
      'LOCK_UNSUPPORTED_VERSION',
      'version 8',
      'upgrade',
    ],
    ['missing version', 'environments: {}\npackages: []\n', 'LOCK_INVALID', 'missing `version`'],
    ['version as text', 'version: six\nenvironments: {}\npackages: []\n', 'LOCK_INVALID', 'positive integer'],
    ['not a mapping', '- a\n- b\n', 'LOCK_INVALID', 'found a list'],
    ['record without location', minimal('- name: x\n  version: "1"\n'), 'LOCK_INVALID', 'packages[0]', ':4:'],
    [
      'bad sha256',
      minimal('- conda: https://x.org/c/linux-64/a-1-0.conda\n  sha256: abc\n'),
      'LOCK_INVALID',
      'packages[0].sha256',
    ],
    [
      'depends not a list',
      minimal('- conda: https://x.org/c/linux-64/a-1-0.conda\n  depends: numpy\n'),
      'LOCK_INVALID',
      'depends',
    ],
    [
      'size as text',
      minimal('- conda: https://x.org/c/linux-64/a-1-0.conda\n  size: big\n'),
      'LOCK_INVALID',
      'size',
      'integer',
    ],
    [
      'unknown selector target',
      'version: 6\nenvironments:\n  default:\n    channels: []\n    packages:\n      linux-64:\n      - conda: https://x.org/c/linux-64/a-1-0.conda\npackages: []\n',
      'LOCK_INVALID',
      'environments.default.packages.linux-64[0]',
      'not in `packages`',
    ],
    [
      'unknown platform key',
      'version: 6\nenvironments:\n  default:\n    channels: []\n    packages:\n      linux-65: []\npackages: []\n',
      'LOCK_INVALID',
      'not a conda platform',
    ],
    [
      'aliases',
      'version: 6\nenvironments: &e {}\npackages: []\nother: *e\n',
      'YAML_ALIAS_BOMB',
      'aliases are not allowed',
    ],
    ['truncated', 'version: 6\nenvironments:\n  default:\n    channels: [\n', 'YAML_SYNTAX', 'YAML syntax error'],
  ];
  for (const [title, text, code, ...fragments] of cases) {
    it(title, () => {
      assertCvebuildError(() => readLockText(text, 'pixi.lock'), code, 'pixi.lock', ...fragments);
    });
  }

  it('v7: a platform not declared in `platforms`', () => {
    const text =
      'version: 7\nplatforms:\n- name: linux-64\nenvironments:\n  default:\n    channels: []\n    packages:\n      p9: []\npackages: []\n';
    assertCvebuildError(() => readLockText(text, 'pixi.lock'), 'LOCK_INVALID', 'p9', 'not declared');
  });

  it('v7: a platform with an invalid subdir', () => {
    const text = 'version: 7\nplatforms:\n- name: x\n  subdir: linux-XX\nenvironments: {}\npackages: []\n';
    assertCvebuildError(() => readLockText(text, 'pixi.lock'), 'LOCK_INVALID', 'platforms[0].subdir', 'linux-XX');
  });

  it('v7: duplicate platform names', () => {
    const text =
      'version: 7\nplatforms:\n- name: a\n  subdir: linux-64\n- name: a\n  subdir: win-64\nenvironments: {}\npackages: []\n';
    assertCvebuildError(() => readLockText(text, 'pixi.lock'), 'LOCK_INVALID', 'duplicate platform name');
  });
});
