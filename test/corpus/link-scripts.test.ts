/**
 * Every package archive in the corpus (packages/ and channels/) is read, and exactly those the
 * MANIFEST marks **LINK SCRIPTS** have link scripts, with the script paths and recipe copies it
 * lists; the edge-case archives read correctly; and the check finds them through a pixi.lock.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { readPackageArchive } from '../../src/artifacts/archive.ts';
import { archiveLinkScripts } from '../../src/artifacts/link-scripts.ts';
import { sha256OfFile } from '../../src/artifacts/package-dirs.ts';
import type { CheckContext } from '../../src/checks/check.ts';
import { linkScriptsCheck } from '../../src/checks/link-scripts.ts';
import { defaultCheckSettings } from '../../src/checks/registry.ts';
import { parseCondaArchiveName } from '../../src/conda/url.ts';
import { readInventory } from '../../src/engine/read-project.ts';
import { listing } from '../helpers/archive-entries.ts';
import { corpus, corpusRoot, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../helpers/temp.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

interface ManifestArchive {
  scripts: string[];
  recipeCopies: string[];
}

/** Archive rows of MANIFEST.md: `**LINK SCRIPTS: `a`, `b`**` and `recipe copies: `c`` in the Notable column. */
function manifestArchives(): Map<string, ManifestArchive> {
  const rows = new Map<string, ManifestArchive>();
  const quoted = (text: string | undefined) => [...(text ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
  for (const line of readFileSync(corpus('MANIFEST.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const path = cells[1]?.replace(/`/g, '') ?? '';
    if (!/^(packages|channels)\/.*\.(conda|tar\.bz2)$/.test(path)) continue;
    const notable = cells.at(-2) ?? '';
    rows.set(path, {
      scripts: quoted(/\*\*LINK SCRIPTS: ([^*]+)\*\*/.exec(notable)?.[1]).sort(),
      recipeCopies: quoted(/recipe copies: ((?:`[^`]+`(?:, )?)+)/.exec(notable)?.[1]).sort(),
    });
  }
  return rows;
}

function archivesOnDisk(): string[] {
  if (!hasCorpus) return [];
  return ['packages', 'channels']
    .flatMap((top) => readdirSync(corpus(top), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && /\.(conda|tar\.bz2)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

describe('link scripts in the corpus archives', { skip: SKIP }, () => {
  it('finds exactly the scripts and recipe copies the MANIFEST lists, in every archive', async () => {
    const manifest = manifestArchives();
    const files = archivesOnDisk();
    assert.ok(files.length >= 60, `only ${files.length} archives found`);
    const withScripts: string[] = [];
    for (const file of files) {
      const path = relative(corpusRoot, file);
      const expected = manifest.get(path);
      assert.ok(expected, `${path} is not in MANIFEST.md`);
      const name = parseCondaArchiveName(basename(file))?.name ?? '';
      const found = await archiveLinkScripts(file, name);
      assert.deepEqual(found.unsafePaths, [], path);
      // real packages (symlinked libraries, hardlinked binaries) never trip the link and type checks
      assert.deepEqual(found.escapingLinks, [], `${path}: escaping links`);
      assert.deepEqual(found.unknownEntries, [], `${path}: unknown entry types`);
      assert.deepEqual(found.scripts.map((script) => script.path).sort(), expected.scripts, `${path}: scripts`);
      assert.deepEqual(found.recipeCopies.map((copy) => copy.path).sort(), expected.recipeCopies, `${path}: copies`);
      if (found.scripts.length > 0) withScripts.push(path);
    }
    assert.deepEqual(withScripts, [
      'channels/conda-test-recipes/noarch/failing_post_link-1.0-0.conda',
      'channels/conda-test-recipes/noarch/post_link-c-1.0-0.conda',
      'channels/conda-test-recipes/noarch/post_link-d-1.0-0.conda',
      'channels/conda-test-recipes/noarch/post_link-e-1.0-0.conda',
      'channels/conda-test-recipes/noarch/post_link_run_in_env_package-1.0-0.conda',
      'packages/conda/failing_post_link-1.0-0.conda',
      'packages/conda/post_link-c-1.0-0.conda',
      'packages/conda/post_link-e-1.0-0.conda',
      'packages/conda/post_link_run_in_env_package-1.0-0.conda',
      'packages/rattler/link-scripts-0.1.0-h4616a5c_0.conda',
    ]);
  });

  it('reads the edge-case archives', async () => {
    const entries = async (path: string) => {
      const read = listing();
      await readPackageArchive(corpus(`packages/rattler/${path}`), read.options);
      return read.entries.map(
        (entry) => `${entry.member}:${entry.type}:${entry.path}${entry.linkTarget ? `->${entry.linkTarget}` : ''}`,
      );
    };
    const symlinks = await entries('sparse/symlink-test-1.0.0-0.conda');
    assert.ok(symlinks.includes('pkg:symlink:lib/liblink.so->libreal.so.1'), symlinks.join(' '));
    assert.ok(symlinks.includes('pkg:hardlink:lib/libhard.so->lib/libreal.so.1'), symlinks.join(' '));
    assert.ok((await entries('sparse/zip64-test-1.0.0-0.conda')).some((entry) => entry.startsWith('pkg:file:')));
    assert.deepEqual(
      [...new Set((await entries('sparse/info-only-1.0.0-0.conda')).map((entry) => entry.split(':')[0]))],
      ['info'],
    );
    const dotslash = await entries('sparse/dotslash-test-1.0.0-0.conda');
    assert.ok(dotslash.length > 0 && dotslash.every((entry) => !entry.includes(':./')), dotslash.join(' '));
    // Members nested under Users/.../ with data descriptors: rattler (pixi) installs it, so it is read.
    const nested = await entries('ca-certificates-2024.7.4-hbcca054_0.conda');
    assert.ok(nested.includes('info:file:info/index.json'));
    assert.ok(nested.includes('pkg:symlink:ssl/cert.pem->cacert.pem'));
  });

  it('reports the link scripts of locked packages found in a local channel', async () => {
    const channel = corpus('channels/conda-test-recipes');
    const files = [
      'post_link-c-1.0-0.conda',
      'post_link-e-1.0-0.conda',
      'failing_post_link-1.0-0.conda',
      'dependency-1.0-0.conda',
    ];
    const base = 'https://conda.anaconda.org/conda-test/noarch';
    const records = files.map((file) => {
      const sha256 = sha256OfFile(join(channel, 'noarch', file));
      return `- conda: ${base}/${file}\n  sha256: ${sha256}`;
    });
    const lock = writeTemp(
      'pixi.lock',
      `version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-test/\n    packages:\n      linux-64:\n${files
        .map((file) => `      - conda: ${base}/${file}`)
        .join('\n')}\npackages:\n${records.join('\n')}\n`,
    );
    const context: CheckContext = {
      now: new Date('2026-11-22T12:00:00Z'),
      offline: true,
      cacheDir: tempDirectory(),
      settings: { ...defaultCheckSettings(), packageDirs: [channel] },
    };
    const findings = await linkScriptsCheck.run(readInventory(lock), context);
    assert.deepEqual(
      findings.map((f) => `${f.subject?.name} ${f.rule} ${f.severity} ${f.evidence.path}`),
      [
        'failing_post_link link-scripts/post-link medium Scripts/.failing_post_link-post-link.bat',
        'failing_post_link link-scripts/post-link medium bin/.failing_post_link-post-link.sh',
        'post_link-c link-scripts/post-link medium bin/.post_link-c-post-link.sh',
        'post_link-e link-scripts/post-link medium bin/.post_link-e-post-link.sh',
      ],
    );
    for (const finding of findings) {
      assert.equal(finding.evidence.archive, join(channel, 'noarch', `${finding.subject?.name}-1.0-0.conda`));
      assert.ok((finding.evidence.firstLines as string[]).length > 0);
    }
  });
});
