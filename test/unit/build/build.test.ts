/**
 * `cvebuild build` end to end through the real CLI: the stages' outcomes and exit codes, halts
 * at secrets and threat intel, resume, the builder's scrubbed environment, no builder, a timeout.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph, recipeDirectory } from '../../helpers/build-recipe.ts';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { projectRoot } from '../../helpers/paths.ts';
import {
  keylessFlags,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  startMockSigstore,
} from '../../helpers/sigstore-mock.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const CHANNEL = 'https://example.invalid/builds';

interface StageJson {
  stage: string;
  outcome: string;
  recorded?: string;
  findings: number;
  reason: string | null;
  details: Record<string, unknown>;
  findingList: { rule: string; check: string; package?: string }[];
}

function build(recipe: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = runCli(['build', recipe, '--format', 'json', '--offline', ...args], { env });
  const stages: StageJson[] = result.status === 2 ? [] : JSON.parse(result.stdout).stages;
  const stage = (name: string) => {
    const found = stages.find((s) => s.stage === name);
    assert.ok(found, `no stage ${name}`);
    return found;
  };
  return { ...result, stages, stage };
}

describe('cvebuild build', { skip: noCph }, () => {
  const db = buildIntelStore();

  it('builds, scans, signs and describes a clean recipe, and exits 0', () => {
    const out = tempDirectory();
    const keys = join(out, 'signing');
    assert.equal(runCli(['keygen', '--out', keys]).status, 0);
    const recipe = recipeDirectory('clean-pkg', ['requests ==2.32.3', 'python >=3.10']);
    const events = join(out, 'events.jsonl');
    const run = build(recipe, [
      ...['--db', db, '--output-dir', out, '--build-command', cphCommand('clean-pkg')],
      ...['--key', `${keys}.key`, '--target-channel', CHANNEL, '--events', events],
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      run.stages.map((s) => `${s.stage}:${s.outcome}`),
      [
        'typosquat:passed',
        'threat-intel:passed',
        'resolve:skipped',
        // the store holds no vulnerability advisories: said, and surfaced rather than halting
        'cve-audit:surfaced',
        'sast:passed',
        'secrets:passed',
        'build:passed',
        'artifact-scan:passed',
        'sign:passed',
        'sbom:passed',
        'provenance:skipped',
      ],
    );
    assert.match(run.stage('resolve').reason ?? '', /^no --channel to solve against and no pixi\.lock/);
    const [artifact] = run.stage('build').details.artifacts as [{ file: string }];
    assert.ok(artifact?.file.endsWith('clean-pkg-0.1.0-0.conda'), JSON.stringify(artifact));
    const verified = runCli(['verify', artifact.file, '--key', `${keys}.pub`, '--channel', CHANNEL]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    const sbom = JSON.parse(readFileSync(run.stage('sbom').details.sbom as string, 'utf8'));
    assert.deepEqual(
      sbom.components.map((c: { name: string }) => c.name),
      ['clean-pkg'],
    );
    const kinds = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { type: string; stage: string; id?: string });
    assert.deepEqual(kinds[0], { type: 'stage-start', stage: 'typosquat' });
    assert.ok(kinds.some((e) => e.type === 'check-end' && e.stage === 'artifact-scan' && e.id === 'link-scripts'));
    assert.equal(kinds.filter((e) => e.type === 'stage-end').length, 11);
  });

  it('halts at secrets when a recipe file leaks a token, before building', () => {
    const token = new FakeSecrets(15).githubClassic();
    const recipe = recipeDirectory('leaky-pkg', [], { 'build.sh': `#!/bin/sh\nexport GITHUB_TOKEN=${token}\n` });
    const run = build(recipe, [
      '--db',
      db,
      '--output-dir',
      tempDirectory(),
      '--build-command',
      cphCommand('leaky-pkg'),
    ]);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stage('secrets').outcome, 'halted');
    assert.equal(run.stage('build').outcome, 'skipped');
    assert.equal(run.stage('build').reason, 'halted at secrets');
    assert.ok(!run.stdout.includes(token), 'the token is never printed');
    // the same run as Markdown, for a pull request or job summary
    const markdown = runCli([
      ...['build', recipe, '--format', 'markdown', '--offline', '--db', db, '--output-dir', tempDirectory()],
      ...['--build-command', cphCommand('leaky-pkg')],
    ]);
    assert.equal(markdown.status, 1, markdown.stderr);
    assert.match(markdown.stdout, /^## cvebuild build: FAIL, halted at `secrets`\n/);
    assert.match(markdown.stdout, /^\| `secrets` \| halted \|/m);
    assert.ok(!markdown.stdout.includes(token));
  });

  it('halts at threat intel when a requirement is a malicious release', () => {
    const recipe = recipeDirectory('gateway', ['litellm ==1.82.7']);
    const run = build(recipe, ['--db', db, '--output-dir', tempDirectory(), '--build-command', cphCommand('gateway')]);
    assert.equal(run.status, 1, run.stderr);
    const stage = run.stage('threat-intel');
    assert.equal(stage.outcome, 'halted');
    assert.ok(stage.findingList.some((f) => f.rule === 'MAL-2026-2144' && f.package === 'litellm 1.82.7'));
    assert.equal(run.stage('build').outcome, 'skipped');
  });

  it('resumes: a second run skips every finished stage and does not build again', () => {
    const out = tempDirectory();
    const marks = join(out, 'builds.txt');
    const recipe = recipeDirectory('resumed-pkg', ['requests ==2.32.3']);
    const args = [
      ...['--db', db, '--output-dir', out, '--pass-env', 'BUILD_MARKS'],
      ...['--build-command', `echo built >> "$BUILD_MARKS" && ${cphCommand('resumed-pkg')}`],
    ];
    const first = build(recipe, args, { BUILD_MARKS: marks });
    assert.equal(first.status, 0, first.stderr);
    const [runDir] = readdirSync(out).filter((name) => name.startsWith('run-'));
    assert.ok(runDir);
    const second = build(recipe, [...args, '--resume', join(out, runDir)], { BUILD_MARKS: marks });
    assert.equal(second.status, 0, second.stderr);
    for (const stage of second.stages) {
      assert.equal(stage.outcome, 'skipped', stage.stage);
      assert.equal(stage.recorded, first.stage(stage.stage).outcome, stage.stage);
    }
    assert.equal(readFileSync(marks, 'utf8'), 'built\n');
    // a changed recipe file is new input: every stage runs again
    const third = build(recipe, [...args, '--resume', join(out, runDir), '--target-platform', 'linux-64'], {
      BUILD_MARKS: marks,
    });
    assert.equal(third.stage('build').outcome, 'passed');
    assert.equal(readFileSync(marks, 'utf8'), 'built\nbuilt\n');
  });

  it('resumes nothing when the threat data changed in the same store: the checks run again on the new data', () => {
    const store = buildIntelStore();
    const out = tempDirectory();
    const recipe = recipeDirectory('refreshed-pkg', ['requests ==2.32.3']);
    const args = ['--db', store, '--output-dir', out, '--build-command', cphCommand('refreshed-pkg')];
    const first = build(recipe, args);
    assert.equal(first.status, 0, first.stderr);
    const [runDir] = readdirSync(out).filter((name) => name.startsWith('run-'));
    assert.ok(runDir);
    // `db import` (as `db update` does) writes into the same file: same --db path, new content
    const imported = runCli(['db', 'import', join(projectRoot, 'test/fixtures/intel/kev.json'), '--db', store]);
    assert.equal(imported.status, 0, imported.stderr);
    const second = build(recipe, [...args, '--resume', join(out, runDir)]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stage('threat-intel').outcome, 'passed', 'checked again, not resumed');
    assert.equal(second.stage('threat-intel').recorded, undefined);
  });

  it('gives the builder only PATH, HOME, LANG, the build variables and the names passed', () => {
    const out = tempDirectory();
    const recipe = recipeDirectory('scrubbed-pkg', []);
    const dump = join(out, 'env.txt');
    const run = build(
      recipe,
      [
        ...['--db', db, '--output-dir', out, '--pass-env', 'PASSED_ONE', '--pass-env', 'ENV_DUMP'],
        ...['--build-command', `env > "$ENV_DUMP" && ${cphCommand('scrubbed-pkg')}`],
      ],
      { PASSED_ONE: 'yes', GITHUB_TOKEN: 'not-for-builds', AWS_SECRET_ACCESS_KEY: 'nor-this', ENV_DUMP: dump },
    );
    assert.equal(run.status, 0, run.stderr);
    const names = readFileSync(dump, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=', 1)[0]);
    // what /bin/sh sets for itself (PWD, SHLVL, _) is the shell's, not the caller's
    const own = names.filter((name) => !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(name ?? '')).sort();
    assert.deepEqual(own, [
      'ENV_DUMP',
      'HOME',
      'LANG',
      'OUTPUT_DIR',
      'PASSED_ONE',
      'PATH',
      'RECIPE_DIR',
      'TARGET_PLATFORM',
      'WORK_DIR',
    ]);
    const home = readFileSync(dump, 'utf8').match(/^HOME=(.*)$/m)?.[1];
    assert.equal(home, readFileSync(dump, 'utf8').match(/^WORK_DIR=(.*)$/m)?.[1]);
  });
});

describe('cvebuild build: could not run', () => {
  it('exits 2 when there is no builder', () => {
    const recipe = recipeDirectory('nobuilder-pkg', []);
    const policy = join(recipe, 'cvebuild.toml');
    // no threat data is needed to reach the build: the dependency checks are off for this test
    const off = ['typosquat', 'malicious', 'vulnerability'].map((id) => `[checks.${id}]\nenabled = false\n`);
    writeFileSync(policy, off.join('\n'));
    const result = runCli(['build', recipe, '--output-dir', tempDirectory(), '--offline'], {
      env: { PATH: '/usr/bin:/bin' },
    });
    assert.equal(result.status, 2, result.stdout);
    assert.equal(result.stderr, 'cvebuild: no builder: install rattler-build or give --build-command\n');
  });

  it('exits 2 naming the log when the builder runs past its time limit', () => {
    const recipe = recipeDirectory('slow-pkg', []);
    writeFileSync(
      join(recipe, 'cvebuild.toml'),
      ['typosquat', 'malicious', 'vulnerability'].map((id) => `[checks.${id}]\nenabled = false\n`).join('\n'),
    );
    const out = tempDirectory();
    const result = runCli([
      ...['build', recipe, '--output-dir', out, '--offline'],
      ...['--build-command', 'sleep 30', '--timeout', '1'],
    ]);
    assert.equal(result.status, 2, result.stdout);
    assert.match(result.stderr, /^cvebuild: .*\/build\.log: the builder ran past its time limit \(1 s\)\n$/);
  });

  it('exits 2 naming the directory when it holds no recipe', () => {
    const dir = tempDirectory();
    const result = runCli(['build', dir, '--output-dir', tempDirectory(), '--offline']);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `cvebuild: ${dir}: no recipe.yaml or meta.yaml in the recipe directory\n`);
    assert.ok(!existsSync(join(dir, 'cvebuild-runs')));
  });
});

describe('cvebuild build: keyless signing (mock Sigstore on loopback)', { skip: noCph }, () => {
  const db = buildIntelStore();
  let mock: MockSigstore;
  before(async () => {
    mock = await startMockSigstore();
  });
  after(() => mock.close());

  it('signs what passed with a Fulcio certificate for the identity, logged in Rekor, and cvebuild verify accepts it', async () => {
    const out = tempDirectory();
    const recipe = recipeDirectory('keyless-pkg', ['python >=3.10']);
    // asynchronous: the mock Fulcio and Rekor answer from this process
    const result = await runCliAsync([
      ...['build', recipe, '--format', 'json', '--offline', '--db', db, '--output-dir', out],
      ...['--build-command', cphCommand('keyless-pkg'), '--sign', 'keyless', '--target-channel', CHANNEL],
      ...keylessFlags(mock),
    ]);
    assert.equal(result.status, 0, result.stderr);
    const stages = JSON.parse(result.stdout).stages as StageJson[];
    const sign = stages.find((stage) => stage.stage === 'sign');
    assert.equal(sign?.outcome, 'passed');
    assert.match(sign?.reason ?? '', /^1 bundle\(s\), keyless, logged in Rekor \(entries \d+\)$/);
    assert.ok((mock.requests.get('/api/v2/signingCert') ?? 0) >= 1);
    assert.ok(!result.stdout.includes(keylessFlags(mock)[1] as string), 'the identity token is never reported');
    const [artifact] = (stages.find((stage) => stage.stage === 'build')?.details.artifacts ?? []) as [{ file: string }];
    assert.ok(artifact);
    const verified = await runCliAsync([
      ...['verify', artifact.file, '--trusted-root', mock.trustedRootPath],
      ...['--issuer', MOCK_ISSUER, '--identity', MOCK_IDENTITY, '--channel', CHANNEL],
    ]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });

  it('refuses --sign keyless with --key, an unknown mode, and signing without a target channel, before building', () => {
    const recipe = recipeDirectory('refused-pkg', []);
    const both = runCli(['build', recipe, '--sign', 'keyless', '--key', 'k.key', '--target-channel', CHANNEL]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--sign keyless and --key: give one or the other/);
    const noChannel = runCli(['build', recipe, '--sign', 'keyless']);
    assert.equal(noChannel.status, 2);
    assert.match(noChannel.stderr, /--sign keyless needs --target-channel \(or a --channel\)/);
    const unknown = runCli(['build', recipe, '--sign', 'gpg', '--target-channel', CHANNEL]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /gpg/);
  });
});
