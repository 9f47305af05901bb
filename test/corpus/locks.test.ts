/**
 * Every real lock file in the corpus reads without error, and its record counts equal the ones the
 * corpus MANIFEST.md lists; the negative fixtures are refused with a reason.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { readInventory } from '../../src/engine/read-project.ts';
import { CvebuildError } from '../../src/errors.ts';
import { type ChunkOptions, loadLockInPieces } from '../../src/readers/lock-list-chunks.ts';
import { loadLockSubset } from '../../src/readers/lock-yaml-subset.ts';
import { loadYaml, lockSchema } from '../../src/readers/yaml.ts';
import { assertCvebuildError } from '../helpers/errors.ts';
import { manifestLockRows } from '../helpers/manifest-table.ts';
import { corpus, corpusRoot, hasCorpus } from '../helpers/paths.ts';

const NEGATIVE = /parse-fails\/|forward-compatible-lock/;

describe('corpus lock files', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  const rows = hasCorpus ? manifestLockRows() : [];

  it('the MANIFEST lists the 24 real pixi.lock files and the conda-lock files', () => {
    assert.ok(rows.filter((row) => /pixi\/[^/]+\/pixi\.lock$/.test(row.path)).length >= 24);
    assert.ok(rows.filter((row) => row.format.startsWith('conda-lock')).length >= 10);
  });

  for (const row of rows.filter((r) => !NEGATIVE.test(r.path))) {
    it(`${row.path} (${row.format}): conda ${row.conda} / pypi ${row.pypi} / conda_source ${row.condaSource}`, () => {
      const inventory = readInventory(corpus(row.path));
      const [source] = inventory.sources;
      assert.deepEqual(source?.records, { conda: row.conda, pypi: row.pypi, condaSource: row.condaSource });
      assert.equal(source?.formatVersion, Number(/v(\d+)$/.exec(row.format)?.[1]));
      assert.equal(
        inventory.warnings.filter((w) => w.message.includes('not used by any environment')).length,
        0,
        'every record is installed somewhere',
      );
      // every package sits on a platform of an environment that lists it
      for (const pkg of inventory.packages) {
        for (const name of pkg.environments) {
          const env = inventory.environments.find((e) => e.name === name);
          assert.ok(
            env?.platforms.some((p) => p.subdir === pkg.platform && p.packages.includes(pkg)),
            `${pkg.name} in ${name}`,
          );
        }
        if (pkg.ecosystem === 'conda' && pkg.kind === 'registry') {
          assert.ok(pkg.version && pkg.build !== undefined && pkg.subdir, `${pkg.location} is complete`);
        }
      }
    });
  }

  it('every lock parsed in pieces, cut before each entry, gives the document (or the error) of the whole-text parse', () => {
    let pieced = 0;
    for (const row of rows) {
      const file = corpus(row.path);
      const text = readFileSync(file, 'utf8');
      const outcome = (chunking: ChunkOptions) => {
        try {
          return loadYaml(text, file, { lockFile: true, subset: false, chunking });
        } catch (error) {
          return error instanceof CvebuildError ? error.toLine() : error;
        }
      };
      const everyEntry = { minBytes: 0, pieceBytes: 1 };
      if (loadLockInPieces(text, { schema: lockSchema(), maxAliases: 0, maxDepth: 64 }, everyEntry) !== undefined)
        pieced++;
      assert.deepEqual(outcome(everyEntry), outcome({ minBytes: Number.POSITIVE_INFINITY }), row.path);
    }
    // every pixi.lock of the 24 projects; the rest are rattler's small test locks and conda-lock files
    const projects = rows.filter((row) => /^pixi\/[^/]+\/pixi\.lock$/.test(row.path)).length;
    assert.ok(pieced >= projects, `${pieced} of ${rows.length} locks were parsed in pieces`);
  });

  it('every lock the fast subset reader accepts reads as js-yaml reads it, and it accepts the 24 projects', () => {
    let accepted = 0;
    let projects = 0;
    for (const row of rows) {
      const text = readFileSync(corpus(row.path), 'utf8');
      const subset = loadLockSubset(text);
      const isProject = /^pixi\/pixi-ex-[^/]+\/pixi\.lock$|^pixi\/[^/]+\/pixi\.lock$/.test(row.path);
      if (subset === undefined) {
        assert.ok(!isProject || text.startsWith('#'), `the subset reader gave up on ${row.path}`);
        continue;
      }
      accepted++;
      if (isProject) projects++;
      let whole: unknown;
      try {
        whole = load(text, { schema: lockSchema(), maxAliases: 0 });
      } catch (error) {
        assert.fail(`${row.path}: the subset reader accepted a text js-yaml refuses (${String(error)})`);
      }
      assert.deepEqual(subset, whole, row.path);
    }
    assert.ok(projects >= 22, `only ${projects} project locks read by the subset reader`);
    assert.ok(accepted >= rows.length / 2, `${accepted} of ${rows.length} locks read by the subset reader`);
  });

  const negatives: [string, Parameters<typeof assertCvebuildError>[1], string][] = [
    ['pixi/rattler-lock-testdata/forward-compatible-lock.yml', 'LOCK_UNSUPPORTED_VERSION', 'version 1000 is newer'],
    ['pixi/rattler-lock-testdata/parse-fails/v7/duplicate_platform.yml', 'YAML_SYNTAX', 'duplicated mapping key'],
    ['pixi/rattler-lock-testdata/parse-fails/v7/missing_platform.yml', 'LOCK_INVALID', '"UNKNOWN" is not declared'],
    [
      'pixi/rattler-lock-testdata/parse-fails/v7/invalid_platform_subdir.yml',
      'LOCK_INVALID',
      '"linux-XX" is not a conda platform',
    ],
  ];
  for (const [path, code, reason] of negatives) {
    it(`refuses ${path}`, () => {
      assertCvebuildError(() => readInventory(corpus(path)), code, corpus(path), reason);
    });
  }

  it('every negative fixture in the corpus is covered above', () => {
    const listed = rows
      .filter((row) => NEGATIVE.test(row.path))
      .map((row) => row.path)
      .sort();
    assert.deepEqual(listed, negatives.map(([path]) => path).sort());
  });
});

describe('corpus projects and other conda files', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  const projectDirectories = hasCorpus
    ? readdirSync(corpus('pixi'))
        .map((name) => join(corpus('pixi'), name))
        .filter((path) => statSync(path).isDirectory() && !path.endsWith('rattler-lock-testdata'))
    : [];

  for (const directory of projectDirectories) {
    it(`reads the project directory ${relative(corpusRoot, directory)}`, () => {
      const inventory = readInventory(directory);
      const formats = inventory.sources.map((s) => s.format);
      assert.ok(formats.includes('pixi-lock'), `found ${formats.join(', ')}`);
      assert.ok(formats.includes('pixi-manifest') || formats.includes('pyproject'));
      assert.ok(inventory.packages.length > 0);
    });
  }

  const everyFile = (root: string): string[] =>
    readdirSync(root).flatMap((name) => {
      const path = join(root, name);
      return statSync(path).isDirectory() ? everyFile(path) : [path];
    });

  it('reads every file under pixi/ and conda/ that is a supported format, refusing only the negative fixtures', () => {
    const files = hasCorpus ? [...everyFile(corpus('pixi')), ...everyFile(corpus('conda'))] : [];
    let read = 0;
    for (const file of files.filter((f) => !/\.json$/.test(f))) {
      if (NEGATIVE.test(file)) continue;
      const inventory = readInventory(file);
      assert.equal(inventory.sources.length, 1, file);
      read++;
    }
    assert.ok(read >= 100, `read ${read} files`);
  });
});
