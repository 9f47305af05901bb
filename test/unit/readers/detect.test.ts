import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { detectInputs } from '../../../src/readers/detect.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const formats = (path: string) => detectInputs(path).map((input) => input.reader.format);

describe('detecting inputs', () => {
  it('reads every project file of a directory, in name order', () => {
    const dir = tempDirectory();
    copyFileSync(fixture('pixi-lock/v5-legacy-duplicates.lock'), join(dir, 'pixi.lock'));
    copyFileSync(fixture('manifests/pixi.toml'), join(dir, 'pixi.toml'));
    copyFileSync(fixture('manifests/pyproject.toml'), join(dir, 'pyproject.toml'));
    writeFileSync(join(dir, 'unrelated.txt'), 'hello');
    writeFileSync(join(dir, 'notes.lock'), 'not yaml at all');
    assert.deepEqual(formats(dir), ['pixi-lock', 'pixi-manifest', 'pyproject']);
  });

  it('recognises files by content when the name is generic', () => {
    assert.deepEqual(formats(fixture('pixi-lock/v7-named-platforms.lock')), ['pixi-lock']);
    assert.deepEqual(formats(fixture('pixi-lock/conda-lock-v1.yml')), ['pixi-lock']);
    assert.deepEqual(formats(writeTemp('linux.txt', '# platform: linux-64\n@EXPLICIT\n')), ['explicit']);
    assert.deepEqual(formats(writeTemp('dev.yml', 'channels: [conda-forge]\ndependencies: [numpy]\n')), [
      'environment-yml',
    ]);
  });

  it('reads recipes, also under recipe/', () => {
    const dir = tempDirectory();
    mkdirSync(join(dir, 'recipe'));
    const recipe = writeTemp('x.yaml', 'package:\n  name: demo\n  version: 1.0\nrequirements:\n  run:\n    - python\n');
    copyFileSync(recipe, join(dir, 'recipe', 'recipe.yaml'));
    assert.deepEqual(formats(dir), ['rattler-recipe']);
    assert.equal(readInventory(dir).manifest.recipeOutputs[0]?.name, 'demo');
  });

  it('treats a directory holding conda-meta/ as an installed environment', () => {
    const dir = tempDirectory();
    mkdirSync(join(dir, 'conda-meta'));
    writeFileSync(join(dir, 'environment.yml'), 'dependencies: [numpy]\n');
    assert.deepEqual(formats(dir), ['conda-meta']);
  });

  it('says what it looked for when nothing is there', () => {
    assertCvebuildError(
      () => detectInputs(tempDirectory()),
      'INPUT_UNRECOGNIZED',
      'no project files found',
      'pixi.lock',
    );
    assertCvebuildError(
      () => detectInputs(writeTemp('notes.md', '# hi')),
      'INPUT_UNRECOGNIZED',
      'not a format cvebuild reads',
    );
  });
});
