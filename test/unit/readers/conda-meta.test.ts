// conda-meta reader: the PrefixRecords of an installed environment; one self-made prefix per failure mode.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { condaMetaReader } from '../../../src/readers/conda-meta.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';

const prefix = (name: string) => fixture(`conda-meta/${name}`);
const record = (name: string, file: string) => join(prefix(name), 'conda-meta', file);

describe('conda-meta reader: an environment conda created', () => {
  const path = prefix('analysis');
  const output = condaMetaReader.read(path);
  const environment = output.environments[0];
  const packages = environment?.platforms[0]?.packages ?? [];
  const byName = (name: string) => packages.find((pkg) => pkg.name === name);

  it('is one environment named after the prefix, on the platform of its binary packages', () => {
    assert.equal(environment?.name, 'analysis');
    assert.deepEqual(
      environment?.platforms.map((platform) => [platform.name, platform.subdir]),
      [['linux-64', 'linux-64']],
    );
    assert.deepEqual(environment?.channels, ['https://conda.anaconda.org/conda-forge']);
    assert.deepEqual(output.source, {
      path,
      format: 'conda-meta',
      records: { conda: 5, pypi: 0, condaSource: 0 },
    });
  });

  it('reads every *.json record and ignores history', () => {
    assert.deepEqual(
      packages.map((pkg) => pkg.name),
      ['numpy', 'openssl', 'pip', 'python', 'tzdata'],
    );
  });

  it('keeps the record fields', () => {
    const numpy = byName('numpy');
    assert.equal(numpy?.version, '2.1.3');
    assert.equal(numpy?.build, 'py312h58c1407_0');
    assert.equal(numpy?.buildNumber, 0);
    assert.equal(numpy?.subdir, 'linux-64');
    assert.equal(numpy?.platform, 'linux-64');
    assert.equal(numpy?.channel, 'https://conda.anaconda.org/conda-forge');
    assert.equal(numpy?.url, 'https://conda.anaconda.org/conda-forge/linux-64/numpy-2.1.3-py312h58c1407_0.conda');
    assert.equal(numpy?.location, numpy?.url);
    assert.match(numpy?.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.match(numpy?.md5 ?? '', /^[0-9a-f]{32}$/);
    assert.equal(numpy?.size, 8388204);
    assert.equal(numpy?.license, 'BSD-3-Clause');
    assert.ok(numpy?.depends.includes('python_abi 3.12.* *_cp312'));
    assert.equal(numpy?.kind, 'registry');
    assert.deepEqual(numpy?.environments, ['analysis']);
    assert.deepEqual(numpy?.origin, { file: record('analysis', 'numpy-2.1.3-py312h58c1407_0.json') });
  });

  it('reads timestamps in ms, and in seconds as older builds wrote them', () => {
    assert.equal(byName('numpy')?.timestamp, 1730588046000);
    assert.equal(byName('openssl')?.timestamp, 1729778839000);
  });

  it('keeps the noarch kind; noarch packages still sit on the environment platform', () => {
    assert.equal(byName('pip')?.noarch, 'python');
    assert.equal(byName('tzdata')?.noarch, 'generic');
    assert.equal(byName('tzdata')?.subdir, 'noarch');
    assert.equal(byName('tzdata')?.platform, 'linux-64');
    assert.equal(byName('numpy')?.noarch, undefined);
  });

  it('accepts the conda-meta directory itself', () => {
    const fromMeta = condaMetaReader.read(join(path, 'conda-meta'));
    assert.equal(fromMeta.environments[0]?.name, 'analysis');
    assert.equal(fromMeta.source.records.conda, 5);
  });
});

describe('conda-meta reader: edge cases', () => {
  it('uses platform noarch when every record is noarch', () => {
    const output = condaMetaReader.read(prefix('noarch-only'));
    assert.equal(output.environments[0]?.platforms[0]?.name, 'noarch');
  });

  it('reads an environment without packages, with a warning', () => {
    const output = condaMetaReader.read(prefix('empty'));
    assert.deepEqual(output.environments[0]?.platforms[0]?.packages, []);
    assert.deepEqual(
      output.warnings.map((warning) => warning.message),
      ['conda-meta holds no package records'],
    );
  });
});

describe('conda-meta reader: failures', () => {
  const openssl = 'openssl-3.4.0-hb9d3cd8_0.json';
  it('bad JSON → JSON_SYNTAX naming the record and the line', () => {
    const file = record('bad-json', openssl);
    const error = assertCvebuildError(
      () => condaMetaReader.read(prefix('bad-json')),
      'JSON_SYNTAX',
      file,
      'JSON syntax error',
    );
    assert.equal(error.location.line, 4);
  });

  const invalid: [string, string][] = [
    ['missing-name', 'name: required field is missing'],
    ['missing-version', 'version: required field is missing'],
    ['wrong-type-depends', 'depends: expected a list'],
    ['bad-sha256', 'sha256: not a sha256 hex digest'],
    ['not-an-object', 'expected a mapping, found a list'],
  ];
  for (const [name, includes] of invalid) {
    it(`${name} → PREFIX_INVALID naming the key`, () => {
      assertCvebuildError(() => condaMetaReader.read(prefix(name)), 'PREFIX_INVALID', record(name, openssl), includes);
    });
  }

  it('a directory without conda-meta → PREFIX_INVALID', () => {
    const path = prefix('not-a-prefix');
    assertCvebuildError(() => condaMetaReader.read(path), 'PREFIX_INVALID', path, 'no conda-meta');
  });

  it('a file instead of a directory → PREFIX_INVALID', () => {
    const path = join(prefix('not-a-prefix'), 'README.md');
    assertCvebuildError(() => condaMetaReader.read(path), 'PREFIX_INVALID', path, 'not a directory');
  });

  it('a missing prefix → INPUT_NOT_FOUND', () => {
    const path = prefix('no-such-env');
    assertCvebuildError(() => condaMetaReader.read(path), 'INPUT_NOT_FOUND', path);
  });
});
