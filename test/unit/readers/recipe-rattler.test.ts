// rattler-build recipe reader: outputs, sources, requirements per output, `${{ }}` templates and `if:` entries.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings hold rattler-build `${{ … }}` templates, not JS ones
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../../src/errors.ts';
import { rattlerRecipeReader } from '../../../src/readers/recipe.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture as anyFixture } from '../../helpers/paths.ts';

const fixture = (name: string) => anyFixture(`recipes/rattler/${name}`);

describe('rattler recipe reader: a multi-output recipe', () => {
  const file = fixture('multi-output.yaml');
  const output = rattlerRecipeReader.read(file);
  const manifest = output.manifest;
  const dependencies = manifest?.dependencies ?? [];
  const summary = (group: string) =>
    dependencies
      .filter((dep) => dep.group?.startsWith(group))
      .map((dep) => `${dep.scope} ${dep.name} ${dep.spec}`.trim());

  it('declares no packages and counts no records', () => {
    assert.deepEqual(output.environments, []);
    assert.deepEqual(output.source, {
      path: file,
      format: 'rattler-recipe',
      records: { conda: 0, pypi: 0, condaSource: 0 },
    });
  });

  it('lists every output, versions defaulting to the recipe version', () => {
    assert.deepEqual(manifest?.recipeOutputs, [
      { name: 'libgeotool', version: '2.4.1' },
      { name: 'pygeotool', version: '0.9.0' },
    ]);
  });

  it('renders context variables and filters in source URLs; each mirror is a source', () => {
    const checksum = '5f2c3f4d0b1a29e8c7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4';
    assert.deepEqual(manifest?.recipeSources, [
      {
        kind: 'url',
        location: 'https://downloads.example.org/G/geotool-2.4.1.tar.gz',
        sha256: checksum,
        origin: { file, line: 16 },
      },
      {
        kind: 'url',
        location: 'https://mirror.example.org/geotool/v2_4_1.tar.gz',
        sha256: checksum,
        origin: { file, line: 17 },
      },
      {
        kind: 'git',
        location: 'https://github.com/example/geotool-data.git',
        rev: 'v2.4.1',
        origin: { file, line: 19 },
      },
    ]);
  });

  it('skips compiler() and stdlib(), keeps both branches of platform conditions, evaluates context ones', () => {
    assert.deepEqual(summary('libgeotool'), [
      'build cmake >=3.20',
      'build ninja',
      'build make',
      'build nasm',
      'host zlib',
      'host libblas',
      'host proj ${{ env.get("PROJ_VERSION") }}',
      'run zlib >=1.3',
      'constraint geotool-data ==2.4.1',
    ]);
  });

  it('notes platform conditions in the group', () => {
    const group = (name: string) => dependencies.find((dep) => dep.name === name)?.group;
    assert.equal(group('ninja'), 'libgeotool [win]');
    assert.equal(group('make'), 'libgeotool [not (win)]');
    assert.equal(group('nasm'), 'libgeotool [win]');
    assert.equal(group('cmake'), 'libgeotool');
  });

  it('turns pin_subpackage() into a dependency on the pinned output; run_exports are not dependencies', () => {
    assert.deepEqual(summary('pygeotool'), [
      'host python',
      'host libgeotool',
      'run python >=3.10',
      'run numpy >=1.26',
      'run libgeotool',
    ]);
    assert.equal(dependencies.find((dep) => dep.name === 'numpy')?.channel, 'conda-forge');
  });

  it('gives each dependency its line', () => {
    const lineOf = (name: string, group: string) =>
      dependencies.find((dep) => dep.name === name && dep.group === group)?.origin.line;
    assert.equal(lineOf('cmake', 'libgeotool'), 33);
    assert.equal(lineOf('make', 'libgeotool [not (win)]'), 37);
    assert.equal(lineOf('python', 'pygeotool'), 56);
    assert.equal(
      dependencies
        .filter((dep) => dep.name === 'libgeotool')
        .map((dep) => dep.origin.line)
        .join(),
      '57,61',
    );
  });

  it('keeps an unresolvable template as written and warns once', () => {
    assert.deepEqual(output.warnings, [
      {
        message:
          'cannot resolve ${{ env.get("PROJ_VERSION") }} in dependency "proj ${{ env.get("PROJ_VERSION") }}"; kept as written',
        origin: { file, line: 44 },
      },
    ]);
  });
});

describe('rattler recipe reader: a single-package recipe', () => {
  const file = fixture('single.yaml');
  const output = rattlerRecipeReader.read(file);

  it('reads package, path source and requirements', () => {
    assert.deepEqual(output.manifest?.recipeOutputs, [{ name: 'tiny', version: '1' }]);
    assert.deepEqual(output.manifest?.recipeSources, [{ kind: 'path', location: '../src', origin: { file, line: 6 } }]);
    assert.deepEqual(
      output.manifest?.dependencies?.map((dep) => [dep.scope, dep.name, dep.spec, dep.group]),
      [
        ['host', 'python', '3.12.*', 'tiny'],
        ['run', 'python', '', 'tiny'],
      ],
    );
    assert.deepEqual(output.warnings, []);
  });
});

describe('rattler recipe reader: cache, staging and conditional outputs', () => {
  const file = fixture('staging-and-cache.yaml');
  const output = rattlerRecipeReader.read(file);

  it('lists packages only; a conditional output is listed with its dependencies noted', () => {
    assert.deepEqual(output.manifest?.recipeOutputs, [
      { name: 'libstaged', version: '1.0.0' },
      { name: 'staged-unix-tools', version: '1.0.0' },
    ]);
    assert.deepEqual(
      output.manifest?.dependencies?.map((dep) => [dep.group, dep.scope, dep.name, dep.origin.line]),
      [
        ['staged cache', 'build', 'cmake', 11],
        ['core-build', 'build', 'ninja', 18],
        ['libstaged', 'run', 'zlib', 23],
        ['staged-unix-tools [unix]', 'run', 'bash', 30],
      ],
    );
  });
});

describe('rattler recipe reader: failures', () => {
  const cases: [string, ErrorCode, number | undefined, string][] = [
    ['empty.yaml', 'RECIPE_INVALID', undefined, 'empty recipe'],
    ['not-a-mapping.yaml', 'RECIPE_INVALID', undefined, 'expected a mapping'],
    ['no-package.yaml', 'RECIPE_INVALID', undefined, 'neither "package" nor "outputs"'],
    ['output-without-package.yaml', 'RECIPE_INVALID', undefined, 'outputs[0]'],
    ['invalid-matchspec.yaml', 'RECIPE_INVALID', 8, 'unbalanced brackets'],
    ['requirement-not-a-string.yaml', 'RECIPE_INVALID', undefined, 'requirements.run[0]'],
    ['bad-sha256.yaml', 'RECIPE_INVALID', 6, 'not a sha256 hex digest'],
    ['source-without-location.yaml', 'RECIPE_INVALID', undefined, 'source needs "url", "git" or "path"'],
    ['yaml-syntax.yaml', 'YAML_SYNTAX', 4, 'YAML syntax error'],
    ['missing.yaml', 'INPUT_NOT_FOUND', undefined, 'no such file'],
  ];
  for (const [name, code, line, includes] of cases) {
    it(`${name} → ${code}`, () => {
      const file = fixture(name);
      const error = assertCvebuildError(() => rattlerRecipeReader.read(file), code, file, includes);
      assert.equal(error.location.line, line);
    });
  }
});
