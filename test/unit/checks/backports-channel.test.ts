/**
 * Backports read from the channel: only a `.conda`'s info member is fetched, with HTTP Range
 * requests against a loopback server that serves a real archive, and kept by sha256.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { markBackports } from '../../../src/checks/backports.ts';
import type { Finding } from '../../../src/model/finding.ts';
import type { Package } from '../../../src/model/package.ts';
import { download } from '../../../src/net/download.ts';
import { type RangeServer, type Served, startRangeServer } from '../../helpers/range-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { condaBytes } from '../artifacts/archive-builder.ts';
import { rattlerBuildItems, ZLIB } from '../artifacts/backport-fixtures.ts';

const STEM = 'libzlib-1.2.11-hbp_0';
const { info } = rattlerBuildItems('hbp_0');
/** An incompressible payload, so fetching it would show in the bytes served. */
const PAYLOAD = randomBytes(2 * 1024 * 1024);
const CONDA = condaBytes({ stem: STEM, info, pkg: [{ name: 'lib/libz.so.1.2.11', data: PAYLOAD }] });
const SHA256 = createHash('sha256').update(CONDA).digest('hex');

function pkgAt(url: string, sha256 = SHA256): Package {
  return {
    ecosystem: 'conda',
    name: ZLIB.name,
    normalizedName: ZLIB.name,
    version: ZLIB.version,
    build: 'hbp_0',
    platform: 'linux-64',
    subdir: 'linux-64',
    location: url,
    url,
    sha256,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: 'pixi.lock', line: 1 },
  };
}

function cveFinding(pkg: Package): Finding {
  return {
    check: 'vulnerability',
    checkVersion: 2,
    rule: 'CVE-2018-25032',
    severity: 'high',
    subject: { ecosystem: 'conda', name: pkg.name, version: pkg.version, build: pkg.build, platform: pkg.platform },
    message: 'libzlib 1.2.11 is affected by CVE-2018-25032',
    evidence: {},
  };
}

describe('backports from the channel (HTTP Range)', () => {
  let server: RangeServer;
  let served: Served[] = [];
  let origin = '';
  before(async () => {
    server = await startRangeServer(`${STEM}.conda`, CONDA);
    served = server.served;
    origin = server.origin;
  });
  after(() => server.close());

  const mark = (pkg: Package, options: { offline?: boolean; cacheDir?: string } = {}) =>
    markBackports(
      [{ pkg, finding: cveFinding(pkg) }],
      { packageDirs: [] },
      {
        offline: options.offline ?? false,
        cacheDir: options.cacheDir ?? tempDirectory(),
        http: download,
      },
    ).then(([finding]) => finding);

  it('fetches only the tail and the info member, and finds the patch', async () => {
    served.splice(0);
    const cacheDir = tempDirectory();
    const finding = await mark(pkgAt(`${origin}/ranged/linux-64/${STEM}.conda`), { cacheDir });
    assert.equal(finding?.evidence.recipeNotRead, undefined);
    assert.equal(finding?.flags?.fixedInBuild?.patches[0]?.patch, 'info/recipe/patches/CVE-2018-25032.patch');
    assert.equal(finding?.flags?.fixedInBuild?.source, `${origin}/ranged/linux-64/${STEM}.conda`);
    assert.ok(
      served.every(({ range }) => range !== undefined),
      'every request is a range request',
    );
    const bytes = served.reduce((sum, { bytes }) => sum + bytes, 0);
    assert.ok(bytes < PAYLOAD.length / 4, `${bytes} bytes fetched of a ${CONDA.length}-byte archive`);
    // cached by sha256: a second run asks the channel nothing
    served.splice(0);
    const again = await mark(pkgAt(`${origin}/ranged/linux-64/${STEM}.conda`), { cacheDir });
    assert.ok(again?.flags?.fixedInBuild);
    assert.deepEqual(served, []);
  });

  it('a server that ignores Range is not downloaded from whole: the finding says the recipe was not read', async () => {
    const finding = await mark(pkgAt(`${origin}/whole/linux-64/${STEM}.conda`));
    assert.equal(finding?.flags?.fixedInBuild, undefined);
    assert.match(String(finding?.evidence.recipeNotRead), /ignored the Range request/);
  });

  it('a .tar.bz2 is not fetched: it cannot be read in part, and the finding says so', async () => {
    served.splice(0);
    const finding = await mark(pkgAt(`${origin}/ranged/linux-64/${STEM}.tar.bz2`));
    assert.equal(finding?.flags?.fixedInBuild, undefined);
    assert.match(
      String(finding?.evidence.recipeNotRead),
      /\.tar\.bz2 cannot be read without downloading the whole archive/,
    );
    assert.deepEqual(served, []);
  });

  it('offline, nothing is fetched', async () => {
    served.splice(0);
    const finding = await mark(pkgAt(`${origin}/ranged/linux-64/${STEM}.conda`), { offline: true });
    assert.equal(finding?.flags?.fixedInBuild, undefined);
    assert.deepEqual(served, []);
  });

  it('a channel file that is not a .conda is no evidence, and says why', async () => {
    const finding = await mark(pkgAt(`${origin}/ranged/linux-64/missing-1.0-0.conda`));
    assert.equal(finding?.flags?.fixedInBuild, undefined);
    assert.match(String(finding?.evidence.recipeNotRead), /could not download|not found|404/i);
  });
});
