import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pixiManifestReader, pyprojectReader } from '../../../src/readers/pixi-manifest.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { writeTemp } from '../../helpers/temp.ts';

describe('pixi.toml', () => {
  const { manifest, source } = pixiManifestReader.read(fixture('manifests/pixi.toml'));

  it('reads channels, with per-channel exclude-newer', () => {
    assert.equal(source.format, 'pixi-manifest');
    assert.deepEqual(manifest?.channels, ['conda-forge', 'https://prefix.dev/internal']);
    assert.equal(manifest?.excludeNewer?.channels.get('https://prefix.dev/internal')?.value, '0d');
  });

  it('reads the workspace and per-package cutoffs with their lines', () => {
    const excludeNewer = manifest?.excludeNewer;
    assert.deepEqual(excludeNewer?.workspace, {
      value: '7d',
      origin: { file: fixture('manifests/pixi.toml'), line: 5 },
    });
    assert.equal(excludeNewer?.packages.get('openssl')?.value, '0d');
    assert.equal(excludeNewer?.packages.get('openssl')?.origin.line, 8);
    assert.equal(
      excludeNewer?.pypiPackages.get('torch-vision')?.value,
      '2025-01-01',
      'PyPI names are PEP 503 normalized',
    );
  });

  it('collects PyPI indexes from the workspace and features', () => {
    assert.deepEqual(manifest?.indexes, [
      'https://pypi.org/simple',
      'https://user:s3cret@pypi.internal.example/simple',
      'https://mirror.example.org/simple',
    ]);
  });

  it('declares dependencies per table, feature and target', () => {
    const deps = manifest?.dependencies?.map((d) => [
      d.ecosystem,
      d.name,
      d.spec,
      d.scope,
      d.group ?? '',
      d.origin.line,
    ]);
    assert.deepEqual(deps, [
      ['conda', 'python', '3.12.*', 'run', '', 18],
      ['conda', 'numpy', '>=1.26', 'run', '', 19],
      ['pypi', 'requests', '==2.32.4', 'run', '', 22],
      ['pypi', 'mylib', '', 'run', '', 23],
      ['conda', 'pywin32', '', 'run', 'win-64', 26],
      ['conda', 'pytest', '>=8', 'run', 'test', 29],
    ]);
    const numpy = manifest?.dependencies?.find((d) => d.name === 'numpy');
    assert.equal(numpy?.channel, 'conda-forge');
    assert.equal(manifest?.dependencies?.find((d) => d.name === 'mylib')?.reference, './mylib');
  });
});

describe('pyproject.toml', () => {
  const { manifest, source } = pyprojectReader.read(fixture('manifests/pyproject.toml'));

  it('reads pixi ≥ 0.84 cutoff tables with exemptions', () => {
    assert.equal(source.format, 'pyproject');
    assert.equal(manifest?.excludeNewer?.workspace?.value, '14d');
    assert.equal(manifest?.excludeNewer?.pypiWorkspace?.value, '7d');
    assert.deepEqual(
      manifest?.excludeNewer?.exemptions,
      new Map([
        ['polars', '1.43.1'],
        ['py-rattler', '*'],
      ]),
    );
    assert.deepEqual(manifest?.excludeNewer?.pypiExemptions, new Map([['torch', '*']]));
  });

  it('reads [project] dependencies, extras and dependency groups as PEP 508', () => {
    const deps = manifest?.dependencies?.map((d) => [d.ecosystem, d.name, d.spec, d.scope, d.group ?? '']);
    assert.deepEqual(deps, [
      ['conda', 'python', '>=3.11', 'run', ''],
      ['pypi', 'requests', '>=2.31', 'run', ''],
      ['pypi', 'rich', '', 'run', ''],
      ['pypi', 'matplotlib', '>=3.8', 'optional', 'plot'],
      ['pypi', 'pytest', '>=8', 'dev', 'dev'],
      ['pypi', 'ruff', '', 'dev', 'lint'],
    ]);
  });
});

describe('manifests that must be refused', () => {
  const cases: [string, string, Parameters<typeof assertCvebuildError>[1], ...string[]][] = [
    ['malformed TOML', '[workspace\nname = "x"\n', 'TOML_SYNTAX', ':1', 'TOML syntax error'],
    ['duplicate key', '[dependencies]\npython = "3"\npython = "4"\n', 'TOML_SYNTAX', ':3'],
    [
      'a date that does not exist (smol-toml rolls it over)',
      '[workspace]\nname = "x"\nexclude-newer = 2026-02-31\n',
      'TOML_SYNTAX',
      ':3',
      '2026-02-31 is not a date',
    ],
    [
      'channels not a list',
      '[workspace]\nchannels = "conda-forge"\n',
      'MANIFEST_INVALID',
      'workspace.channels',
      'expected a list',
    ],
    [
      'cutoff of the wrong type',
      '[workspace]\nexclude-newer = 7\n',
      'MANIFEST_INVALID',
      'workspace.exclude-newer',
      ':2',
    ],
    [
      'dependency table not a table',
      'dependencies = ["numpy"]\n',
      'MANIFEST_INVALID',
      'dependencies',
      'expected a mapping',
    ],
    [
      'version of the wrong type',
      '[dependencies]\nnumpy = { version = 2 }\n',
      'MANIFEST_INVALID',
      'dependencies.numpy.version',
      ':2',
    ],
  ];
  for (const [title, text, code, ...fragments] of cases) {
    it(title, () => {
      const path = writeTemp('pixi.toml', text);
      assertCvebuildError(() => pixiManifestReader.read(path), code, path, ...fragments);
    });
  }
});
