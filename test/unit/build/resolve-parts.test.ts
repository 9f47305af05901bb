/**
 * The resolve stage's parts: `--channel` values as the solver takes them, the virtual packages a
 * platform is solved with, recipe conditions decided per platform, MatchSpec strings rebuilt from
 * the parsed requirement, and a panic inside rattler's WebAssembly contained in its worker.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { solveChannel } from '../../../src/build/resolve/channels.ts';
import { virtualPackages } from '../../../src/build/resolve/platforms.ts';
import { conditionScope, decide, solveRequests } from '../../../src/build/resolve/requests.ts';
import { solveInWorker } from '../../../src/build/resolve/solver.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import type { CvebuildError } from '../../../src/errors.ts';
import { serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
import { writeTemp } from '../../helpers/temp.ts';

describe('--channel for the solver', () => {
  it('keeps http(s) URLs without a trailing slash and puts channel names under conda.anaconda.org', () => {
    assert.equal(solveChannel('http://127.0.0.1:8080/chan/'), 'http://127.0.0.1:8080/chan');
    assert.equal(solveChannel('https://prefix.dev/t/abc123/private'), 'https://prefix.dev/t/abc123/private');
    assert.equal(solveChannel('conda-forge'), 'https://conda.anaconda.org/conda-forge');
    assert.equal(solveChannel('conda-forge/label/dev'), 'https://conda.anaconda.org/conda-forge/label/dev');
  });

  it('refuses what the WebAssembly solver cannot read, saying what to do instead', () => {
    for (const channel of ['file:///srv/chan', '/srv/chan', './chan', '../chan', '~/chan', 's3://bucket/chan']) {
      assert.throws(
        () => solveChannel(channel),
        (error: CvebuildError) => {
          assert.equal(error.code, 'USAGE');
          assert.match(error.message, /over http\(s\) only; serve a local channel over HTTP/);
          return true;
        },
      );
    }
    assert.throws(() => solveChannel('https://u:p@example.org/chan'), /credentials in a channel URL are refused/);
    assert.throws(() => solveChannel('https://example.org/chan?x=1'), /no query or fragment/);
    assert.throws(() => solveChannel('bad channel'), /neither an http\(s\) URL nor a channel name/);
  });
});

describe('virtual packages of the platform solved for', () => {
  it("gives a foreign platform conda-forge's baseline and this machine's platform its own", () => {
    const names = (platform: string, build: string) =>
      virtualPackages(platform, build, {}).map((pkg) => `${pkg.name}=${pkg.version}=${pkg.build}`);
    assert.deepEqual(names('linux-aarch64', 'osx-arm64'), [
      '__unix=0=0',
      '__linux=0=0',
      '__glibc=2.17=0',
      '__archspec=1=aarch64',
    ]);
    assert.deepEqual(names('osx-arm64', 'linux-64'), ['__unix=0=0', '__osx=11.0=0', '__archspec=1=arm64']);
    assert.deepEqual(names('osx-64', 'linux-64'), ['__unix=0=0', '__osx=10.13=0', '__archspec=1=x86_64']);
    assert.deepEqual(names('win-64', 'linux-64'), ['__win=0=0', '__archspec=1=x86_64']);
    if (process.platform === 'linux' && process.arch === 'x64') {
      const own = virtualPackages('linux-64', 'linux-64', {});
      const glibc = own.find((pkg) => pkg.name === '__glibc')?.version;
      assert.equal(
        glibc,
        (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime,
      );
    }
  });

  it('lets CONDA_OVERRIDE_* win, as conda, mamba and pixi do, and adds __cuda only when asked', () => {
    const overridden = virtualPackages('linux-64', 'linux-64', {
      CONDA_OVERRIDE_GLIBC: '2.28',
      CONDA_OVERRIDE_LINUX: '5.10',
      CONDA_OVERRIDE_CUDA: '12.4',
    });
    assert.deepEqual(
      overridden.map((pkg) => `${pkg.name}=${pkg.version}`),
      ['__unix=0', '__linux=5.10', '__glibc=2.28', '__cuda=12.4', '__archspec=1'],
    );
  });
});

describe('recipe conditions and requirements for the solver', () => {
  it('decides platform conditions, rattler-build and conda-build alike, and leaves the rest undecided', () => {
    const linux = conditionScope('linux-64', 'linux-64');
    assert.equal(decide('win', linux), false);
    assert.equal(decide('not (win)', linux), true);
    assert.equal(decide('unix and x86_64', linux), true);
    assert.equal(decide('linux64', linux), true);
    assert.equal(decide('build_platform != target_platform', conditionScope('linux-aarch64', 'linux-64')), true);
    assert.equal(decide('osx and arm64', conditionScope('osx-arm64', 'linux-64')), true);
    assert.equal(decide('py>=38', linux), undefined);
    assert.equal(decide('cuda_compiler_version != "None"', linux), undefined);
  });

  it('rebuilds each requirement as name, version and build, by environment and platform', () => {
    const recipe = writeTemp(
      'solve-specs/recipe.yaml',
      [
        'package: {name: spec-demo, version: 1.0}',
        'requirements:',
        '  build: [make 4.*]',
        '  host:',
        '    - python 3.12.* *_cpython',
        '    - if: osx',
        '      then: libcxx',
        '    - spec-demo-data',
        '  run: [python >=3.12, "numpy >=1.26,<2"]',
        '  run_constraints: [scipy <2]',
        'outputs:',
        '  - package: {name: spec-demo-data}',
      ].join('\n'),
    );
    const { manifest } = readInventory(recipe);
    const requests = solveRequests({
      manifest,
      buildPlatform: 'linux-64',
      hostPlatform: 'linux-aarch64',
      channels: [],
    });
    assert.deepEqual(
      requests.environments.map((environment) => [
        environment.name,
        environment.platform,
        environment.specs.map((requested) => requested.spec),
      ]),
      [
        ['build', 'linux-64', ['make 4.*']],
        // another output of the recipe is built, not solved; the osx-only requirement is not on linux
        ['host', 'linux-aarch64', ['python 3.12.* *_cpython']],
        ['run', 'linux-aarch64', ['python >=3.12', 'numpy >=1.26,<2']],
      ],
    );
    assert.deepEqual(requests.leftOut, []);
  });

  it('solves a requirement that names a configured channel by name, and refuses one that names another', () => {
    const recipe = writeTemp(
      'channel-specs/recipe.yaml',
      'package: {name: pinned, version: 1}\nrequirements:\n  host:\n    - chan::zdep\n    - other::libx\n',
    );
    const { manifest } = readInventory(recipe);
    assert.throws(
      () =>
        solveRequests({
          manifest,
          buildPlatform: 'linux-64',
          hostPlatform: 'linux-64',
          channels: ['http://127.0.0.1:9/chan'],
        }),
      (error: CvebuildError) => {
        assert.equal(error.code, 'SOLVE_FAILED');
        assert.equal(
          error.toLine(),
          `${recipe}:5: requirements.host: "other::libx" names the channel other, which is not among the channels solved against (http://127.0.0.1:9/chan)`,
        );
        return true;
      },
    );
    manifest.dependencies = manifest.dependencies.filter((dependency) => dependency.name === 'zdep');
    const requests = solveRequests({
      manifest,
      buildPlatform: 'linux-64',
      hostPlatform: 'linux-64',
      channels: ['http://127.0.0.1:9/chan'],
    });
    const [requested] = requests.environments.find((environment) => environment.name === 'host')?.specs ?? [];
    assert.equal(requested?.spec, 'zdep');
    assert.equal(requested?.channel, 'http://127.0.0.1:9/chan');
  });
});

describe("rattler's solver in its worker", () => {
  it('solves over HTTP, and turns a panic inside the WebAssembly module into an answer instead of a crash', async () => {
    const server = await serveChannel(writeChannel([{ name: 'zdep', version: '1.3', depends: ['__unix'] }]), 'chan');
    try {
      const call = { channels: [server.channel], platforms: ['linux-64', 'noarch'] };
      const unix = [{ name: '__unix', version: '0', build: '0' }];
      const solved = await solveInWorker([
        { ...call, specs: ['zdep'], virtualPackages: unix },
        { ...call, specs: ['zdep'], virtualPackages: [] },
      ]);
      assert.equal(solved.status, 'answered');
      const [withUnix, without] = solved.status === 'answered' ? solved.answers : [];
      assert.deepEqual(
        withUnix?.ok ? withUnix.records.map((record) => `${record.name} ${record.version}`) : withUnix,
        ['zdep 1.3'],
        'the virtual package is given, and not part of the result',
      );
      assert.ok(without && !without.ok && /__unix/.test(without.message), JSON.stringify(without));
      // a channel inside a spec makes rattler look for a current directory the WebAssembly build has not got
      const crashed = await solveInWorker([{ ...call, specs: ['chan::zdep'], virtualPackages: unix }]);
      assert.equal(crashed.status, 'crashed');
      assert.match(
        crashed.status === 'crashed' ? crashed.message : '',
        /^rattler panicked: Could not get current directory/,
      );
    } finally {
      await server.close();
    }
  });
});
