/**
 * The recipe rules on the real recipes of the corpus: every url source there carries a sha256, so
 * no source finding; no build script pipes a download into a shell. And the Python scan over the
 * corpus's real build scripts and recipes stays quiet where they are benign.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { CodeFile } from '../../src/code/types.ts';
import { recipeFilesOf, scanRecipeFiles, scanRecipeText } from '../../src/sast/recipe.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

function recipeTree(): CodeFile[] {
  if (!hasCorpus) return [];
  const root = corpus('recipes');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((absolute) => ({ path: relative(root, absolute), absolute, size: statSync(absolute).size }));
}

describe('recipe rules on the corpus recipes', { skip: SKIP }, () => {
  const files = recipeTree();

  it('picks every recipe and build script', () => {
    const picked = recipeFilesOf(files).map((f) => f.path);
    assert.ok(picked.includes('conda-forge/numpy-feedstock/recipe.yaml'));
    assert.ok(picked.includes('conda-forge/numpy-feedstock/build.sh'));
    assert.ok(picked.includes('conda-forge/nb_conda_kernels-feedstock/bld.bat'));
    assert.ok(picked.includes('rattler-link-scripts/post-link.sh'), 'scripts beside a recipe');
    assert.ok(!picked.includes('rattler-build/test-data/channel_sources/conda_build_config.yaml'));
  });

  it('recipes whose url sources have a sha256 give no source finding; none pipes a download into a shell', async () => {
    const hits = await scanRecipeFiles(files);
    assert.deepEqual(
      hits.map((h) => `${h.file}:${h.line}:${h.rule}`),
      [],
    );
  });

  it('removing the sha256 from a real recipe is caught at the url line', async () => {
    const numpy = files.find((f) => f.path === 'conda-forge/numpy-feedstock/recipe.yaml');
    assert.ok(numpy);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(numpy.absolute, 'utf8');
    const lines = text.split('\n');
    const urlLine = lines.findIndex((line) => /^\s*(-\s+)?url:/.test(line)) + 1;
    const stripped = lines.filter((line) => !/^\s*sha256:/.test(line)).join('\n');
    const hits = scanRecipeText(numpy.path, stripped).filter((h) => h.rule === 'recipe-source-no-checksum');
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.line, urlLine);
  });
});
