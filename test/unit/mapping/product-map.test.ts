import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import {
  buildOnlyProductForConda,
  isProductRepository,
  nativeProduct,
  nativeProductForCna,
  nativeProductForConda,
  nativeProductForOssFuzz,
  nativeProducts,
  noUpstreamClassForConda,
} from '../../../src/mapping/native.ts';
import { parseProductMap } from '../../../src/mapping/native-file.ts';
import { whyUnmapped } from '../../../src/mapping/resolve.ts';
import { releaseFromTag } from '../../../src/mapping/tags.ts';
import { condaPackage } from '../report/sbom-fixtures.ts';

const entry = (fields: Record<string, unknown> = {}) => ({
  conda: ['libfoo'],
  scheme: 'upstream',
  cpe: ['foo:foo'],
  advisories: 'NVD',
  ...fields,
});
const parse = (products: Record<string, unknown>) => () =>
  parseProductMap(JSON.stringify({ products }), 'data/conda-native.json');
const rejects = (products: Record<string, unknown>, key: string, message: RegExp) =>
  assert.throws(parse(products), (error: unknown) => {
    assert.ok(error instanceof CvebuildError);
    assert.equal(error.code, 'DATA_INVALID');
    assert.equal(error.location.file, 'data/conda-native.json');
    assert.equal(error.location.key, key);
    assert.match(error.message, message);
    return true;
  });

