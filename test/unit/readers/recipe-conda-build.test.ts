// conda-build meta.yaml reader: Jinja variables, selectors, {% if %} blocks, repeated keys, outputs; one fixture per failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../../src/errors.ts';
import { condaBuildRecipeReader } from '../../../src/readers/recipe.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture as anyFixture } from '../../helpers/paths.ts';

const fixture = (name: string) => anyFixture(`recipes/conda-build/${name}`);

describe('conda-build reader: a feedstock recipe', () => {
  const file = fixture('feedstock.yaml');
  const output = condaBuildRecipeReader.read(file);
  const dependencies = output.manifest?.dependencies ?? [];
  const byName = (name: string) => dependencies.find((dep) => dep.name === name);

  it('renders {% set %} variables and filters in package and sources', () => {
    assert.deepEqual(output.manifest?.recipeOutputs, [{ name: 'pygeo', version: '1.4.2' }]);
    assert.deepEqual(output.manifest?.recipeSources, [
      {
        kind: 'url',
        location: 'https://pypi.io/packages/source/P/PyGeo/pygeo-1.4.2.tar.gz',
        sha256: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
        origin: { file, line: 11 },
      },
      {
        kind: 'git',
        location: 'https://github.com/example/pygeo-testdata.git',
        rev: 'v1.4.2',
        origin: { file, line: 13 },
      },
    ]);
    assert.deepEqual(output.source, {
      path: file,
      format: 'conda-build-recipe',
      records: { conda: 0, pypi: 0, condaSource: 0 },
    });
  });

  it('reads every section, skipping compiler() and stdlib()', () => {
    assert.deepEqual(
      dependencies.map((dep) => `${dep.scope} ${dep.name}`),
      [
        'build cmake',
        'host python',
        'host pip',
        'host numpy',
        'host cudatoolkit',
        'host libblas',
        'run python',
        'run numpy',
        'run pywin32',
        'run __unix',
        'constraint pygeo-data',
      ],
    );
  });

  it('reads a bare version as conda-build does (python 3.10 → 3.10.*)', () => {
    assert.equal(byName('python')?.spec, '3.10.*');
    assert.equal(byName('pygeo-data')?.spec, '==1.4.2');
  });

  it('turns pin_compatible() into a dependency on the package', () => {
    const numpyRun = dependencies.find((dep) => dep.name === 'numpy' && dep.scope === 'run');
    assert.deepEqual(numpyRun, {
      ecosystem: 'conda',
      name: 'numpy',
      normalizedName: 'numpy',
      spec: '',
      scope: 'run',
      group: 'pygeo',
      origin: { file, line: 40 },
    });
  });

  it('keeps selector lines and both {% if %} branches, noting the condition', () => {
    assert.equal(byName('pywin32')?.group, 'pygeo [win]');
    assert.equal(byName('__unix')?.group, 'pygeo [unix]');
    assert.equal(byName('cudatoolkit')?.group, 'pygeo [cuda_compiler_version != "None"]');
    assert.equal(byName('libblas')?.group, 'pygeo [not (cuda_compiler_version != "None")]');
    assert.equal(byName('libblas')?.origin.line, 36);
  });

  it('keeps an unresolvable variable as written, warns, and reports the repeated selector key', () => {
    assert.equal(byName('cudatoolkit')?.spec, '{{ cuda_compiler_version }}');
    assert.deepEqual(
      output.warnings.map((warning) => [warning.origin?.line, warning.message]),
      [
        [21, '"script" repeats a key under another selector; only the first value is read'],
        [
          34,
          'cannot resolve {{ cuda_compiler_version }} in dependency "cudatoolkit {{ cuda_compiler_version }}"; kept as written',
        ],
      ],
    );
  });
});

describe('conda-build reader: outputs', () => {
  const file = fixture('multi-output.yaml');
  const output = condaBuildRecipeReader.read(file);

  it('lists the package and every output, versions inherited unless given', () => {
    assert.deepEqual(output.manifest?.recipeOutputs, [
      { name: 'toolkit-split', version: '3.0.1' },
      { name: 'libtoolkit', version: '3.0.1' },
      { name: 'toolkit-cli', version: '3.0.1.post1' },
    ]);
  });

  it('groups requirements by output; a plain list is run requirements', () => {
    assert.deepEqual(
      output.manifest?.dependencies?.map((dep) => [dep.group, dep.scope, dep.name, dep.spec, dep.origin.line]),
      [
        ['toolkit-split', 'build', 'make', '', 13],
        ['libtoolkit', 'run', 'zlib', '', 21],
        ['toolkit-cli', 'run', 'libtoolkit', '', 25],
        ['toolkit-cli', 'run', 'click', '>=8', 26],
      ],
    );
  });
});

describe('conda-build reader: unresolvable templates', () => {
  const file = fixture('unresolved-version.yaml');
  const output = condaBuildRecipeReader.read(file);

  it('keeps load_setup_py_data() and environ results as raw text, with warnings', () => {
    assert.deepEqual(output.manifest?.recipeOutputs, [{ name: 'legacy', version: "{{ data.get('version') }}" }]);
    assert.equal(
      output.manifest?.dependencies?.find((dep) => dep.name === 'requests')?.spec,
      "{{ environ.get('REQUESTS_PIN', '') }}",
    );
    assert.deepEqual(
      output.warnings.map((warning) => warning.origin?.line),
      [5, 13],
    );
    assert.deepEqual(output.manifest?.recipeSources, [{ kind: 'path', location: '..', origin: { file, line: 8 } }]);
  });
});

describe('conda-build reader: failures', () => {
  const cases: [string, ErrorCode, number | undefined, string][] = [
    ['empty.yaml', 'RECIPE_INVALID', undefined, 'empty recipe'],
    ['not-a-mapping.yaml', 'RECIPE_INVALID', undefined, 'expected a mapping'],
    ['no-package.yaml', 'RECIPE_INVALID', undefined, 'neither "package" nor "outputs"'],
    ['output-without-name.yaml', 'RECIPE_INVALID', undefined, 'outputs[0].name'],
    ['invalid-matchspec.yaml', 'RECIPE_INVALID', 8, 'unbalanced brackets'],
    ['bad-sha256.yaml', 'RECIPE_INVALID', 6, 'not a sha256 hex digest'],
    ['source-without-location.yaml', 'RECIPE_INVALID', undefined, 'source needs "url", "git_url" or "path"'],
    ['duplicate-key.yaml', 'YAML_SYNTAX', 4, 'duplicated mapping key'],
    ['missing.yaml', 'INPUT_NOT_FOUND', undefined, 'no such file'],
  ];
  for (const [name, code, line, includes] of cases) {
    it(`${name} → ${code}`, () => {
      const file = fixture(name);
      const error = assertCvebuildError(() => condaBuildRecipeReader.read(file), code, file, includes);
      assert.equal(error.location.line, line);
    });
  }
});
