/**
 * Every environment file, `@EXPLICIT` list and recipe in the corpus reads without error, and
 * yields the facts a look at the file shows: counts recomputed here from the text, names,
 * versions, channels, sources, selectors.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { DeclaredDependency } from '../../src/model/inventory.ts';
import { condaMetaReader } from '../../src/readers/conda-meta.ts';
import { environmentYmlReader } from '../../src/readers/environment-yml.ts';
import { explicitReader } from '../../src/readers/explicit.ts';
import { condaBuildRecipeReader, rattlerRecipeReader } from '../../src/readers/recipe.ts';
import type { ReaderOutput } from '../../src/readers/types.ts';
import { corpus, corpusRoot, hasCorpus } from '../helpers/paths.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

function filesUnder(directory: string): string[] {
  if (!hasCorpus) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const condaFiles = filesUnder(corpus('conda'));
const text = (file: string) => readFileSync(file, 'utf8');
/** conda-lock files have a `package:` list whose entries name their `manager:`. */
const isCondaLock = (file: string) => /^package:/m.test(text(file)) && /^\s+manager:/m.test(text(file));
const environmentFiles = condaFiles.filter((file) => /\.ya?ml$/.test(file) && !isCondaLock(file));
const explicitFiles = condaFiles.filter((file) => /^@EXPLICIT\s*$/m.test(text(file)));
const recipeFiles = filesUnder(corpus('recipes')).filter((file) =>
  ['recipe.yaml', 'meta.yaml'].includes(basename(file)),
);
const name = (file: string) => relative(corpusRoot, file);

function dependency(output: ReaderOutput, wanted: string, group?: string): DeclaredDependency {
  const found = output.manifest?.dependencies?.find(
    (dep) => dep.name === wanted && (group === undefined || dep.group === group),
  );
  assert.ok(found, `no dependency ${wanted}${group ? ` in ${group}` : ''}`);
  return found;
}