describe('the product map file', () => {
  it('loads the shipped map: every listed upstream, with evidence', () => {
    for (const name of ['git', 'nodejs', 'freetype', 'ffmpeg', 'gnutls', 'krb5', 'libarchive', 'ghostscript']) {
      assert.ok(nativeProduct(name), name);
    }
    for (const product of nativeProducts()) assert.ok(product.evidence.length > 0, `${product.product} has evidence`);
    assert.equal(nativeProductForConda('libfreetype6')?.product, 'freetype');
    assert.equal(nativeProductForConda('libpq')?.product, 'postgresql');
    assert.equal(nativeProductForCna('Node.js', 'Node.js')?.product, 'nodejs');
  });

  it('maps every conda name issue 13 lists as carrying the most exposure in the corpus locks', () => {
    const listed =
      'git nodejs freetype libfreetype libfreetype6 libvpx libnghttp2 libxml2 libxml2-16 libglib glib ffmpeg gnutls ' +
      'krb5 libarchive ghostscript poppler qt6-main qt-main libpq postgresql openldap cyrus-sasl nss nspr libxslt icu ' +
      'libjpeg-turbo openjpeg libgdal libgdal-core hdf5 exiv2 libraw graphicsmagick openexr jasper libzip pcre2 ' +
      'libprotobuf libgrpc c-ares libuv perl libsqlite libexpat libtiff libpng libwebp libssh2 xz liblzma bzip2 ' +
      'ncurses libcurl libzlib openssl python';
    const missing = listed.split(' ').filter((name) => nativeProductForConda(name) === undefined);
    assert.deepEqual(missing, []);
    // names that only look alike stay apart
    assert.notEqual(nativeProductForConda('libgit2')?.product, 'git');
    assert.notEqual(nativeProductForConda('pcre')?.product, 'pcre2');
    assert.notEqual(nativeProductForConda('minizip')?.product, 'zlib');
  });

  it('rejects a release-numbering table that is malformed, overlapping or whose major is not below its releases', () => {
    rejects({ foo: entry({ releaseToConda: {} }) }, 'products.foo.releaseToConda', /list of \{from, to, major\}/);
    rejects(
      { foo: entry({ releaseToConda: [{ from: 22, to: 25, major: 'four' }] }) },
      'products.foo.releaseToConda[0].major',
      /whole number/,
    );
    rejects(
      { foo: entry({ releaseToConda: [{ from: 25, to: 22, major: 4 }] }) },
      'products.foo.releaseToConda[0]',
      /after/,
    );
    rejects(
      { foo: entry({ releaseToConda: [{ from: 3, to: 9, major: 4 }] }) },
      'products.foo.releaseToConda[0]',
      /below/,
    );
    rejects(
      {
        foo: entry({
          releaseToConda: [
            { from: 26, to: 29, major: 5 },
            { from: 22, to: 26, major: 4 },
          ],
        }),
      },
      'products.foo.releaseToConda',
      /overlap/,
    );
    assert.deepEqual(nativeProduct('protobuf')?.releaseToConda[1], { from: 26, to: 29, major: 5 });
    assert.deepEqual(nativeProduct('zlib')?.releaseToConda, []);
  });

  it('names the product of an OSS-Fuzz project by its listed name, else by its range repository', () => {
    assert.equal(
      nativeProductForOssFuzz('freetype2', ['https://github.com/freetype/freetype2-testing.git'])?.product,
      'freetype',
    );
    assert.equal(
      nativeProductForOssFuzz('libxml2', ['https://gitlab.gnome.org/GNOME/libxml2.git'])?.product,
      'libxml2',
    );
    assert.equal(nativeProductForOssFuzz('anything', ['HTTPS://GitHub.com/curl/curl/'])?.product, 'curl');
    assert.equal(nativeProductForOssFuzz('boringssl', ['https://boringssl.googlesource.com/boringssl']), undefined);
    assert.equal(nativeProductForOssFuzz('libxml2', []), undefined, 'the name alone is not enough');
    const libxml2 = nativeProduct('libxml2');
    assert.ok(libxml2);
    assert.equal(isProductRepository(libxml2, 'https://gitlab.gnome.org/GNOME/libxml2.git'), true);
    assert.equal(isProductRepository(libxml2, 'https://github.com/GNOME/libxml2'), false);
  });

  it('keeps look-alike names apart', () => {
    assert.equal(nativeProductForConda('libgit2')?.product, 'libgit2');
    assert.equal(nativeProductForConda('git')?.product, 'git');
    assert.equal(nativeProductForConda('pcre')?.product, 'pcre');
    assert.equal(nativeProductForConda('pcre2')?.product, 'pcre2');
    assert.equal(nativeProductForConda('minizip')?.product, 'minizip-ng');
  });

  it('names compilers and toolchains as build-only, and never matches them', () => {
    assert.equal(buildOnlyProductForConda('gcc_impl_linux-64')?.product, 'gcc');
    assert.equal(buildOnlyProductForConda('clang_impl_osx-arm64')?.product, 'llvm');
    assert.equal(buildOnlyProductForConda('sysroot_linux-aarch64')?.product, 'sysroot');
    assert.equal(nativeProductForConda('gcc_impl_linux-64'), undefined, 'not zlib (purl-associator error)');
    assert.equal(buildOnlyProductForConda('libzlib'), undefined);
  });

  it('says why metapackages, data-only and build-only packages map to nothing', () => {
    assert.equal(noUpstreamClassForConda('_openmp_mutex')?.kind, 'metapackage');
    assert.equal(noUpstreamClassForConda('font-ttf-inconsolata')?.kind, 'data');
    assert.equal(noUpstreamClassForConda('libzlib'), undefined);
    const reason = (name: string) => whyUnmapped(condaPackage(name, '1.0'), true);
    assert.equal(reason('_libgcc_mutex'), 'no upstream: metapackage');
    assert.equal(reason('xorg-xproto'), 'no upstream: data');
    assert.equal(reason('clang_impl_osx-arm64'), 'build-only: compiler or build tool, not matched');
    assert.match(reason('libunknown'), /no upstream product mapped$/);
  });

  it('maps split packages to their upstream and keeps look-alike X11 libraries apart', () => {
    for (const name of ['libbrotlicommon', 'libbrotlidec', 'brotli-bin'])
      assert.equal(nativeProductForConda(name)?.product, 'brotli');
    for (const name of ['libintl', 'libgettextpo-devel', 'gettext-tools'])
      assert.equal(nativeProductForConda(name)?.product, 'gettext');
    assert.equal(nativeProductForConda('libboost-headers')?.product, 'boost');
    assert.equal(nativeProductForConda('libgdal-hdf5')?.product, 'gdal');
    assert.equal(nativeProductForConda('xorg-libx11')?.product, 'libx11');
    assert.equal(nativeProductForConda('xorg-libxpm')?.product, 'libxpm');
    assert.equal(nativeProductForConda('xorg-libxau'), undefined, 'no advisory identity confirmed');
    assert.equal(nativeProductForConda('ros-jazzy-fastrtps')?.product, 'fast-dds');
    assert.equal(nativeProductForConda('ros-jazzy-fastcdr'), undefined, 'Fast CDR is not Fast DDS');
  });

  it('rejects a malformed entry with one line naming the file and key', () => {
    rejects({ foo: entry({ scheme: 'calver' }) }, 'products.foo.scheme', /unknown version scheme "calver"/);
    rejects({ foo: entry({ conda: 'libfoo' }) }, 'products.foo.conda', /list of non-empty strings/);
    rejects({ foo: entry({ cpe: ['foo'] }) }, 'products.foo.cpe[0]', /vendor:product/);
    rejects({ foo: entry({ cna: [{ vendor: 'foo' }] }) }, 'products.foo.cna[0].product', /expected a string/);
    rejects({ foo: entry({ tags: [{ prefix: 'v' }] }) }, 'products.foo.tags[0]', /prefix, separator/);
    rejects(
      { foo: entry({ notShipped: [{ component: 'x', pattern: '(', why: 'y' }] }) },
      'products.foo.notShipped[0].pattern',
      /not a regular expression/,
    );
    rejects(
      { foo: entry(), bar: entry({ cpe: ['bar:bar'] }) },
      'products.bar.conda',
      /"libfoo" is already listed by foo/,
    );
    rejects(
      { foo: entry({ ossFuzz: ['foo'] }), bar: entry({ conda: ['libbar'], cpe: ['bar:bar'], ossFuzz: ['foo'] }) },
      'products.bar.ossFuzz',
      /"foo" is already listed by foo/,
    );
    rejects({ foo: entry({ ossFuzz: 'foo' }) }, 'products.foo.ossFuzz', /list of non-empty strings/);
    rejects({ foo: 'x' }, 'products.foo', /expected an object/);
    const withNoUpstream = (noUpstream: unknown) => () =>
      parseProductMap(JSON.stringify({ products: { foo: entry() }, noUpstream }), 'data/conda-native.json');
    const noUpstreamRejects = (noUpstream: unknown, key: string, message: RegExp) =>
      assert.throws(withNoUpstream(noUpstream), (error: unknown) => {
        assert.ok(error instanceof CvebuildError);
        assert.equal(error.location.key, key);
        assert.match(error.message, message);
        return true;
      });
    noUpstreamRejects([], 'noUpstream', /object of reason classes/);
    noUpstreamRejects({ metapackage: { conda: ['_x'], why: '' } }, 'noUpstream.metapackage.why', /say why/);
    noUpstreamRejects({ metapackage: { conda: 'x', why: 'y' } }, 'noUpstream.metapackage.conda', /list of non-empty/);
    noUpstreamRejects(
      { metapackage: { conda: ['libfoo'], why: 'y' } },
      'noUpstream.metapackage.conda',
      /"libfoo" is mapped to product foo/,
    );
    assert.deepEqual(withNoUpstream({ data: { conda: ['font-x'], why: 'fonts' } })().noUpstream, [
      { kind: 'data', conda: ['font-x'], why: 'fonts' },
    ]);
    assert.throws(() => parseProductMap('{', 'data/conda-native.json'), /not JSON/);
    const error = (() => {
      try {
        parse({ foo: entry({ scheme: 'calver' }) })();
      } catch (caught) {
        return caught as CvebuildError;
      }
      return undefined;
    })();
    assert.equal(error?.toString().includes('\n'), false);
  });
});

