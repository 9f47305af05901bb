/**
 * Real corpus recipes solved against real corpus channels served on 127.0.0.1: rattler-build's
 * private-repository recipe built end to end with cph from the conda-test-recipes channel, and
 * conda-forge's nb_conda_kernels recipe against rattler's with-wheels channel, whose run
 * requirements no corpus channel has.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph } from '../helpers/build-recipe.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { type ChannelServer, serveChannel } from '../helpers/conda-channel.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { cycloneDxErrors } from '../helpers/schemas.ts';
import { keylessFlags, MOCK_IDENTITY, MOCK_ISSUER, startMockSigstore } from '../helpers/sigstore-mock.ts';
import { tempDirectory } from '../helpers/temp.ts';

interface StageJson {
  stage: string;
  outcome: string;
  reason: string | null;
  details: Record<string, unknown>;
}

interface EnvironmentJson {
  name: string;
  platform: string;
  records: { name: string; version: string; build: string; url: string; sha256?: string }[];
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('cvebuild build: corpus recipes solved against corpus channels on loopback', {
  skip: !hasCorpus ? 'no ../shared corpus' : noCph,
}, () => {
  let testRecipes: ChannelServer;
  let withWheels: ChannelServer;
  before(async () => {
    testRecipes = await serveChannel(corpus('channels/conda-test-recipes'), 'conda-test-recipes');
    withWheels = await serveChannel(corpus('channels/rattler-with-wheels'), 'rattler-with-wheels');
  });
  after(async () => {
    await testRecipes.close();
    await withWheels.close();
  });

  it('builds the private-repository recipe: its build requirement solved from the channel, signed, verified', async () => {
    const db = buildIntelStore();
    const out = tempDirectory();
    const keys = join(out, 'signing');
    assert.equal((await runCliAsync(['keygen', '--out', keys])).status, 0);
    const result = await runCliAsync([
      ...['build', corpus('recipes/rattler-build/test-data/private-repository'), '--format', 'json'],
      ...['--db', db, '--output-dir', out, '--channel', testRecipes.channel, '--key', `${keys}.key`],
      ...['--build-command', cphCommand('_testpackage_requiring_private_repo', '1')],
    ]);
    assert.equal(result.status, 0, result.stderr);
    const stages: StageJson[] = JSON.parse(result.stdout).stages;
    const stage = (name: string) => stages.find((candidate) => candidate.stage === name);
    const resolve = stage('resolve');
    assert.equal(resolve?.outcome, 'passed', JSON.stringify(resolve));
    const environments = resolve?.details.environments as EnvironmentJson[];
    const [solved, ...others] = environments.find((environment) => environment.name === 'build')?.records ?? [];
    assert.deepEqual(others, []);
    assert.equal(solved?.name, 'private-package');
    assert.equal(solved?.url, `${testRecipes.channel}/noarch/private-package-1.0-0.conda`);
    // the digest the channel's repodata gives is the archive's own
    assert.equal(solved?.sha256, sha256(corpus('channels/conda-test-recipes/noarch/private-package-1.0-0.conda')));
    assert.ok(testRecipes.paths().includes('/conda-test-recipes/noarch/repodata.json'));
    assert.equal(stage('build')?.outcome, 'passed');
    assert.equal(stage('sign')?.outcome, 'passed');
    const [artifact] = (stage('build')?.details.artifacts ?? []) as [{ file: string }];
    const verified = await runCliAsync([
      'verify',
      artifact.file,
      '--key',
      `${keys}.pub`,
      '--channel',
      testRecipes.channel,
    ]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });

  it('builds the same recipe keyless against Sigstore on loopback: artifact, provenance and both SBOMs check out', async () => {
    const mock = await startMockSigstore();
    try {
      const out = tempDirectory();
      const result = await runCliAsync([
        ...['build', corpus('recipes/rattler-build/test-data/private-repository'), '--format', 'json'],
        ...['--db', buildIntelStore(), '--output-dir', out, '--channel', testRecipes.channel, '--sign', 'keyless'],
        ...['--build-command', cphCommand('_testpackage_requiring_private_repo', '1'), ...keylessFlags(mock)],
      ]);
      assert.equal(result.status, 0, result.stderr);
      const stages: StageJson[] = JSON.parse(result.stdout).stages;
      const stage = (name: string) => stages.find((candidate) => candidate.stage === name);
      assert.match(stage('sign')?.reason ?? '', /keyless, logged in Rekor/);
      const [artifact] = (stage('build')?.details.artifacts ?? []) as [{ file: string }];
      const identity = ['--trusted-root', mock.trustedRootPath, '--issuer', MOCK_ISSUER, '--identity', MOCK_IDENTITY];
      const verified = await runCliAsync(['verify', artifact.file, ...identity, '--channel', testRecipes.channel]);
      assert.equal(verified.status, 0, verified.stdout + verified.stderr);
      const provenance = await runCliAsync([
        ...['verify', artifact.file, '--bundle', stage('provenance')?.details.provenance as string, ...identity],
      ]);
      assert.equal(provenance.status, 0, provenance.stdout + provenance.stderr);
      // the artifact's SBOM and the build environment's, valid CycloneDX 1.6; the environment holds the solved package
      const sbom = readFileSync(stage('sbom')?.details.sbom as string, 'utf8');
      assert.deepEqual(await cycloneDxErrors(sbom), []);
      const environment = readFileSync(stage('sbom')?.details.buildEnvironmentSbom as string, 'utf8');
      assert.deepEqual(await cycloneDxErrors(environment), []);
      const components = JSON.parse(environment).components as { name: string; hashes?: { content: string }[] }[];
      const solved = components.find((component) => component.name === 'private-package');
      assert.equal(
        solved?.hashes?.[0]?.content,
        sha256(corpus('channels/conda-test-recipes/noarch/private-package-1.0-0.conda')),
      );
    } finally {
      await mock.close();
    }
  });

  it('names the first run requirement of nb_conda_kernels no channel has, after its host environment solved', async () => {
    const recipe = corpus('recipes/conda-forge/nb_conda_kernels-feedstock');
    const result = await runCliAsync([
      ...['build', recipe, '--db', buildIntelStore(), '--output-dir', tempDirectory()],
      ...['--channel', withWheels.channel, '--target-platform', 'linux-64'],
    ]);
    assert.equal(result.status, 2, result.stdout);
    // host (python >=3.8, pip) solves from the channel's real conda-forge records, whose
    // ca-certificates needs the __unix virtual package; run needs notebook, which it lacks
    assert.equal(
      result.stderr,
      `cvebuild: ${recipe}/meta.yaml:21: requirements.run: cannot solve "notebook" against ${withWheels.channel} for linux-64: No candidates were found for notebook *\n`,
    );
    assert.ok(withWheels.paths().includes('/rattler-with-wheels/linux-64/repodata.json'));
  });
});
