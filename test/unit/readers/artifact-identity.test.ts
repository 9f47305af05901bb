/**
 * What is installed is the artifact, so what is audited is the artifact: a record whose name,
 * version or build disagrees with its file name takes the file's identity, keeps its claim, and
 * the lock-integrity check reports it — for every reader that records artifact locations.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import type { Package } from '../../../src/model/package.ts';
import { artifactIdentity } from '../../../src/readers/artifact-identity.ts';
import { runCli } from '../../helpers/cli.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const identity = (
  ecosystem: Package['ecosystem'],
  name: string,
  location: string,
  kind: Package['kind'] = 'registry',
) => artifactIdentity({ ecosystem, name, location, kind });

describe('the identity an artifact file name states', () => {
  it('reads wheels, with and without a build tag', () => {
    assert.deepEqual(identity('pypi', 'litellm', 'https://files.example/litellm-1.82.7-py3-none-any.whl'), {
      name: 'litellm',
      version: '1.82.7',
      file: 'litellm-1.82.7-py3-none-any.whl',
    });
    assert.equal(
      identity('pypi', 'x', 'https://files.example/torch-2.5.1-1-cp312-cp312-linux_x86_64.whl')?.version,
      '2.5.1',
    );
    assert.equal(identity('pypi', 'x', 'https://files.example/not-a-wheel.whl'), undefined);
  });

  it('reads sdists whose names contain dashes, by the record’s name', () => {
    const dateutil = identity('pypi', 'python-dateutil', 'https://files.example/python-dateutil-2.8.2.tar.gz');
    assert.deepEqual(dateutil, { name: 'python-dateutil', version: '2.8.2', file: 'python-dateutil-2.8.2.tar.gz' });
    assert.equal(identity('pypi', 'zope.interface', 'https://f.example/zope_interface-6.0.zip')?.version, '6.0');
    assert.deepEqual(identity('pypi', 'requests', 'https://files.example/evil-1.0.tar.gz'), {
      name: 'evil',
      version: '1.0',
      file: 'evil-1.0.tar.gz',
    });
  });

  it('says nothing for direct-URL archives named freely, git, editable and source builds', () => {
    const github = 'https://github.com/IceCube-SPNO/dashi/archive/refs/tags/v2.0.0-alpha.0.tar.gz';
    assert.equal(identity('pypi', 'pydashi', github, 'url'), undefined);
    assert.equal(identity('pypi', 'requests', 'git+https://github.com/psf/requests.git@abc', 'git'), undefined);
    assert.equal(identity('pypi', 'mine', './src/mine-1.0.tar.gz', 'editable'), undefined);
    assert.equal(identity('conda', 'mine', './recipe', 'source-build'), undefined);
  });

  it('reads conda archives', () => {
    assert.deepEqual(
      identity('conda', 'openssl', 'https://conda.anaconda.org/conda-forge/linux-64/openssl-3.0.7-h0b41bf4_2.conda'),
      { name: 'openssl', version: '3.0.7', build: 'h0b41bf4_2', file: 'openssl-3.0.7-h0b41bf4_2.conda' },
    );
  });
});

const WHEEL = 'https://files.pythonhosted.org/packages/py3/l/litellm/litellm-1.82.7-py3-none-any.whl';
const OPENSSL = 'https://conda.anaconda.org/conda-forge/linux-64/openssl-3.0.7-h0b41bf4_2.conda';

function pixiLock(records: string): string {
  return writeTemp(
    'pixi.lock',
    `version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    indexes:\n    - https://pypi.org/simple\n    packages:\n      linux-64:\n      - conda: ${OPENSSL}\n      - pypi: ${WHEEL}\npackages:\n${records}`,
  );
}

const onlyClaimed = (packages: Package[]) =>
  packages
    .filter((pkg) => pkg.claimed)
    .map((pkg) => ({ audited: `${pkg.name} ${pkg.version} ${pkg.build ?? ''}`.trim(), claimed: pkg.claimed }));

describe('records that disagree with their artifacts, in every reader', () => {
  it('pixi.lock: a PyPI version, a PyPI name, a conda version and build', () => {
    const lock = pixiLock(
      `- conda: ${OPENSSL}\n  name: openssl\n  version: 3.0.8\n  build: h0b41bf4_0\n- pypi: ${WHEEL}\n  name: litellm-safe\n  version: 1.82.6\n`,
    );
    const inventory = readInventory(lock);
    assert.deepEqual(onlyClaimed(inventory.packages), [
      { audited: 'openssl 3.0.7 h0b41bf4_2', claimed: { name: 'openssl', version: '3.0.8', build: 'h0b41bf4_0' } },
      { audited: 'litellm 1.82.7', claimed: { name: 'litellm-safe', version: '1.82.6', build: undefined } },
    ]);
    assert.equal(inventory.warnings.length, 2);
    assert.match(
      inventory.warnings[1]?.message ?? '',
      /says litellm-safe 1\.82\.6 but its artifact is litellm-1\.82\.7-py3-none-any\.whl/,
    );
  });

  it('pixi.lock: records that agree, including equivalent PEP 440 spellings, are left alone', () => {
    const lock = pixiLock(`- conda: ${OPENSSL}\n- pypi: ${WHEEL}\n  name: LiteLLM\n  version: 1.82.7.0\n`);
    const inventory = readInventory(lock);
    assert.deepEqual(onlyClaimed(inventory.packages), []);
    assert.deepEqual(inventory.warnings, []);
  });

  it('conda-lock: conda and pip records', () => {
    const lock = writeTemp(
      'conda-lock.yml',
      `version: 1\nmetadata:\n  channels:\n  - url: conda-forge\n    used_env_vars: []\n  platforms:\n  - linux-64\npackage:\n- name: openssl\n  version: 3.0.9\n  manager: conda\n  platform: linux-64\n  dependencies: {}\n  url: ${OPENSSL}\n  hash:\n    md5: 68c34ec6149623be41a1933ab996a209\n  category: main\n  optional: false\n- name: litellm\n  version: 1.82.6\n  manager: pip\n  platform: linux-64\n  dependencies: {}\n  url: ${WHEEL}\n  hash:\n    sha256: 9e27441b2ab3b4e1b8cd5d8a1ac4b4a2b9b1d6a5e4f3c2b1a0f9e8d7c6b5a493\n  category: main\n  optional: false\n`,
    );
    assert.deepEqual(
      onlyClaimed(readInventory(lock).packages).map((item) => item.audited),
      ['openssl 3.0.7 h0b41bf4_2', 'litellm 1.82.7'],
    );
  });

  it('the lock-integrity check reports each as critical and blocking', async () => {
    const lock = pixiLock(`- conda: ${OPENSSL}\n- pypi: ${WHEEL}\n  name: litellm\n  version: 1.82.6\n`);
    const result = await runAudit(readInventory(lock), undefined, {
      now: new Date('2026-11-22T12:00:00Z'),
      offline: true,
      checks: ['lock-integrity'],
    });
    assert.deepEqual(
      result.findings.map((finding) => [finding.rule, finding.severity, finding.blocking, finding.subject?.version]),
      [['lock-integrity/artifact-mismatch', 'critical', true, '1.82.7']],
    );
    assert.match(
      result.findings[0]?.message ?? '',
      /says litellm 1\.82\.6, but it installs litellm-1\.82\.7-py3-none-any\.whl/,
    );
    assert.equal(result.verdict.outcome, 'fail');
  });

  it('the gate audits what the URL says: the litellm example edited to 1.82.6 still fails as malicious', () => {
    const example = join(projectRoot, 'examples/litellm-compromise');
    const dir = tempDirectory();
    copyFileSync(join(example, 'pixi.toml'), join(dir, 'pixi.toml'));
    const text = readFileSync(join(example, 'pixi.lock'), 'utf8');
    const edited = text.replace(
      /(litellm-1\.82\.7-py3-none-any\.whl\n {2}name: litellm\n {2}version: )1\.82\.7/,
      '$11.82.6',
    );
    assert.notEqual(edited, text);
    writeFileSync(join(dir, 'pixi.lock'), edited);
    const result = runCli(['gate', dir, '--db', join(example, 'intel'), '--format', 'json']);
    assert.equal(result.status, 1, result.stderr);
    const json = JSON.parse(result.stdout) as {
      findings: { check: string; id: string; package: { version: string } }[];
    };
    assert.deepEqual(
      json.findings.map((finding) => [finding.check, finding.id, finding.package.version]),
      [
        ['lock-integrity', 'lock-integrity/artifact-mismatch', '1.82.7'],
        ['malicious', 'MAL-2026-2144', '1.82.7'],
      ],
    );
  });
});