describe('corpus environment files', { skip: SKIP }, () => {
  const outputs = new Map(environmentFiles.map((file) => [name(file), environmentYmlReader.read(file)]));
  const read = (path: string) => outputs.get(path) ?? assert.fail(`${path} is not among the environment files`);

  it('finds the 27 environment files beside the conda-lock files', () => {
    assert.equal(environmentFiles.length, 27);
  });

  for (const file of environmentFiles) {
    it(`${name(file)}: every dependency has the line it is written on`, () => {
      const lines = text(file).split('\n');
      const output = read(name(file));
      assert.deepEqual(output.environments, []);
      for (const dep of output.manifest?.dependencies ?? []) {
        const line = lines[(dep.origin.line ?? 0) - 1] ?? '';
        assert.ok(line.includes(dep.reference ?? dep.name), `${dep.name} at line ${dep.origin.line}: ${line}`);
      }
    });
  }

  it('scipy: 48 conda dependencies, no pip section, libblas pinned by build only', () => {
    const output = read('conda/scipy/environment.yml');
    const listed = (text(corpus('conda/scipy/environment.yml')).split(/^dependencies:$/m)[1] ?? '')
      .split('\n')
      .filter((line) => /^ {2}- /.test(line)).length;
    const dependencies = output.manifest?.dependencies ?? [];
    assert.equal(dependencies.length, listed);
    assert.equal(listed, 48);
    assert.ok(dependencies.every((dep) => dep.ecosystem === 'conda' && dep.group === 'scipy-dev'));
    assert.equal(dependency(output, 'libblas').spec, '*');
    assert.equal(dependency(output, 'cython').spec, '>=3.2.0');
    assert.equal(dependency(output, 'click').spec, '<8.3.0');
    assert.deepEqual(output.manifest?.channels, ['conda-forge']);
  });

  it('asymmetric_vqgan: pinned conda packages and 19 pip requirements, three of them editable', () => {
    const output = read('conda/rattler-environments/asymmetric_vqgan.environment.yaml');
    const pypi = output.manifest?.dependencies?.filter((dep) => dep.ecosystem === 'pypi') ?? [];
    assert.equal(pypi.length, 19);
    assert.equal(dependency(output, 'pytorch').spec, '1.7.0.*');
    assert.equal(dependency(output, 'albumentations').spec, '==0.4.3');
    assert.equal(
      dependency(output, 'taming-transformers').reference,
      'git+https://github.com/CompVis/taming-transformers.git@master#egg=taming-transformers',
    );
    assert.equal(dependency(output, 'clip').reference, 'git+https://github.com/openai/CLIP.git@main#egg=clip');
    assert.deepEqual(output.manifest?.channels, ['pytorch', 'defaults']);
  });

  it('channel selection: nodefaults, channel::package, pip-repositories', () => {
    assert.deepEqual(read('conda/conda-lock-env-files/test-env-nodefaults.environment.yml').manifest?.channels, [
      'nodefaults',
      'conda-forge',
    ]);
    const inversion = read('conda/rattler-environments/channel_inversion.environment.yaml');
    assert.equal(dependency(inversion, 'cuda-python').channel, 'conda-forge');
    assert.equal(dependency(inversion, 'cudf').channel, undefined);
    assert.equal(
      dependency(read('conda/conda-lock-env-files/test-channel-inversion.environment.yaml'), 'libgomp').channel,
      'defaults',
    );
    assert.deepEqual(read('conda/conda-lock-env-files/test-pip-repositories.environment.yaml').manifest?.indexes, [
      'http://$PIP_USER:$PIP_PASSWORD@private-pypi.org/api/pypi/simple',
      'http://$PIP_USER:$PIP_PASSWORD@private-pypi-custom-port.org:8080/api/pypi/simple',
    ]);
  });

  it('pip forms: selector note, full URL, git tag, hash option, editable project', () => {
    const selector = read('conda/conda-lock-env-files/test-pip-with-platform-selector.environment.yml');
    assert.equal(dependency(selector, 'psutil').group, 'test-pip-with-platform-selector [linux64]');
    const fullUrl = read('conda/conda-lock-env-files/test-pip-full-url.environment.yml');
    assert.match(
      dependency(fullUrl, 'typing-extensions').reference ?? '',
      /typing_extensions-4\.8\.0-py3-none-any\.whl#sha256=/,
    );
    const gitTag = read('conda/conda-lock-env-files/test-git-tag.environment.yml');
    assert.equal(dependency(gitTag, 'pydantic').reference, 'git+https://github.com/pydantic/pydantic@v2.0b2');
    assert.equal(
      dependency(read('conda/conda-lock-env-files/test-pip-hash-checking.environment.yml'), 'flit-core').spec,
      '===3.9.0',
    );
    assert.equal(
      dependency(read('conda/conda-lock-env-files/test-local-pip.environment.yml'), 'conda-lock-env-files').reference,
      '.',
    );
  });

  it('conda-lock category files: dev is a dev scope, other categories optional', () => {
    assert.equal(dependency(read('conda/conda-lock-v2-to-v3-upgrade/dev-dependencies.yml'), 'ruff').scope, 'dev');
    assert.equal(
      dependency(read('conda/conda-lock-v2-to-v3-upgrade/test-dependencies.yml'), 'pylint').scope,
      'optional',
    );
    assert.equal(dependency(read('conda/conda-lock-multiple-categories/main.yml'), 'python').scope, 'run');
    assert.equal(
      dependency(read('conda/rattler-environments/conda_lock_dev.environment.yaml'), 'mamba').group,
      'conda-lock-dev',
    );
  });

  it('the misspelt "platform:" key is a warning, not an error', () => {
    const output = read('conda/conda-lock-pypi-resolve-gh155/environment.yml');
    assert.deepEqual(
      output.warnings.map((warning) => warning.message),
      ['unknown key "platform" in environment file, ignored'],
    );
  });
});