describe('release tags → versions', () => {
  const cases: [string, string, string | undefined][] = [
    ['curl', 'curl-7_88_0', '7.88.0'],
    ['openssl', 'OpenSSL_1_1_1t', '1.1.1t'],
    ['openssl', 'openssl-3.0.8', '3.0.8'],
    ['expat', 'R_2_6_2', '2.6.2'],
    ['freetype', 'VER-2-13-2', '2.13.2'],
    ['icu', 'release-74-2', '74.2'],
    ['postgresql', 'REL_16_3', '16.3'],
    ['ffmpeg', 'n7.0.1', '7.0.1'],
    ['hdf5', 'hdf5-1_14_1-2', '1.14.1.2'],
    ['krb5', 'krb5-1.21.3-final', '1.21.3'],
    ['nss', 'NSS_3_100_RTM', '3.100'],
    ['c-ares', 'cares-1_27_0', '1.27.0'],
    ['c-ares', 'v1.34.5', '1.34.5'],
    ['git', 'v2.45.1', '2.45.1'],
    ['git', 'v2.45.0-rc1', undefined],
    ['curl', 'master', undefined],
    ['expat', 'R_2_6', '2.6'],
    ['gnutls', 'gnutls_3_6_11_1', '3.6.11.1'],
    ['gnutls', '3.6.14', '3.6.14'],
    ['gnutls', '3.6.14-windows', undefined],
    ['ruby', 'v3_3_0', '3.3.0'],
    ['boost', 'boost-1.86.0', '1.86.0'],
    ['libx11', 'libX11-1.8.7', '1.8.7'],
    ['pixman', 'pixman-0.42.2', '0.42.2'],
    ['libgcrypt', 'libgcrypt-1.10.3', '1.10.3'],
  ];
  for (const [product, tag, version] of cases) {
    it(`${product}: ${tag} → ${version ?? 'not a release'}`, () => {
      const styles = nativeProduct(product)?.tags;
      assert.ok(styles, product);
      assert.equal(releaseFromTag(tag, styles), version);
    });
  }
});
