import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanArtifactFiles } from '../../../src/artifacts/artifact-files.ts';
import { BuildPathCollector, PlaceholderRegistry, pathAround } from '../../../src/artifacts/build-paths.ts';
import { AnchorScanner, type ScanProgress } from '../../../src/artifacts/content-scan.ts';
import { SIGNATURE_PRODUCTS, VendoredCollector } from '../../../src/artifacts/vendored-signatures.ts';
import { nativeProduct } from '../../../src/mapping/native.ts';
import { cphArchives, fakeElf, hasCph } from '../../helpers/cph.ts';

const SKIP = !hasCph && 'needs cph (Debian conda-package-handling)';
const PLACEHOLDER = `/home/conda/feedstock_root/build_artifacts/foo_1700000000/_h_env${'_placehold'.repeat(20)}`;
const SQLITE_ID = '2022-11-16 12:10:08 89c459e766ea7e9165d0beeb124708b955a4950d0f4792f457465d71b158d318';

const brief = (vendored: { path: string; product: string; version: string }[]) =>
  vendored.map(({ path, product, version }) => `${path} ${product} ${version}`).sort();

describe('artifact files of real cph archives', { skip: SKIP }, () => {
  const built = hasCph
    ? cphArchives(
        { name: 'foo' },
        {
          'info/paths.json': {
            data: JSON.stringify({
              paths: [
                { _path: 'share/registered.pc', prefix_placeholder: PLACEHOLDER, file_mode: 'text' },
                { _path: 'share/half.pc', prefix_placeholder: PLACEHOLDER, file_mode: 'text' },
              ],
              paths_version: 1,
            }),
          },
          'info/recipe/build.sh': { data: 'cd /home/conda/feedstock_root/build_artifacts/foo_1/work\n' },
          'bin/suid': { data: '#!/bin/sh\nid\n', mode: 0o4755 },
          'bin/sgid': { data: '#!/bin/sh\nid\n', mode: 0o2755 },
          'bin/plain': { data: '#!/bin/sh\nid\n', mode: 0o755 },
          'lib/libfoo.so': {
            data: fakeElf(
              'OpenSSL 1.1.1t  7 Feb 2023',
              ' deflate 1.2.13 Copyright 1995-2022 Jean-loup Gailly and Mark Adler ',
              'libcurl/7.88.1',
              '\nlibpng version 1.6.37 - April 14, 2019\n',
              'expat_2.5.0',
              'SQLite format 3',
              '3.40.0',
              SQLITE_ID,
            ),
          },
          'lib/libbar.so': {
            data: fakeElf('OpenSSL 3.0.7 1 Nov 2022', ' inflate 1.2.11 Copyright 1995-2017 Mark Adler '),
          },
          // a banner in a text file is documentation, not a copy of the library
          'share/doc/NEWS': { data: 'built with OpenSSL 1.1.1t  7 Feb 2023\n' },
          // a message naming a version, without the banner's date
          'lib/libbaz.so': { data: fakeElf('needs OpenSSL 1.1.1 or later', 'sqlite 3.40.0') },
          'share/leak.txt': { data: 'data=/home/conda/feedstock_root/build_artifacts/foo_1700000000/work/data\n' },
          'share/tmpwork.cfg': { data: 'src: /tmp/build/80754af9/foo_1/work/src\n' },
          'share/tmp-ok.txt': { data: 'scratch=/tmp/scratch\n' },
          'share/registered.pc': { data: `prefix=${PLACEHOLDER}\nlibdir=${PLACEHOLDER}/lib\n` },
          'share/half.pc': { data: `prefix=${PLACEHOLDER}\nsrcdir=/opt/conda/conda-bld/foo_1/work\n` },
        },
      )
    : undefined;

  for (const format of ['conda', 'tarBz2'] as const) {
    it(`finds setuid/setgid files, unregistered build paths and vendored libraries in the ${format}`, async () => {
      const files = await scanArtifactFiles(built?.[format] ?? '');
      assert.equal(files.name, 'foo');
      assert.deepEqual(files.privileged.map((file) => `${file.path} ${file.mode} ${file.bits}`).sort(), [
        'bin/sgid 2755 setgid',
        'bin/suid 4755 setuid',
      ]);
      assert.deepEqual(
        files.buildPaths.map(({ path, paths }) => `${path}: ${paths.join(' ')}`),
        [
          'share/half.pc: /opt/conda/conda-bld/foo_1/work',
          'share/leak.txt: /home/conda/feedstock_root/build_artifacts/foo_1700000000/work/data',
          'share/tmpwork.cfg: /tmp/build/80754af9/foo_1/work/src',
        ],
      );
      assert.equal(files.buildPaths[0]?.placeholder, PLACEHOLDER);
      assert.equal(files.buildPathFiles, 3);
      assert.equal(files.registeredFiles, 1);
      assert.deepEqual(brief(files.vendored), [
        'lib/libbar.so openssl 3.0.7',
        'lib/libbar.so zlib 1.2.11',
        'lib/libfoo.so curl 7.88.1',
        'lib/libfoo.so expat 2.5.0',
        'lib/libfoo.so libpng 1.6.37',
        'lib/libfoo.so openssl 1.1.1t',
        'lib/libfoo.so sqlite 3.40.0',
        'lib/libfoo.so zlib 1.2.13',
      ]);
    });
  }

  it('finds banners at both ends of a file many search windows long, and says what it searched only in part', async () => {
    const big = Buffer.concat([
      fakeElf(),
      Buffer.alloc(1024 * 1024 - 70, 0x41),
      fakeElf('OpenSSL 1.0.2u  20 Dec 2019').subarray(64),
      Buffer.alloc(3 * 1024 * 1024, 0x42),
      Buffer.from('\0expat_2.4.1\0'),
    ]);
    const { conda } = cphArchives({ name: 'big' }, { 'lib/libbig.so': { data: big } });
    assert.deepEqual(brief((await scanArtifactFiles(conda)).vendored), [
      'lib/libbig.so expat 2.4.1',
      'lib/libbig.so openssl 1.0.2u',
    ]);
    const partly = await scanArtifactFiles(conda, {}, 2 * 1024 * 1024);
    assert.deepEqual(brief(partly.vendored), ['lib/libbig.so openssl 1.0.2u']);
    assert.deepEqual(partly.partlyScanned, [{ path: 'lib/libbig.so', size: big.length }]);
  });

  it('reports nothing in a clean package', async () => {
    const { conda, tarBz2 } = cphArchives(
      { name: 'clean' },
      {
        'bin/tool': { data: fakeElf('clean tool 1.0', 'links libssl.so.3 dynamically'), mode: 0o755 },
        'share/clean/README': { data: 'Installed under /usr/local or $PREFIX.\n' },
      },
    );
    for (const archive of [conda, tarBz2]) {
      const files = await scanArtifactFiles(archive);
      assert.deepEqual([files.privileged, files.buildPaths, files.vendored, files.partlyScanned], [[], [], [], []]);
      assert.ok(files.scannedBytes > 64, 'the payload was searched');
    }
  });
});

