import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildNumberFromBuild, channelAndSubdirOf, parseCondaArchiveName } from '../../../src/conda/url.ts';
import { normalizeCondaName, normalizePypiName } from '../../../src/model/package.ts';

describe('package names', () => {
  it('normalizes PyPI names as PEP 503 does', () => {
    for (const [name, normalized] of [
      ['Django_REST-framework', 'django-rest-framework'],
      ['zope.interface', 'zope-interface'],
      ['ruamel.yaml.clib', 'ruamel-yaml-clib'],
      ['Foo__Bar--.baz', 'foo-bar-baz'],
      ['requests', 'requests'],
    ]) {
      assert.equal(normalizePypiName(name ?? ''), normalized);
    }
  });

  it('lowercases conda names and keeps their separators', () => {
    assert.equal(normalizeCondaName('PyYAML'), 'pyyaml');
    assert.equal(normalizeCondaName('ld_impl_linux-64'), 'ld_impl_linux-64');
  });
});

describe('conda archive locations', () => {
  it('splits name, version and build; names may contain dashes', () => {
    assert.deepEqual(parseCondaArchiveName('ld_impl_linux-64-2.40-hf3520f5_7.conda'), {
      name: 'ld_impl_linux-64',
      version: '2.40',
      build: 'hf3520f5_7',
      extension: '.conda',
    });
    assert.deepEqual(parseCondaArchiveName('x264-1!164.3095-h57fd34a_2.tar.bz2')?.version, '1!164.3095');
    assert.equal(parseCondaArchiveName('numpy-1.26.4.whl'), undefined);
    assert.equal(parseCondaArchiveName('src'), undefined);
    assert.equal(parseCondaArchiveName('x-1-0.conda.zip'), undefined);
    assert.equal(parseCondaArchiveName('-1-0.conda'), undefined);
    assert.equal(parseCondaArchiveName('x-1-0.tar.bz2')?.extension, '.tar.bz2');
  });

  it('derives channel and subdir from the URL', () => {
    assert.deepEqual(
      channelAndSubdirOf('https://prefix.dev/conda-forge/linux-64/python-3.13.11-hc97d973_100_cp313.conda'),
      {
        channel: 'https://prefix.dev/conda-forge',
        subdir: 'linux-64',
      },
    );
    assert.deepEqual(channelAndSubdirOf('https://repo.anaconda.com/pkgs/main/noarch/x-1-0.conda#abc'), {
      channel: 'https://repo.anaconda.com/pkgs/main',
      subdir: 'noarch',
    });
  });

  it('derives the build number as rattler does (trailing digits)', () => {
    const cases: [string, number | undefined][] = [
      ['2', 2],
      ['py313hb6a6212_1', 1],
      ['pyhd8ed1ab_100', 100],
      ['hc97d973_100_cp313', 313],
      ['2_gnu', undefined],
      ['123_', undefined],
      ['foobar', undefined],
      ['', undefined],
      ['h_007', 7],
      ['h_\u0663', undefined],
      ['h_99999999999999999999', undefined],
    ];
    for (const [build, number] of cases) assert.equal(buildNumberFromBuild(build), number, build);
  });
});
