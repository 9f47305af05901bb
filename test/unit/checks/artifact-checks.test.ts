/**
 * The artifact checks on real cph archives: `artifact-files` (setuid/setgid, unrewritten build
 * paths) and `vendored-libs` (an old OpenSSL built into a binary, matched through the store), and
 * issue 15's must-show through the gate: a post-link script, a setuid file and an embedded old
 * OpenSSL are all reported, and the gate fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifactFilesCheck } from '../../../src/checks/artifact-files.ts';
import type { CheckContext } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { vendoredLibsCheck } from '../../../src/checks/vendored-libs.ts';
import { readProjectInventory } from '../../../src/engine/read-project.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import { openIntelStore } from '../../../src/intel/open.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { runCli } from '../../helpers/cli.ts';
import { cphArchives, fakeElf, hasCph } from '../../helpers/cph.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const SKIP = !hasCph && 'needs cph (Debian conda-package-handling)';
const INTEL = `${projectRoot}examples/openssl-cve/intel`;

const PAYLOAD = {
  'bin/.foo-post-link.sh': { data: '#!/bin/sh\necho installed\n', mode: 0o755 },
  'bin/foo-helper': { data: '#!/bin/sh\nid\n', mode: 0o4755 },
  'lib/libfoo.so': {
    data: fakeElf('OpenSSL 3.0.7 1 Nov 2022', ' deflate 1.2.11 Copyright 1995-2017 Jean-loup Gailly '),
  },
  'share/foo/foo.cfg': { data: 'data=/home/conda/feedstock_root/build_artifacts/foo_1700000000/work/data\n' },
  etc: { symlink: '/etc' },
};

async function run(archive: string, checks: (typeof artifactFilesCheck)[]): Promise<Finding[]> {
  const intel = await openIntelStore({ db: INTEL });
  try {
    const context: CheckContext = {
      intel: { store: intel.store, matcher: new AdvisoryMatcher(intel.store) },
      now: new Date('2026-11-22T12:00:00Z'),
      offline: true,
      cacheDir: tempDirectory(),
      settings: defaultCheckSettings(),
    };
    const inventory = await readProjectInventory(archive);
    const found: Finding[] = [];
    for (const check of checks) found.push(...(await check.run(inventory, context)));
    return found;
  } finally {
    intel.store.close();
  }
}

const brief = (findings: Finding[]) => findings.map((f) => `${f.check} ${f.rule} ${f.severity}`).sort();

describe('artifact checks', { skip: SKIP }, () => {
  const foo = hasCph ? cphArchives({ name: 'foo' }, PAYLOAD) : undefined;

  it('reports the setuid file, the build path, the vendored libraries and their CVEs', async () => {
    for (const archive of [foo?.conda ?? '', foo?.tarBz2 ?? '']) {
      const findings = await run(archive, [artifactFilesCheck, vendoredLibsCheck]);
      assert.deepEqual(brief(findings), [
        'artifact-files artifact-files/build-path medium',
        'artifact-files artifact-files/setuid high',
        'vendored-libs CVE-2022-37434 critical',
        'vendored-libs CVE-2023-0286 high',
        'vendored-libs vendored-libs/vendored info',
        'vendored-libs vendored-libs/vendored info',
      ]);
      const setuid = findings.find((f) => f.rule === 'artifact-files/setuid');
      assert.match(setuid?.message ?? '', /bin\/foo-helper \(mode 4755, setuid\)/);
      const openssl = findings.find((f) => f.rule === 'CVE-2023-0286');
      assert.equal(openssl?.subject?.name, 'foo');
      assert.match(
        openssl?.message ?? '',
        /^foo 1\.0 \(0\): vendored openssl 3\.0\.7 in lib\/libfoo\.so: CVE-2023-0286/,
      );
      assert.deepEqual((openssl?.evidence.vendored as { files: string[] } | undefined)?.files, ['lib/libfoo.so']);
      assert.equal(openssl?.evidence.target, 'upstream:openssl');
    }
  });

  it('does not call a package’s own library vendored, and finds nothing in a clean package', async () => {
    const openssl = cphArchives(
      { name: 'openssl', version: '3.0.7' },
      { 'lib/libcrypto.so.3': { data: fakeElf('OpenSSL 3.0.7 1 Nov 2022') } },
    );
    const clean = cphArchives({ name: 'clean' }, { 'bin/clean': { data: fakeElf('clean 1.0'), mode: 0o755 } });
    for (const archive of [openssl.conda, clean.tarBz2]) {
      assert.deepEqual(await run(archive, [artifactFilesCheck, vendoredLibsCheck]), [], archive);
    }
  });

  it('fails the gate on a .conda with a post-link script, a setuid file and an old OpenSSL inside', () => {
    const result = runCli([
      'gate',
      foo?.conda ?? '',
      '--db',
      INTEL,
      '--now',
      '2026-11-22T12:00:00Z',
      '--offline',
      '--format',
      'json',
    ]);
    assert.equal(result.status, 1, result.stderr);
    const findings: { check: string; id: string; blocking: boolean; message: string }[] = JSON.parse(
      result.stdout,
    ).findings;
    const shown = (check: string, id: string) => findings.find((f) => f.check === check && f.id === id);
    assert.ok(shown('link-scripts', 'link-scripts/post-link'), 'post-link script');
    assert.ok(shown('link-scripts', 'link-scripts/escaping-link'), 'symlink leaving the package');
    assert.equal(shown('artifact-files', 'artifact-files/setuid')?.blocking, true);
    assert.equal(shown('vendored-libs', 'CVE-2023-0286')?.blocking, true);
    assert.match(shown('vendored-libs', 'CVE-2023-0286')?.message ?? '', /vendored openssl 3\.0\.7 in lib\/libfoo\.so/);
  });
});