describe('build paths and placeholders', () => {
  it('cuts the absolute path out of its surroundings', () => {
    const window = Buffer.from('x -I/opt/conda/conda-bld/a/work/include"; PATH=C:/ci/zlib_1/_h_env/Library:/bin');
    assert.equal(pathAround(window, window.indexOf('/conda-bld/')), '/opt/conda/conda-bld/a/work/include');
    assert.equal(pathAround(window, window.indexOf('_h_env')), 'C:/ci/zlib_1/_h_env/Library');
    assert.equal(pathAround(Buffer.from('lib_h_env.py'), 3), undefined);
  });

  it('reads has_prefix lines with and without placeholder and mode, quoted or not', () => {
    const registry = new PlaceholderRegistry();
    registry.addHasPrefix(
      '/opt/anaconda1anaconda2anaconda3 text lib/pkgconfig/zlib.pc\n"C:/ci/z/_h_env" text "Library/share/a b.pc"\nbin/old\n',
    );
    assert.equal(registry.placeholderOf('lib/pkgconfig/zlib.pc'), '/opt/anaconda1anaconda2anaconda3');
    assert.equal(registry.placeholderOf('Library/share/a b.pc'), 'C:/ci/z/_h_env');
    assert.equal(registry.placeholderOf('bin/old'), '/opt/anaconda1anaconda2anaconda3');
    registry.addPathsJson('not json');
    assert.equal(registry.size, 3);
  });

  it('names only products the product map knows', () => {
    for (const product of SIGNATURE_PRODUCTS) assert.ok(nativeProduct(product)?.conda.length, product);
  });
});

describe('searching streamed content', () => {
  const scanChunks = (chunks: Buffer[], limit = Number.MAX_SAFE_INTEGER) => {
    const vendored = new VendoredCollector();
    const paths = new BuildPathCollector();
    let progress: ScanProgress | undefined;
    const scanner = new AnchorScanner(
      limit,
      () => [...vendored.anchors(), ...paths.anchors()],
      (done) => (progress = done),
    );
    for (const chunk of chunks) if (!scanner.data(chunk)) break;
    scanner.end();
    return { hits: vendored.hits().map((hit) => `${hit.product} ${hit.version}`), paths: [...paths.paths], progress };
  };

  it('sees a banner and a path split across the window a search stops at', () => {
    const first = Buffer.concat([
      Buffer.alloc(1024 * 1024 - 40, 0x41),
      Buffer.from('\0x=/opt/conda/conda-bld/foo_1/wo\0OpenSSL 1.0'),
    ]);
    const second = Buffer.from('.2u  20 Dec 2019\0rk/lib\0');
    const { hits, paths } = scanChunks([first.subarray(0, first.length - 4), first.subarray(first.length - 4), second]);
    assert.deepEqual(hits, ['openssl 1.0.2u']);
    assert.deepEqual(paths, ['/opt/conda/conda-bld/foo_1/wo']);
    // split at every byte of the banner: always found once
    const banner = Buffer.from('\0OpenSSL 1.1.1k  25 Mar 2021\0');
    for (let cut = 0; cut <= banner.length; cut++) {
      const head = Buffer.concat([Buffer.alloc(1024 * 1024, 0x20), banner.subarray(0, cut)]);
      assert.deepEqual(scanChunks([head, banner.subarray(cut)]).hits, ['openssl 1.1.1k'], `cut at ${cut}`);
    }
  });

  it('stops at its limit and says the file was searched in part', () => {
    const data = Buffer.concat([Buffer.alloc(2000, 0x20), Buffer.from('\0expat_2.4.1\0')]);
    const whole = scanChunks([data.subarray(0, 1000), data.subarray(1000)]);
    assert.deepEqual([whole.hits, whole.progress?.truncated], [['expat 2.4.1'], false]);
    const part = scanChunks([data.subarray(0, 1000), data.subarray(1000)], 1500);
    assert.deepEqual([part.hits, part.progress?.truncated, part.progress?.bytes], [[], true, 1500]);
  });
});
