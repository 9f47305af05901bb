// environment.yml reader: channels, pip indexes, conda and pip dependencies with lines and selectors; one fixture per failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../../src/errors.ts';
import type { DeclaredDependency } from '../../../src/model/inventory.ts';
import { environmentYmlReader } from '../../../src/readers/environment-yml.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture as anyFixture } from '../../helpers/paths.ts';

const fixture = (name: string) => anyFixture(`environment-yml/${name}`);

function dependency(dependencies: DeclaredDependency[] | undefined, name: string): DeclaredDependency {
  const found = dependencies?.find((dep) => dep.name === name);
  assert.ok(found, `no dependency ${name}`);
  return found;
}

describe('environment.yml reader: a full file', () => {
  const file = fixture('full.environment.yml');
  const output = environmentYmlReader.read(file);
  const dependencies = output.manifest?.dependencies;

  it('declares and resolves nothing', () => {
    assert.deepEqual(output.environments, []);
    assert.deepEqual(output.source, {
      path: file,
      format: 'environment-yml',
      records: { conda: 0, pypi: 0, condaSource: 0 },
    });
  });

  it('keeps channels in order, nodefaults included', () => {
    assert.deepEqual(output.manifest?.channels, ['conda-forge', 'nodefaults']);
  });

  it('puts --index-url first and --extra-index-url after it', () => {
    assert.deepEqual(output.manifest?.indexes, [
      'https://pypi.internal.example/simple',
      'https://download.pytorch.org/whl/cpu',
    ]);
  });

  it('reads conda MatchSpecs with their version spec, channel and line', () => {
    assert.deepEqual(dependency(dependencies, 'python'), {
      ecosystem: 'conda',
      name: 'python',
      normalizedName: 'python',
      spec: '3.12.*',
      scope: 'run',
      group: 'analysis',
      origin: { file, line: 12 },
    });
    assert.equal(dependency(dependencies, 'numpy').spec, '>=1.26,<2');
    assert.equal(dependency(dependencies, 'pandas').channel, 'conda-forge');
    assert.equal(dependency(dependencies, 'pandas').spec, '==2.2.3');
    assert.equal(dependency(dependencies, 'blas').spec, '*');
  });

  it('notes a selector comment in the group without evaluating it', () => {
    const pywin32 = dependency(dependencies, 'pywin32');
    assert.equal(pywin32.group, 'analysis [win]');
    assert.equal(pywin32.origin.line, 16);
  });

  it('reads pip requirements as PyPI dependencies', () => {
    const requests = dependency(dependencies, 'requests');
    assert.equal(requests.ecosystem, 'pypi');
    assert.equal(requests.spec, '>=2.31');
    assert.equal(requests.origin.line, 21);
    assert.equal(dependency(dependencies, 'torch').spec, '==2.5.1');
  });

  it('names editable and VCS requirements after their path or repository', () => {
    assert.equal(dependency(dependencies, 'cli').reference, './tools/cli');
    const click = dependency(dependencies, 'click');
    assert.equal(click.reference, 'git+https://github.com/pallets/click@8.1.7');
    assert.equal(click.origin.line, 24);
  });

  it('counts pip and conda dependencies separately', () => {
    assert.equal(dependencies?.filter((dep) => dep.ecosystem === 'conda').length, 6);
    assert.equal(dependencies?.filter((dep) => dep.ecosystem === 'pypi').length, 4);
  });

  it('warns about pip options it does not follow', () => {
    assert.deepEqual(
      output.warnings.map((warning) => [warning.message, warning.origin?.line]),
      [
        ['pip option --find-links is not evaluated', 25],
        ['pip requirements file "requirements-dev.txt" is not read', 26],
      ],
    );
  });
});

describe('environment.yml reader: variants', () => {
  it('maps a conda-lock dev category file to scope dev, grouped by category', () => {
    const output = environmentYmlReader.read(fixture('category-dev.yml'));
    const dependencies = output.manifest?.dependencies ?? [];
    assert.deepEqual(
      dependencies.map((dep) => [dep.name, dep.spec, dep.scope, dep.group]),
      [
        ['ruff', '', 'dev', 'dev'],
        ['pytest', '>=8', 'dev', 'dev'],
      ],
    );
    assert.deepEqual(output.manifest?.channels, []);
  });

  it('takes conda-lock pip-repositories as indexes', () => {
    const output = environmentYmlReader.read(fixture('pip-repositories.environment.yml'));
    assert.deepEqual(output.manifest?.indexes, ['https://private.example/simple']);
  });

  it('warns about an unknown top-level key instead of failing', () => {
    const output = environmentYmlReader.read(fixture('unknown-key.yml'));
    assert.deepEqual(
      output.warnings.map((warning) => warning.message),
      ['unknown key "platform" in environment file, ignored'],
    );
  });
});

describe('environment.yml reader: failures', () => {
  const cases: [string, ErrorCode, number | undefined, string][] = [
    ['empty.yml', 'ENV_FILE_INVALID', undefined, 'empty environment file'],
    ['not-a-mapping.yml', 'ENV_FILE_INVALID', undefined, 'expected a mapping'],
    ['yaml-syntax.yml', 'YAML_SYNTAX', 4, 'YAML syntax error'],
    ['invalid-matchspec.yml', 'ENV_FILE_INVALID', 5, 'unbalanced brackets'],
    ['invalid-pip-requirement.yml', 'ENV_FILE_INVALID', 4, 'invalid version clause'],
    ['dependency-not-a-string.yml', 'ENV_FILE_INVALID', undefined, 'dependencies[1]'],
    ['channels-not-a-list.yml', 'ENV_FILE_INVALID', undefined, 'channels'],
    ['index-url-without-value.yml', 'ENV_FILE_INVALID', 3, '--index-url needs a URL'],
    ['missing.yml', 'INPUT_NOT_FOUND', undefined, 'no such file'],
  ];
  for (const [name, code, line, includes] of cases) {
    it(`${name} → ${code}`, () => {
      const file = fixture(name);
      const error = assertCvebuildError(() => environmentYmlReader.read(file), code, file, includes);
      assert.equal(error.location.line, line);
    });
  }
});
