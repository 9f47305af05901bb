/** A package archive as a Package: identity and metadata from its info/index.json, digests from its bytes. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readArtifactPackage } from '../../../src/artifacts/artifact-package.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { condaBytes } from './archive-builder.ts';

const INDEX = {
  name: 'Demo-Lib',
  version: '2.1.0',
  build: 'h1234567_3',
  build_number: 3,
  subdir: 'linux-64',
  depends: ['libzlib >=1.3.1,<2.0a0', '__glibc >=2.17'],
  license: 'BSD-3-Clause',
  timestamp: 1_731_000_000_000,
};

function conda(name: string, index: unknown, payload: 'tar' | 'garbage' = 'tar'): string {
  const bytes = condaBytes({
    stem: 'demo-lib-2.1.0-h1234567_3',
    info: [{ name: 'info/index.json', data: typeof index === 'string' ? index : JSON.stringify(index) }],
    ...(payload === 'tar'
      ? { pkg: [{ name: 'lib/libdemo.so.2', data: 'ELF'.repeat(1000) }] }
      : { extra: [{ name: 'pkg-demo-lib-2.1.0-h1234567_3.tar.zst', data: 'this is not zstd' }] }),
  });
  return writeTemp(name, bytes);
}

const digest = (algorithm: string, path: string) => createHash(algorithm).update(readFileSync(path)).digest('hex');

describe('readArtifactPackage', () => {
  it('reads a .conda: identity, metadata, and the digests of the file itself', async () => {
    const path = conda('demo-lib-2.1.0-h1234567_3.conda', INDEX);
    const pkg = await readArtifactPackage(path);
    assert.deepEqual(pkg, {
      ecosystem: 'conda',
      name: 'Demo-Lib',
      normalizedName: 'demo-lib',
      version: '2.1.0',
      build: 'h1234567_3',
      buildNumber: 3,
      subdir: 'linux-64',
      platform: 'linux-64',
      location: path,
      sha256: digest('sha256', path),
      md5: digest('md5', path),
      size: readFileSync(path).length,
      depends: INDEX.depends,
      requiresDist: [],
      purls: [],
      kind: 'path',
      environments: [],
      origin: { file: path },
      timestamp: INDEX.timestamp,
      license: 'BSD-3-Clause',
    });
  });

  it('takes the URL it is served from (and so its channel) and the platform it installs on when given', async () => {
    const path = conda('served.conda', { ...INDEX, subdir: 'noarch', noarch: 'python' });
    const url = 'https://conda.example/private/noarch/demo-lib-2.1.0-h1234567_3.conda';
    const pkg = await readArtifactPackage(path, { url, platform: 'osx-arm64' });
    assert.equal(pkg.location, url);
    assert.equal(pkg.url, url);
    assert.equal(pkg.channel, 'https://conda.example/private');
    assert.equal(pkg.kind, 'registry');
    assert.equal(pkg.platform, 'osx-arm64');
    assert.equal(pkg.noarch, 'python');
  });

  it('reads only the metadata of a .conda: a payload it cannot decode does not matter', async () => {
    const pkg = await readArtifactPackage(conda('broken-payload.conda', INDEX, 'garbage'));
    assert.equal(pkg.name, 'Demo-Lib');
  });

  it('reads a .tar.bz2', async () => {
    const path = join(tempDirectory(), 'bz-script-1.0-0.tar.bz2');
    copyFileSync(fixture('archives/bz-script-1.0-0.tar.bz2'), path);
    const pkg = await readArtifactPackage(path);
    assert.deepEqual(
      [pkg.name, pkg.version, pkg.build, pkg.buildNumber, pkg.subdir, pkg.platform, pkg.noarch],
      ['bz-script', '1.0', '0', 0, 'noarch', 'noarch', 'generic'],
    );
    assert.equal(pkg.sha256, digest('sha256', path));
  });

  it('refuses what is not a conda package, with one line naming the file', async () => {
    await assertCvebuildErrorAsync(
      () => readArtifactPackage(conda('no-name.conda', { ignored: true })),
      'ARCHIVE_INVALID',
      'info/index.json.name',
    );
    await assertCvebuildErrorAsync(
      () =>
        readArtifactPackage(
          writeTemp('empty-info.conda', condaBytes({ stem: 'x-1-0', info: [{ name: 'info/about.json', data: '{}' }] })),
        ),
      'ARCHIVE_INVALID',
      'no info/index.json: not a conda package',
    );
    await assertCvebuildErrorAsync(
      () => readArtifactPackage(conda('bad-json.conda', '{"name": ')),
      'ARCHIVE_INVALID',
      'info/index.json is not JSON',
    );
    await assertCvebuildErrorAsync(
      () => readArtifactPackage(conda('bad-field.conda', { ...INDEX, depends: 'zlib' })),
      'ARCHIVE_INVALID',
      'info/index.json.depends',
    );
    await assertCvebuildErrorAsync(
      () => readArtifactPackage(writeTemp('demo.whl', 'PK')),
      'ARCHIVE_INVALID',
      'expected .conda or .tar.bz2',
    );
    await assertCvebuildErrorAsync(
      () => readArtifactPackage(join(tempDirectory(), 'absent.conda')),
      'ARCHIVE_INVALID',
      'absent.conda',
    );
  });
});
