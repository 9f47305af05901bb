// @EXPLICIT list reader: packages from archive URLs, hashes from fragments, platform from the header; one fixture per failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Package } from '../../../src/model/package.ts';
import { explicitReader } from '../../../src/readers/explicit.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture as anyFixture } from '../../helpers/paths.ts';

const fixture = (name: string) => anyFixture(`explicit/${name}`);

function packagesOf(file: string): Package[] {
  return explicitReader.read(file).environments[0]?.platforms[0]?.packages ?? [];
}

describe('explicit reader: a conda list --explicit file', () => {
  const file = fixture('linux-64.txt');
  const output = explicitReader.read(file);
  const environment = output.environments[0];
  const packages = environment?.platforms[0]?.packages ?? [];

  it('is one environment named default, on the header platform', () => {
    assert.equal(output.environments.length, 1);
    assert.equal(environment?.name, 'default');
    assert.deepEqual(
      environment?.platforms.map((platform) => [platform.name, platform.subdir]),
      [['linux-64', 'linux-64']],
    );
    assert.deepEqual(environment?.channels, [
      'https://conda.anaconda.org/conda-forge',
      'https://repo.prefix.dev/internal',
    ]);
  });

  it('counts the package lines', () => {
    assert.equal(output.source.format, 'explicit');
    assert.deepEqual(output.source.records, { conda: 4, pypi: 0, condaSource: 0 });
    assert.equal(packages.length, 4);
  });

  it('takes name, version, build, channel and subdir from the URL, the md5 from the fragment', () => {
    assert.deepEqual(packages[0], {
      ecosystem: 'conda',
      name: '_libgcc_mutex',
      normalizedName: '_libgcc_mutex',
      version: '0.1',
      build: 'conda_forge',
      platform: 'linux-64',
      subdir: 'linux-64',
      channel: 'https://conda.anaconda.org/conda-forge',
      url: 'https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2',
      location: 'https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2',
      md5: 'd7c89558ba9fa0495403155b64376d81',
      depends: [],
      requiresDist: [],
      purls: [],
      kind: 'registry',
      environments: ['default'],
      origin: { file, line: 5 },
    });
  });

  it('reads #sha256:<hex>, no hash, and upper-case md5', () => {
    const [, tzdata, openssl, mytool] = packages;
    assert.equal(tzdata?.sha256, '8ac3c2b1e2f8e5d3b7bfaa6d09c9c2c3a1e04ab04e2b0bd54fb5b9e2ff2dc8ab');
    assert.equal(tzdata?.subdir, 'noarch');
    assert.equal(tzdata?.platform, 'linux-64');
    assert.equal(openssl?.md5, undefined);
    assert.equal(openssl?.sha256, undefined);
    assert.equal(openssl?.origin.line, 8, 'blank lines count');
    assert.equal(mytool?.md5, '0123456789abcdef0123456789abcdef');
    assert.equal(mytool?.buildNumber, 3);
  });
});

describe('explicit reader: platform without a header', () => {
  it('uses the subdir of the first architecture-specific package', () => {
    const packages = packagesOf(fixture('no-platform-header.txt'));
    assert.deepEqual(
      packages.map((pkg) => [pkg.name, pkg.platform]),
      [
        ['tzdata', 'osx-arm64'],
        ['openssl', 'osx-arm64'],
      ],
    );
  });

  it('falls back to noarch when every package is noarch', () => {
    assert.equal(packagesOf(fixture('only-noarch.txt'))[0]?.platform, 'noarch');
  });

  it('reads a list with the marker and no packages as an empty platform', () => {
    const output = explicitReader.read(fixture('marker-only.txt'));
    assert.equal(output.environments[0]?.platforms[0]?.name, 'win-64');
    assert.deepEqual(output.environments[0]?.platforms[0]?.packages, []);
  });
});

describe('explicit reader: failures', () => {
  const cases: [string, number | undefined, string][] = [
    ['no-marker.txt', undefined, 'no "@EXPLICIT" line'],
    ['not-a-url.txt', 4, 'expected a package URL'],
    ['not-a-conda-archive.txt', 2, 'not a conda package URL'],
    ['bad-hash.txt', 2, 'not an md5 or sha256'],
  ];
  for (const [name, line, includes] of cases) {
    it(`${name} → ENV_FILE_INVALID`, () => {
      const file = fixture(name);
      const error = assertCvebuildError(() => explicitReader.read(file), 'ENV_FILE_INVALID', file, includes);
      assert.equal(error.location.line, line);
    });
  }

  it('a missing file → INPUT_NOT_FOUND', () => {
    const file = fixture('missing.txt');
    assertCvebuildError(() => explicitReader.read(file), 'INPUT_NOT_FOUND', file);
  });
});
