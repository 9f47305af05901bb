/**
 * The library's helpers for front doors that hold no project on disk: a policy from text, an
 * inventory from packages, an artifact read into one, a lock update reviewed, an SBOM input.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { type Check, checkOptions } from '../../../src/checks/check.ts';
import { CHECKS } from '../../../src/checks/registry.ts';
import { sbomDocument } from '../../../src/cli/sbom.ts';
import { CvebuildError } from '../../../src/errors.ts';
import {
  createEngine,
  inventoryFromPackages,
  inventoryReport,
  loadPolicy,
  parsePolicy,
  readArtifactPackage,
  readInventory,
  renderSbom,
  reviewLockUpdate,
} from '../../../src/index.ts';
import { zod } from '../../../src/policy/zod.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture, projectRoot } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { condaPackage } from '../report/sbom-fixtures.ts';

const clock = () => new Date('2026-11-22T12:00:00Z');

describe('parsePolicy', () => {
  it('reads policy text as loadPolicy reads the same file', () => {
    const text =
      'fail-on = "medium"\n\n[checks.link-scripts]\npackage-dirs = ["pkgs"]\n\n[checks.typosquat]\nenabled = false\n';
    const file = writeTemp('cvebuild.toml', text);
    const parsed = parsePolicy(text, file);
    assert.deepEqual(parsed, loadPolicy(file, file));
    assert.equal(parsed.failOn, 'medium');
    assert.deepEqual(parsed.settings.packageDirs, [join(resolve(file, '..'), 'pkgs')]);
    assert.equal(parsed.checks.get('typosquat')?.enabled, false);
  });

  it('takes [tool.cvebuild] from a pyproject.toml or pixi.toml, and names file, line and key in errors', () => {
    const text = '[project]\nname = "x"\n\n[tool.cvebuild]\nfail-on = "critical"\n';
    assert.equal(parsePolicy(text, 'pyproject.toml').failOn, 'critical');
    assert.equal(parsePolicy(text, 'pyproject.toml').source, 'pyproject.toml');
    assertCvebuildError(
      () => parsePolicy('fail-on = "severe"\n', 'policies/gate.toml'),
      'MANIFEST_INVALID',
      'policies/gate.toml:1: fail-on: expected one of',
    );
    assertCvebuildError(() => parsePolicy('[project]\n', 'pixi.toml'), 'MANIFEST_INVALID', 'no [tool.cvebuild] table');
  });
});

describe('a library user’s own check', () => {
  interface SizeSettings {
    maxPackages: number;
  }
  const sizeCheck: Check<SizeSettings> = {
    id: 'env-size',
    version: 1,
    title: 'environment size',
    requires: { intel: false, network: false },
    rules: { check: { title: 'environment size', help: 'too many packages', cwes: [], tags: [] } },
    options: checkOptions({
      defaults: (): SizeSettings => ({ maxPackages: 100 }),
      shape: () => ({ 'max-packages': zod().number().int().positive() }),
      apply: (values, settings) => {
        if (values['max-packages'] !== undefined) settings.maxPackages = values['max-packages'];
      },
    }),
    run: (inventory, context) =>
      inventory.packages.length > context.settings.maxPackages
        ? [
            {
              check: 'env-size',
              checkVersion: 1,
              rule: 'env-size/too-many',
              severity: 'high',
              message: `${inventory.packages.length} packages, at most ${context.settings.maxPackages} allowed`,
              evidence: {},
            },
          ]
        : [],
  };
  const checks = [...CHECKS, sizeCheck as Check];
  const inventory = inventoryFromPackages([condaPackage('zlib', '1.3.1'), condaPackage('xz', '5.6.3')]);

  it('reads its [checks.<id>] keys from a policy parsed with it, and runs with them', async () => {
    const policy = parsePolicy('[checks.env-size]\nmax-packages = 1\n', 'cvebuild.toml', { checks });
    const engine = createEngine({ clock, http: null, checks });
    const result = await engine.audit({ inventory, policy, checks: ['env-size'] });
    assert.deepEqual(
      result.findings.map((finding) => finding.message),
      ['2 packages, at most 1 allowed'],
    );
    assert.equal(result.verdict.outcome, 'fail');
  });

  it('starts from its defaults when the policy does not set them, or was not parsed with it', async () => {
    const engine = createEngine({ clock, http: null, checks });
    const parsed = parsePolicy('fail-on = "low"\n', 'cvebuild.toml', { checks });
    for (const policy of [parsed, undefined]) {
      const result = await engine.audit({ inventory, policy, checks: ['env-size'] });
      assert.deepEqual(result.findings, []);
      assert.deepEqual(
        result.checks.map((check) => [check.id, check.status]),
        [['env-size', 'ok']],
      );
    }
  });

  it('its keys are unknown to a policy parsed without it, which says so with file, line and key', () => {
    assertCvebuildError(
      () => parsePolicy('[checks.env-size]\nmax-packages = 1\n', 'cvebuild.toml'),
      'MANIFEST_INVALID',
      /env-size/,
    );
    assertCvebuildError(
      () => parsePolicy('[checks.env-size]\nmax-packages = "many"\n', 'cvebuild.toml', { checks }),
      'MANIFEST_INVALID',
      /max-packages/,
    );
  });
});

describe('inventoryFromPackages', () => {
  it('builds environments and platforms, sorted, without changing the packages given', () => {
    const zlib = condaPackage('zlib', '1.3.1', { environments: [] });
    const numpy = condaPackage('numpy', '2.0.0', { environments: ['test', 'default'], platform: 'osx-arm64' });
    const given = structuredClone([zlib, numpy]);
    const inventory = inventoryFromPackages([zlib, numpy]);
    assert.deepEqual([zlib, numpy], given);
    assert.deepEqual(
      inventory.packages.map((pkg) => `${pkg.name} ${pkg.platform} ${pkg.environments.join(',')}`),
      ['numpy osx-arm64 default,test', 'zlib linux-64 default'],
    );
    assert.deepEqual(
      inventory.environments.map((env) => ({
        name: env.name,
        channels: env.channels,
        platforms: env.platforms.map((platform) => `${platform.name}: ${platform.packages.map((p) => p.name)}`),
      })),
      [
        {
          name: 'default',
          channels: ['https://conda.anaconda.org/conda-forge'],
          platforms: ['linux-64: zlib', 'osx-arm64: numpy'],
        },
        { name: 'test', channels: ['https://conda.anaconda.org/conda-forge'], platforms: ['osx-arm64: numpy'] },
      ],
    );
    assert.deepEqual(inventory.sources, []);
  });

  it('audits what the artifact is, as a lock would: a record that names another release is flagged', async () => {
    const edited = condaPackage('litellm', '1.82.6', {
      url: 'https://conda.example/c/noarch/litellm-1.82.7-pyhd8ed1ab_0.conda',
      location: 'https://conda.example/c/noarch/litellm-1.82.7-pyhd8ed1ab_0.conda',
      build: 'pyhd8ed1ab_0',
    });
    const inventory = inventoryFromPackages([edited]);
    assert.equal(inventory.packages[0]?.version, '1.82.7');
    assert.equal(inventory.warnings.length, 1);
    const result = await createEngine({ clock, http: null }).audit({ inventory, checks: ['lock-integrity'] });
    assert.equal(result.verdict.outcome, 'fail');
    assert.equal(result.findings[0]?.check, 'lock-integrity');
  });

  it('an artifact read from disk goes through the same gate: its link script is found', async () => {
    const dir = tempDirectory();
    const path = join(dir, 'bz-script-1.0-0.tar.bz2');
    copyFileSync(fixture('archives/bz-script-1.0-0.tar.bz2'), path);
    const inventory = inventoryFromPackages([await readArtifactPackage(path)]);
    const policy = loadPolicy(dir);
    policy.settings.packageDirs = [dir];
    const result = await createEngine({ clock, http: null }).audit({ inventory, policy, checks: ['link-scripts'] });
    assert.deepEqual(
      result.findings.map((finding) => finding.rule),
      ['link-scripts/pre-link'],
    );
    assert.equal(result.checks[0]?.status, 'ok');
  });
});

describe('reviewLockUpdate', () => {
  it('diffs, runs the checks on what the update brings in, and decides', async () => {
    const before = readInventory(`${projectRoot}examples/ml-service`);
    const after = readInventory(`${projectRoot}examples/litellm-compromise`);
    const engine = createEngine({ intel: () => Promise.reject(new Error('not opened')), clock, http: null });
    const diffOnly = await reviewLockUpdate(before, after, engine, { checks: [] });
    assert.equal(diffOnly.audit, undefined);
    assert.ok(diffOnly.diff.packages.length > 0);
    const checked = await reviewLockUpdate(before, after, engine, { checks: ['lock-integrity'] });
    assert.deepEqual(
      checked.audit?.inventory.packages.length,
      diffOnly.diff.packages.filter((change) => change.kind !== 'removed').flatMap((c) => c.afterPackages).length,
    );
    assert.equal(checked.outcome, diffOnly.diff.redFlags > 0 ? 'fail' : 'pass');
    await assert.rejects(reviewLockUpdate(before, after, engine, { checks: ['malicious'] }), /not opened/);
  });
});

describe('inventoryReport', () => {
  it('is the SBOM command’s report input: the same documents', async () => {
    const path = `${projectRoot}examples/litellm-compromise`;
    const generatedAt = new Date('2026-11-22T12:00:00Z');
    const report = inventoryReport({ inventory: readInventory(path), target: path, root: path, generatedAt });
    for (const format of ['cyclonedx', 'spdx'] as const) {
      assert.equal(
        await renderSbom(report, format),
        await sbomDocument(path, { format, now: generatedAt.toISOString() }),
      );
    }
  });
});

describe('errors', () => {
  it('the library throws the CLI’s error type', () => {
    assert.ok(assertCvebuildError(() => parsePolicy('x = [', 'cvebuild.toml'), 'TOML_SYNTAX') instanceof CvebuildError);
  });
});
