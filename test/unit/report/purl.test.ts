import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PackageURL } from 'packageurl-js';
import type { Package } from '../../../src/model/package.ts';
import { packageUrl as maybePackageUrl } from '../../../src/report/purl.ts';
import { withoutCredentials } from '../../../src/text/credentials.ts';
import { condaPackage, pypiPackage } from './sbom-fixtures.ts';

/** The purl of a package that has one. */
function packageUrl(pkg: Package): string {
  return maybePackageUrl(pkg) ?? assert.fail(`no purl for ${pkg.name}`);
}

describe('packageUrl', () => {
  it('writes conda packages with build, channel name, subdir and archive type', () => {
    const python = condaPackage('python', '3.11.9', { build: 'hb806964_0_cpython' });
    assert.equal(
      packageUrl(python),
      'pkg:conda/python@3.11.9?build=hb806964_0_cpython&channel=conda-forge&subdir=linux-64&type=conda',
    );
    const bz2 = condaPackage('xz', '5.2.6', {
      build: 'h166bdaf_0',
      url: 'https://conda.anaconda.org/conda-forge/linux-64/xz-5.2.6-h166bdaf_0.tar.bz2',
    });
    assert.match(packageUrl(bz2), /&type=tar\.bz2$/);
    const noarch = condaPackage('tzdata', '2024a', { subdir: 'noarch', build: 'h8827d51_1' });
    assert.equal(
      packageUrl(noarch),
      'pkg:conda/tzdata@2024a?build=h8827d51_1&channel=conda-forge&subdir=noarch&type=conda',
    );
  });

  it('names Anaconda channels by name and other hosts with repository_url', () => {
    const main = condaPackage('numpy', '1.26.4', { channel: 'https://repo.anaconda.com/pkgs/main' });
    assert.equal(PackageURL.fromString(packageUrl(main)).qualifiers?.channel, 'main');
    assert.equal(PackageURL.fromString(packageUrl(main)).qualifiers?.repository_url, undefined);

    const prefix = condaPackage('numpy', '1.26.4', { channel: 'https://prefix.dev/conda-forge' });
    const qualifiers = PackageURL.fromString(packageUrl(prefix)).qualifiers;
    assert.equal(qualifiers?.channel, 'conda-forge');
    assert.equal(qualifiers?.repository_url, 'https://prefix.dev');

    const nested = condaPackage('tool', '1.0', { channel: 'https://artifacts.example.com/api/conda/internal' });
    const nestedQualifiers = PackageURL.fromString(packageUrl(nested)).qualifiers;
    assert.equal(nestedQualifiers?.channel, 'internal');
    assert.equal(nestedQualifiers?.repository_url, 'https://artifacts.example.com/api/conda');

    const named = condaPackage('numpy', '1.26.4', { channel: 'bioconda' });
    assert.equal(PackageURL.fromString(packageUrl(named)).qualifiers?.channel, 'bioconda');
  });

  it('never carries credentials', () => {
    const token = condaPackage('secret', '1.0', { channel: 'https://conda.anaconda.org/t/tk-123-abc/private' });
    assert.equal(PackageURL.fromString(packageUrl(token)).qualifiers?.channel, 'private');
    assert.doesNotMatch(packageUrl(token), /tk-123-abc/);
    const basic = condaPackage('secret', '1.0', { channel: 'https://user:hunter2@conda.example.com/internal' });
    assert.doesNotMatch(packageUrl(basic), /hunter2|user/);
    const index = pypiPackage('private-lib', '2.0', { index: 'https://__token__:pypi-AgEI@pypi.example.com/simple' });
    assert.equal(
      PackageURL.fromString(packageUrl(index)).qualifiers?.repository_url,
      'https://pypi.example.com/simple',
    );
    assert.equal(
      withoutCredentials('git+https://oauth2:glpat-x@gitlab.com/a/b.git@v1'),
      'git+https://gitlab.com/a/b.git@v1',
    );
  });

  it('writes PyPI packages by normalized name, with repository_url only off pypi.org', () => {
    assert.equal(packageUrl(pypiPackage('requests', '2.32.3')), 'pkg:pypi/requests@2.32.3');
    assert.equal(packageUrl(pypiPackage('Django_REST', '1.0')), 'pkg:pypi/django-rest@1.0');
    const custom = pypiPackage('torch', '2.4.0', { index: 'https://download.pytorch.org/whl/cu121' });
    assert.equal(
      packageUrl(custom),
      'pkg:pypi/torch@2.4.0?repository_url=https%3A%2F%2Fdownload.pytorch.org%2Fwhl%2Fcu121',
    );
  });

  it('points git and direct-URL PyPI packages at where they came from', () => {
    const git = pypiPackage('tool', '0.1.0', {
      kind: 'git',
      index: undefined,
      url: undefined,
      location: 'git+https://github.com/org/tool.git?rev=v0.1.0#abc123',
    });
    assert.equal(
      PackageURL.fromString(packageUrl(git)).qualifiers?.vcs_url,
      'git+https://github.com/org/tool.git?rev=v0.1.0#abc123',
    );
    const direct = pypiPackage('wheel-only', '1.0', { kind: 'url', index: undefined });
    assert.equal(PackageURL.fromString(packageUrl(direct)).qualifiers?.download_url, direct.url);
  });
});

describe('packageUrl with a name no purl can hold', () => {
  it('gives none rather than throwing (a PyPI name of spaces normalises to nothing)', () => {
    assert.equal(maybePackageUrl(pypiPackage(' ', '1.0')), undefined);
  });
});