describe('corpus @EXPLICIT lists', { skip: SKIP }, () => {
  it('finds the six explicit lists', () => {
    assert.equal(explicitFiles.length, 6);
  });

  for (const file of explicitFiles) {
    it(`${name(file)}: one package per URL line, on the header platform`, () => {
      const lines = text(file).split('\n');
      const urlLines = lines.filter((line) => /^https?:\/\//.test(line.trim()));
      const header = /^# platform: (\S+)$/m.exec(text(file))?.[1];
      const output = explicitReader.read(file);
      const platform = output.environments[0]?.platforms[0];
      assert.equal(output.source.records.conda, urlLines.length);
      assert.equal(platform?.packages.length, urlLines.length);
      assert.equal(platform?.name, header);
      for (const pkg of platform?.packages ?? []) {
        assert.ok(lines[(pkg.origin.line ?? 0) - 1]?.startsWith(pkg.location), `${pkg.name} line ${pkg.origin.line}`);
        assert.ok(pkg.location.includes(`/${pkg.name}-${pkg.version}-${pkg.build}.`));
      }
    });
  }

  it('ros-noetic: 568 packages from conda-forge and robostack, none with a hash', () => {
    const output = explicitReader.read(corpus('conda/rattler-explicit-envs/ros-noetic_linux-64.txt'));
    const packages = output.environments[0]?.platforms[0]?.packages ?? [];
    assert.equal(packages.length, 568);
    assert.deepEqual(output.environments[0]?.channels.sort(), [
      'https://conda.anaconda.org/conda-forge',
      'https://conda.anaconda.org/robostack',
    ]);
    assert.equal(packages.filter((pkg) => pkg.md5 || pkg.sha256).length, 0);
    assert.equal(packages.filter((pkg) => pkg.subdir === 'noarch').length, 175);
  });

  it('conda-lock explicit lists carry an md5 for every package', () => {
    const output = explicitReader.read(corpus('conda/conda-lock-zlib-explicit/conda-win-64.lock'));
    const packages = output.environments[0]?.platforms[0]?.packages ?? [];
    assert.ok(packages.every((pkg) => /^[0-9a-f]{32}$/.test(pkg.md5 ?? '')));
    assert.deepEqual(packages.find((pkg) => pkg.name === 'zlib') && [packages.at(-1)?.name, packages.at(-1)?.version], [
      'zlib',
      '1.2.11',
    ]);
  });
});

describe('corpus recipes', { skip: SKIP }, () => {
  const outputs = new Map(
    recipeFiles.map((file) => [
      name(file),
      (basename(file) === 'meta.yaml' ? condaBuildRecipeReader : rattlerRecipeReader).read(file),
    ]),
  );
  const read = (path: string) => outputs.get(path) ?? assert.fail(`${path} is not among the recipes`);
  const sha256 = /^[0-9a-f]{64}$/;

  it('finds 16 recipe.yaml and 8 meta.yaml files', () => {
    assert.equal(recipeFiles.filter((file) => basename(file) === 'recipe.yaml').length, 16);
    assert.equal(recipeFiles.filter((file) => basename(file) === 'meta.yaml').length, 8);
  });

  for (const file of recipeFiles) {
    it(`${name(file)}: has outputs, and no dependency is a compiler`, () => {
      const output = read(name(file));
      assert.ok((output.manifest?.recipeOutputs?.length ?? 0) > 0);
      assert.ok(!output.manifest?.dependencies?.some((dep) => /compiler|stdlib/.test(dep.name)));
    });
  }

  it('numpy-feedstock: version from context, url source with a sha256, _numpy_rc dropped by rc_num', () => {
    const output = read('recipes/conda-forge/numpy-feedstock/recipe.yaml');
    assert.deepEqual(output.manifest?.recipeOutputs, [{ name: 'numpy', version: '2.5.1' }]);
    const [source] = output.manifest?.recipeSources ?? [];
    assert.equal(source?.kind, 'url');
    assert.equal(source?.location, 'https://github.com/numpy/numpy/releases/download/v2.5.1/numpy-2.5.1.tar.gz');
    assert.match(source?.sha256 ?? '', sha256);
    assert.ok(!output.manifest?.dependencies?.some((dep) => dep.name === '_numpy_rc'));
    assert.equal(dependency(output, 'numpy-base').scope, 'constraint');
    assert.equal(dependency(output, 'cython', 'numpy [build_platform != host_platform]').scope, 'build');
  });

  it('mamba: three outputs, pin_subpackage as dependencies, an inline if as a conditional entry', () => {
    const output = read('recipes/rattler-build/examples/mamba/recipe.yaml');
    assert.deepEqual(
      output.manifest?.recipeOutputs?.map((out) => out.name),
      ['libmamba', 'libmambapy', 'mamba'],
    );
    assert.equal(dependency(output, 'libmamba', 'libmambapy').scope, 'host');
    assert.equal(dependency(output, 'libmambapy', 'mamba').scope, 'host');
    assert.equal(dependency(output, 'winreg').group, 'libmamba [win]');
    assert.equal(dependency(output, 'conda', 'mamba').spec, '>=23.9,<24');
  });

  it('git_source: five git sources with tag, branch, rev or none', () => {
    const sources = read('recipes/rattler-build/test-data/git_source/recipe.yaml').manifest?.recipeSources ?? [];
    assert.deepEqual(
      sources.map((source) => [source.kind, source.rev]),
      [
        ['git', 'v0.1.0'],
        ['git', 'main'],
        ['git', undefined],
        ['git', 'df83c1edf287a756b8fc995e03e9632af0344777'],
        ['git', undefined],
      ],
    );
    assert.equal(sources.at(-1)?.location, 'git@github.com:prefix-dev/rattler-build.git');
  });

  it('templates: name[0] and lower in URLs, default() in a spec', () => {
    const flask = read('recipes/rattler-build/test-data/flask/recipe.yaml');
    assert.equal(
      flask.manifest?.recipeSources?.[0]?.location,
      'https://pypi.io/packages/source/f/flask/flask-3.0.0.tar.gz',
    );
    assert.deepEqual(read('recipes/rattler-build/examples/xtensor/recipe.yaml').manifest?.recipeOutputs, [
      { name: 'xtensor', version: '0.27.1' },
    ]);
    const ros = read('recipes/rattler-build/examples/ros-humble-turtlebot4-msgs/recipe.yaml');
    assert.equal(dependency(ros, '__osx').spec, '>=10.14');
    assert.equal(dependency(ros, 'ros2-distro-mutex').spec, '==0.3');
    assert.equal(ros.manifest?.recipeSources?.[0]?.rev, 'release/humble/turtlebot4_msgs/1.0.3-1');
  });

  it('conda-lock test recipe: compilers skipped, pin_compatible(numpy) kept, selectors noted', () => {
    const output = read('recipes/conda-build/conda-lock-test-recipe/meta.yaml');
    assert.deepEqual(output.manifest?.recipeOutputs, [{ name: 'foo', version: '1.0.5' }]);
    assert.equal(output.manifest?.dependencies?.filter((dep) => dep.scope === 'build').length, 0);
    assert.equal(dependency(output, 'numpy', 'foo').scope, 'host');
    assert.equal(output.manifest?.dependencies?.filter((dep) => dep.name === 'numpy').length, 2);
    assert.equal(dependency(output, 'enum34').group, 'foo [py27]');
    assert.equal(dependency(output, 'zlib').group, 'foo [unix]');
  });

  it("conda's own recipe: an unresolvable version is kept as written with a warning", () => {
    const output = read('recipes/conda-build/conda-recipe/meta.yaml');
    assert.equal(
      output.manifest?.recipeOutputs?.[0]?.version,
      '{{ os.getenv("VERSION_OVERRIDE") or GIT_DESCRIBE_TAG }}.{{ GIT_DESCRIBE_NUMBER }}+{{ GIT_DESCRIBE_HASH }}',
    );
    assert.equal(output.warnings.length, 1);
    assert.deepEqual(
      output.manifest?.recipeSources?.map((source) => [source.kind, source.location]),
      [['git', '../']],
    );
    assert.equal(dependency(output, 'backports.zstd').group, 'conda [py<314]');
    assert.equal(output.manifest?.dependencies?.filter((dep) => dep.scope === 'constraint').length, 3);
  });

  it('nb_conda_kernels: url and sha256 rendered from {% set version %}', () => {
    const output = read('recipes/conda-forge/nb_conda_kernels-feedstock/meta.yaml');
    const [source] = output.manifest?.recipeSources ?? [];
    assert.equal(source?.location, 'https://github.com/Anaconda-Platform/nb_conda_kernels/archive/2.5.1.tar.gz');
    assert.match(source?.sha256 ?? '', sha256);
    assert.equal(dependency(output, 'pywin32').group, 'nb_conda_kernels [win]');
  });
});

describe('conda-meta reader on a corpus directory', { skip: SKIP }, () => {
  it('refuses a directory that is not an environment prefix', () => {
    assert.throws(() => condaMetaReader.read(corpus('conda')), /no conda-meta directory/);
  });
});
