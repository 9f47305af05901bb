/**
 * `cvebuild build` end to end through the real CLI: the stages' outcomes and exit codes, halts
 * at secrets and threat intel, resume, the builder's scrubbed environment, no builder, a timeout.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph, recipeDirectory } from '../../helpers/build-recipe.ts';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { cycloneDxErrors } from '../../helpers/schemas.ts';
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

  it('builds, scans, signs and describes a clean recipe, and exits 0', async () => {
    const out = tempDirectory();
    const keys = join(out, 'signing');
    assert.equal(runCli(['keygen', '--out', keys]).status, 0);
    const recipe = recipeDirectory('clean-pkg', ['requests ==2.32.3', 'python >=3.10'], {
      'recipe-note.txt': 'packed into share/clean-pkg\n',
    });
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
        'provenance:passed',
      ],
    );
    assert.match(run.stage('resolve').reason ?? '', /^no --channel to solve against and no pixi\.lock/);
    const [artifact] = run.stage('build').details.artifacts as [{ file: string }];
    assert.ok(artifact?.file.endsWith('clean-pkg-0.1.0-0.conda'), JSON.stringify(artifact));
    const verified = runCli(['verify', artifact.file, '--key', `${keys}.pub`, '--channel', CHANNEL]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    // the build's provenance: signed with the same key, about this archive, claiming Build L1 and no more
    const provenance = run.stage('provenance');
    assert.equal(
      provenance.details.provenance,
      join(dirname(dirname(artifact.file)), 'provenance.intoto.sigstore.json'),
    );
    assert.match(provenance.reason ?? '', /^Build L1: provenance signed keyed for 1 package\(s\)/);
    assert.equal((provenance.details.slsa as { level: number }).level, 1);
    assert.equal(JSON.parse(run.stdout).claims.slsa.label, 'Build L1');
    const checked = runCli([
      ...['verify', artifact.file, '--bundle', provenance.details.provenance as string, '--key', `${keys}.pub`],
      ...['--format', 'json'],
    ]);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    const attested = JSON.parse(checked.stdout);
    assert.equal(attested.kind, 'slsa-provenance');
    assert.deepEqual(
      attested.artifacts.map((a: { subject: string }) => a.subject),
      ['clean-pkg-0.1.0-0.conda'],
    );
    assert.equal(attested.externalParameters.recipe.path, join(recipe, 'recipe.yaml'));
    assert.equal(attested.externalParameters.publishChannel, CHANNEL);
    assert.match(attested.builder.id, /#local-builder$/);
    // a copy of the archive with one byte more is not what was built
    const altered = join(out, 'clean-pkg-0.1.0-0.conda');
    writeFileSync(altered, Buffer.concat([readFileSync(artifact.file), Buffer.from([0])]));
    const rejected = runCli([
      'verify',
      altered,
      '--bundle',
      provenance.details.provenance as string,
      '--key',
      `${keys}.pub`,
    ]);
    assert.equal(rejected.status, 1, rejected.stdout + rejected.stderr);
    assert.match(
      rejected.stdout,
      /^rejected clean-pkg-0\.1\.0-0\.conda: subject-digest: .*not one this build produced\n$/,
    );
    const withChannel = runCli([
      ...['verify', artifact.file, '--bundle', provenance.details.provenance as string],
      ...['--key', `${keys}.pub`, '--channel', CHANNEL],
    ]);
    assert.equal(withChannel.status, 2);
    assert.match(withChannel.stderr, /a build provenance names no channel to check/);
    const table = runCli([
      ...['build', recipe, '--offline', '--db', db, '--output-dir', out, '--build-command', cphCommand('clean-pkg')],
      ...['--key', `${keys}.key`, '--target-channel', CHANNEL],
    ]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^SLSA {3}Build L1: /m);
    assert.match(table.stdout, /^ {7}not Build L2: /m);
    assert.doesNotMatch(table.stdout, /^SLSA\s+Build L[2-4]/m);
    const sbomText = readFileSync(run.stage('sbom').details.sbom as string, 'utf8');
    assert.deepEqual(await cycloneDxErrors(sbomText), []);
    const sbom = JSON.parse(sbomText);
    assert.deepEqual(
      sbom.components.map((c: { name: string }) => c.name),
      ['clean-pkg'],
    );
    assert.deepEqual(sbom.metadata.lifecycles, [{ phase: 'post-build' }]);
    // the payload, each file with the sha256 of its bytes as packed
    const recipeFile = sbom.components[0].components.find((c: { name: string }) => c.name.endsWith('/recipe-note.txt'));
    assert.equal(recipeFile?.type, 'file', JSON.stringify(sbom.components[0].components));
    assert.equal(
      recipeFile.hashes[0].content,
      createHash('sha256')
        .update(readFileSync(join(recipe, 'recipe-note.txt')))
        .digest('hex'),
    );
    const environmentText = readFileSync(run.stage('sbom').details.buildEnvironmentSbom as string, 'utf8');
    assert.deepEqual(await cycloneDxErrors(environmentText), []);
    const environment = JSON.parse(environmentText);
    assert.deepEqual(environment.metadata.lifecycles, [{ phase: 'build' }]);
    assert.deepEqual(environment.components.map((c: { name: string }) => c.name).sort(), ['python', 'requests']);
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

  it('proposes the lowest safe pin as a diff of the recipe, and writes it only with --apply', () => {
    const store = buildIntelStore();
    const imported = runCli(['db', 'import', join(projectRoot, 'examples/openssl-cve/intel'), '--db', store]);
    assert.equal(imported.status, 0, imported.stderr);
    const recipe = recipeDirectory('tls-demo', ['openssl ==3.0.7', 'python >=3.10']);
    const recipeFile = join(recipe, 'recipe.yaml');
    const written = readFileSync(recipeFile, 'utf8');
    const flags = ['--db', store, '--build-command', cphCommand('tls-demo')];
    const proposed = build(recipe, [...flags, '--output-dir', tempDirectory()]);
    assert.equal(proposed.status, 0, proposed.stderr);
    const audit = proposed.stage('cve-audit');
    assert.equal(audit.outcome, 'surfaced');
    assert.ok(
      audit.findingList.some((f) => f.rule === 'CVE-2023-0286'),
      JSON.stringify(audit.findingList),
    );
    const [pin] = audit.details.safePins as string[];
    assert.match(pin ?? '', /^openssl >=3\.0\.\d+$/);
    const diff = readFileSync(audit.details.recipeDiff as string, 'utf8');
    assert.match(diff, /^- {4}- openssl ==3\.0\.7$/m);
    assert.match(diff, new RegExp(`^\\+    - ${pin}$`, 'm'));
    assert.equal(readFileSync(recipeFile, 'utf8'), written, 'without --apply the recipe is untouched');

    const applied = build(recipe, [...flags, '--output-dir', tempDirectory(), '--apply']);
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(applied.stderr, /--apply: wrote the safe pins into .*recipe\.yaml/);
    assert.equal(readFileSync(recipeFile, 'utf8'), written.replace('openssl ==3.0.7', `${pin}`));
  });

  it('reports a post-link script, a setuid file and an embedded old OpenSSL after the build, and signs nothing', () => {
    const store = buildIntelStore();
    assert.equal(runCli(['db', 'import', join(projectRoot, 'examples/openssl-cve/intel'), '--db', store]).status, 0);
    const out = tempDirectory();
    const keys = join(out, 'signing');
    assert.equal(runCli(['keygen', '--out', keys]).status, 0);
    const recipe = recipeDirectory('risky-pkg', [], {
      'post-link.sh': '#!/bin/sh\necho installed >> "$PREFIX/.messages.txt"\n',
      // a shared object of its own, with OpenSSL 1.1.1s linked in (its version banner embedded)
      'stage.sh': [
        'mkdir -p "$WORK_DIR/prefix/lib" "$WORK_DIR/prefix/bin"',
        `printf '\\177ELF\\002\\001\\001\\000%s\\000' 'OpenSSL 1.1.1s  1 Nov 2022' > "$WORK_DIR/prefix/lib/librisky.so"`,
        'printf "#!/bin/sh\\n" > "$WORK_DIR/prefix/bin/risky-helper" && chmod 4755 "$WORK_DIR/prefix/bin/risky-helper"',
        '',
      ].join('\n'),
    });
    const run = build(recipe, [
      ...['--db', store, '--output-dir', out, '--key', `${keys}.key`, '--target-channel', CHANNEL],
      ...['--build-command', `sh "$RECIPE_DIR/stage.sh" && ${cphCommand('risky-pkg')}`],
    ]);
    assert.equal(run.status, 1, run.stderr);
    const scan = run.stage('artifact-scan');
    assert.equal(scan.outcome, 'halted');
    const rules = scan.findingList.map((f) => `${f.check}:${f.rule}`);
    assert.ok(
      rules.some((rule) => /^link-scripts:.*post-link/.test(rule)),
      rules.join(', '),
    );
    assert.ok(rules.includes('artifact-files:artifact-files/setuid'), rules.join(', '));
    assert.ok(rules.includes('vendored-libs:vendored-libs/vendored'), rules.join(', '));
    assert.ok(rules.includes('vendored-libs:CVE-2023-0286'), rules.join(', '));
    assert.equal(run.stage('sign').outcome, 'skipped');
    assert.match(run.stage('sign').reason ?? '', /halted at artifact-scan/);
    assert.deepEqual(
      readdirSync(out, { recursive: true }).filter((file) => String(file).endsWith('.sigstore.json')),
      [],
    );
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

  it('writes unsigned provenance naming the locked packages, then a signed one when a resumed run signs', () => {
    const out = tempDirectory();
    const token = new FakeSecrets(21).githubClassic();
    // (a channel token in the lock halts at secrets: the unit test of the materials covers removing one)
    const url = 'https://conda.anaconda.org/private/noarch/tool-1.0-pyh0_0.conda';
    const sha256 = 'a'.repeat(64);
    const lock = [
      ...['version: 6', 'environments:', '  default:', '    channels:'],
      ...['    - url: https://conda.anaconda.org/private/'],
      ...['    packages:', '      linux-64:', `      - conda: ${url}`, 'packages:', `- conda: ${url}`],
      ...[`  sha256: ${sha256}`, '  depends: []', ''],
    ].join('\n');
    const recipe = recipeDirectory('locked-pkg', ['tool'], { 'pixi.lock': lock });
    // a token typed into the command reaches the builder, never the report or the provenance
    const args = [
      ...['--db', db, '--output-dir', out, '--channel', CHANNEL],
      ...['--build-command', `DEPLOY_TOKEN=${token} ${cphCommand('locked-pkg')}`],
    ];
    const first = build(recipe, args);
    assert.equal(first.status, 0, first.stderr);
    const unsigned = first.stage('provenance');
    assert.equal(unsigned.outcome, 'passed');
    assert.match(
      unsigned.reason ?? '',
      /^Build L1: unsigned provenance \(not asked to sign\) for 1 package\(s\); 1 resolved package\(s\) from pixi\.lock; \d+ secret\(s\) masked in the build command$/,
    );
    const file = unsigned.details.provenance as string;
    assert.ok(file.endsWith('/provenance.intoto.json'), file);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(token) && !first.stdout.includes(token), 'the token is masked');
    const statement = JSON.parse(text);
    assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1');
    assert.deepEqual(statement.predicate.buildDefinition.externalParameters.channels, [
      'https://conda.anaconda.org/private',
    ]);
    const dependencies = statement.predicate.buildDefinition.resolvedDependencies as {
      name: string;
      digest?: { sha256?: string };
    }[];
    assert.deepEqual(
      dependencies.map((dependency) => dependency.name),
      ['pixi.lock', 'recipe.yaml', 'tool-1.0-pyh0_0.conda'],
    );
    assert.equal(dependencies[2]?.digest?.sha256, sha256);
    // the same run now signs: the build is taken back, the provenance made again, signed, and the unsigned one is gone
    const keys = join(out, 'signing');
    assert.equal(runCli(['keygen', '--out', keys]).status, 0);
    const [artifact] = first.stage('build').details.artifacts as [{ file: string }];
    const notSigned = runCli(['verify', artifact.file, '--bundle', file, '--key', `${keys}.pub`]);
    assert.equal(notSigned.status, 1);
    assert.match(notSigned.stdout, /: malformed: an unsigned in-toto statement, not a Sigstore bundle/);
    const [runDir] = readdirSync(out).filter((name) => name.startsWith('run-'));
    assert.ok(runDir);
    const second = build(recipe, [...args, '--resume', join(out, runDir), '--key', `${keys}.key`]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stage('build').outcome, 'skipped');
    assert.equal(second.stage('build').recorded, 'passed');
    const signed = second.stage('provenance');
    assert.equal(signed.outcome, 'passed');
    assert.equal(signed.details.signed, 'keyed');
    assert.ok(!existsSync(file), 'the unsigned statement of the earlier run is removed');
    const [rebuilt] = second.stage('build').details.artifacts as [{ file: string }];
    const verified = runCli([
      'verify',
      rebuilt.file,
      '--bundle',
      signed.details.provenance as string,
      '--key',
      `${keys}.pub`,
    ]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^verified locked-pkg-0\.1\.0-0\.conda against the build provenance/);
    assert.match(verified.stdout, /^ {2}inputs {3}3 resolved dependencies, 3 with sha256$/m);
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

  it('runs rattler-build from PATH with the recipe, the output directory and the solve channels', async () => {
    // rattler-build is on no registry this machine has: a stand-in on PATH records how it is called
    // and packs what a real one would, into OUTPUT/noarch/ as rattler-build lays it out
    const bin = tempDirectory();
    const argv = join(bin, 'argv.txt');
    writeFileSync(
      join(bin, 'rattler-build'),
      [
        '#!/bin/sh',
        `printf '%s\\n' "$@" > '${argv}'`,
        'while [ $# -gt 0 ]; do case "$1" in --recipe) recipe=$2; shift;; --output-dir) out=$2; shift;; esac; shift; done',
        'prefix=$(mktemp -d) && mkdir -p "$prefix/info" "$prefix/share/standin"',
        'cp "$recipe/recipe.yaml" "$prefix/share/standin/"',
        `echo '{"name":"standin-pkg","version":"0.1.0","build":"0","build_number":0,"subdir":"noarch","depends":[]}' > "$prefix/info/index.json"`,
        '(cd "$prefix" && find . -type f ! -path "./info/*" | sed "s|^\\./||" > info/files)',
        'mkdir -p "$out/noarch" && cph create "$prefix" standin-pkg-0.1.0-0.conda --out-folder "$out/noarch" >/dev/null',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const recipe = recipeDirectory('standin-pkg', []);
    writeFileSync(
      join(recipe, 'cvebuild.toml'),
      ['typosquat', 'malicious', 'vulnerability'].map((id) => `[checks.${id}]\nenabled = false\n`).join('\n'),
    );
    const channel = await serveChannel(writeChannel([]), 'chan');
    try {
      const out = tempDirectory();
      const result = await runCliAsync(
        [
          'build',
          recipe,
          '--format',
          'json',
          '--db',
          buildIntelStore(),
          '--output-dir',
          out,
          '--channel',
          channel.channel,
        ],
        { env: { PATH: `${bin}:${process.env.PATH}` } },
      );
      assert.equal(result.status, 0, result.stderr);
      const stages = JSON.parse(result.stdout).stages as StageJson[];
      const built = stages.find((stage) => stage.stage === 'build');
      const [artifact] = (built?.details.artifacts ?? []) as [{ file: string }];
      assert.ok(artifact, JSON.stringify(built));
      assert.match(artifact.file, /\/output\/noarch\/standin-pkg-0\.1\.0-0\.conda$/);
      // noarch is the recipe's to say: no --target-platform for it
      assert.deepEqual(readFileSync(argv, 'utf8').trim().split('\n'), [
        ...['build', '--recipe', recipe, '--output-dir', dirname(dirname(artifact.file))],
        ...['--channel', channel.channel],
      ]);
    } finally {
      await channel.close();
    }
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
    // the provenance: keyless too, its own Rekor entry, and still Build L1 only
    const provenance = stages.find((stage) => stage.stage === 'provenance');
    assert.equal(provenance?.details.signed, 'keyless');
    assert.match(provenance?.reason ?? '', /^Build L1: provenance signed keyless, logged in Rekor \(entry \d+\)/);
    const attested = await runCliAsync([
      ...['verify', artifact.file, '--bundle', provenance?.details.provenance as string],
      ...['--trusted-root', mock.trustedRootPath, '--issuer', MOCK_ISSUER, '--identity', MOCK_IDENTITY],
    ]);
    assert.equal(attested.status, 0, attested.stdout + attested.stderr);
    assert.match(attested.stdout, /^ {2}signer {3}\S+ \(issuer https:\/\/token\.actions\.githubusercontent\.com\)$/m);
    assert.match(attested.stdout, /^ {2}signed {3}\S+ \(transparency log entry \d+\)$/m);
    const stranger = await runCliAsync([
      ...['verify', artifact.file, '--bundle', provenance?.details.provenance as string],
      ...[
        '--trusted-root',
        mock.trustedRootPath,
        '--issuer',
        MOCK_ISSUER,
        '--identity',
        'https://example.invalid/other',
      ],
    ]);
    assert.equal(stranger.status, 1);
    assert.match(stranger.stdout, /: identity: /);
    assert.equal(JSON.parse(result.stdout).claims.slsa.level, 1);
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
