/**
 * The artifact checks over every real archive of the corpus (packages/ and channels/): no
 * setuid/setgid file, no unrewritten build path and no vendored library is reported, while the
 * scan does see what is there: zlib's own banner in its libz, and the build paths conda-build
 * registered as placeholders (the osx-64 dylibs' binary placeholder, the legacy one in zlib.pc).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { scanArtifactFiles } from '../../src/artifacts/artifact-files.ts';
import { artifactFilesCheck } from '../../src/checks/artifact-files.ts';
import type { CheckContext } from '../../src/checks/check.ts';
import { defaultCheckSettings } from '../../src/checks/registry.ts';
import { vendoredLibsCheck } from '../../src/checks/vendored-libs.ts';
import { readProjectInventory } from '../../src/engine/read-project.ts';
import { AdvisoryMatcher } from '../../src/intel/matcher.ts';
import { openIntelStore } from '../../src/intel/open.ts';
import { corpus, corpusRoot, hasCorpus, projectRoot } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

function archivesOnDisk(): string[] {
  if (!hasCorpus) return [];
  return ['packages', 'channels']
    .flatMap((top) => readdirSync(corpus(top), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && /\.(conda|tar\.bz2)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

describe('artifact files of the corpus archives', { skip: SKIP }, () => {
  it('finds no setuid file and no unrewritten build path, and only zlib’s own banner', async () => {
    const files = archivesOnDisk();
    assert.ok(files.length >= 60, `only ${files.length} archives found`);
    const banners: string[] = [];
    const registered = new Map<string, number>();
    let scanned = 0;
    for (const file of files) {
      const path = relative(corpusRoot, file);
      const found = await scanArtifactFiles(file);
      scanned += found.scannedBytes;
      assert.deepEqual(found.privileged, [], `${path}: setuid/setgid`);
      assert.deepEqual(found.buildPaths, [], `${path}: build paths`);
      assert.deepEqual(found.partlyScanned, [], `${path}: partly scanned`);
      for (const hit of found.vendored) banners.push(`${found.name} ${hit.path} ${hit.product} ${hit.version}`);
      if (found.registeredFiles > 0) registered.set(path, found.registeredFiles);
    }
    assert.ok(scanned > 1_000_000, `only ${scanned} payload bytes searched`);
    // every zlib archive (11: packages/ and channels/, four platforms, both formats) and nothing else
    assert.equal(banners.length, 11);
    assert.deepEqual([...new Set(banners.map((line) => line.replace(/ \S+ /, ' … ')))], ['zlib … zlib 1.2.11']);
    // libz.1.2.11.dylib holds conda-build's binary placeholder (its two symlinks have no content); zlib.pc the text one
    assert.equal(registered.get('channels/conda-format-repo/osx-64/zlib-1.2.11-h1de35cc_3.conda'), 2);
    assert.equal(registered.get('packages/conda/zlib-1.2.11-h7b6447c_3.conda'), 1);
  });

  it('reports nothing through the checks: zlib’s libz is zlib itself, not a vendored copy', async () => {
    const intel = await openIntelStore({ db: `${projectRoot}examples/openssl-cve/intel` });
    try {
      const context: CheckContext = {
        intel: { store: intel.store, matcher: new AdvisoryMatcher(intel.store) },
        now: new Date('2026-11-22T12:00:00Z'),
        offline: true,
        cacheDir: tempDirectory(),
        settings: defaultCheckSettings(),
      };
      for (const dir of ['packages/conda', 'channels/conda-format-repo/osx-64', 'packages/rattler']) {
        const inventory = await readProjectInventory(corpus(dir));
        assert.ok(inventory.packages.length > 0, dir);
        const findings = [
          ...(await artifactFilesCheck.run(inventory, context)),
          ...(await vendoredLibsCheck.run(inventory, context)),
        ];
        assert.deepEqual(
          findings.map((f) => f.message),
          [],
          dir,
        );
      }
    } finally {
      intel.store.close();
    }
  });
});
