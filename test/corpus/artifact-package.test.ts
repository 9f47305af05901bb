/**
 * Every package archive in the corpus read as a Package: in channels/, exactly what the channel's
 * repodata.json records for it (identity, depends, timestamp and the file's digests); in
 * packages/, the identity the MANIFEST lists.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { readArtifactPackage } from '../../src/artifacts/artifact-package.ts';
import { parseCondaArchiveName } from '../../src/conda/url.ts';
import type { Package } from '../../src/model/package.ts';
import { corpus, corpusRoot, hasCorpus } from '../helpers/paths.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

function archivesUnder(top: string): string[] {
  if (!hasCorpus) return [];
  return readdirSync(corpus(top), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(conda|tar\.bz2)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function repodataRecord(archive: string): Record<string, unknown> | undefined {
  const file = join(dirname(archive), 'repodata.json');
  if (!existsSync(file)) return undefined;
  const repodata = JSON.parse(readFileSync(file, 'utf8'));
  return repodata.packages?.[basename(archive)] ?? repodata['packages.conda']?.[basename(archive)];
}

/** The same facts under repodata's names. */
function asRecord(pkg: Package): Record<string, unknown> {
  return {
    name: pkg.name,
    version: pkg.version,
    build: pkg.build,
    build_number: pkg.buildNumber,
    subdir: pkg.subdir,
    depends: pkg.depends,
    license: pkg.license,
    timestamp: pkg.timestamp,
    noarch: pkg.noarch,
    sha256: pkg.sha256,
    md5: pkg.md5,
    size: pkg.size,
  };
}

/** `zlib 1.2.11 h7b6447c_3 [linux-64]` / `x 1.0.0 0 (index.json has no subdir)`, then `noarch:python`. */
function manifestIdentities(): Map<
  string,
  { name: string; version: string; build: string; subdir?: string; noarch?: string }
> {
  const rows = new Map();
  for (const line of readFileSync(corpus('MANIFEST.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const path = cells[1]?.replace(/`/g, '') ?? '';
    if (!/^packages\/.*\.(conda|tar\.bz2)$/.test(path)) continue;
    const match = /(\S+) (\S+) (\S+) (?:\[([^\]]+)\]|\(index\.json has no subdir\))(?: noarch:(\w+))?/.exec(
      cells.at(-2) ?? '',
    );
    if (match)
      rows.set(path, { name: match[1], version: match[2], build: match[3], subdir: match[4], noarch: match[5] });
  }
  return rows;
}

describe('artifact packages in the corpus', { skip: SKIP }, () => {
  it('each channel archive is what its repodata.json says it is', async () => {
    let compared = 0;
    for (const archive of archivesUnder('channels')) {
      const record = repodataRecord(archive);
      if (!record) continue;
      const actual = asRecord(await readArtifactPackage(archive));
      const expected = Object.fromEntries(Object.keys(actual).map((key) => [key, record[key] ?? actual[key]]));
      assert.deepEqual(actual, expected, relative(corpusRoot, archive));
      compared++;
    }
    assert.ok(compared >= 40, `only ${compared} archives listed in a repodata.json`);
  });

  it('each packages/ archive has the identity the MANIFEST lists, and its file name states', async () => {
    const manifest = manifestIdentities();
    const archives = archivesUnder('packages');
    assert.ok(archives.length >= 20, `only ${archives.length} archives`);
    for (const archive of archives) {
      const path = relative(corpusRoot, archive);
      const pkg = await readArtifactPackage(archive);
      const named = parseCondaArchiveName(basename(archive));
      assert.deepEqual([pkg.name, pkg.version, pkg.build], [named?.name, named?.version, named?.build], path);
      const listed = manifest.get(path);
      if (!listed) continue;
      assert.deepEqual(
        { name: pkg.name, version: pkg.version, build: pkg.build, noarch: pkg.noarch },
        { name: listed.name, version: listed.version, build: listed.build, noarch: listed.noarch },
        path,
      );
      // without a subdir in index.json the package is taken as noarch
      assert.equal(pkg.subdir, listed.subdir ?? 'noarch', path);
    }
    assert.ok(manifest.size >= 20, `only ${manifest.size} identities in the MANIFEST`);
  });

  it('the two formats of one defaults build agree on everything but their bytes', async () => {
    const conda = await readArtifactPackage(corpus('packages/conda/zlib-1.2.11-h7b6447c_3.conda'));
    const bz2 = await readArtifactPackage(corpus('packages/conda/zlib-1.2.11-h7b6447c_3.tar.bz2'));
    const identity = (pkg: Package) => ({ ...asRecord(pkg), sha256: undefined, md5: undefined, size: undefined });
    assert.deepEqual(identity(conda), identity(bz2));
    assert.notEqual(conda.sha256, bz2.sha256);
  });
});
