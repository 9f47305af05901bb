/**
 * `cvebuild build`'s resolve stage against a self-made channel served on 127.0.0.1: the build,
 * host and run requirements solved with rattler, the solved transitive packages audited, a
 * malicious transitive release halting the build, an unsatisfiable spec named, --offline, and a
 * pixi.lock beside the recipe winning over the channels.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph } from '../../helpers/build-recipe.ts';
import { runCliAsync } from '../../helpers/cli.ts';
import { type ChannelServer, serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
import { startFeedServer } from '../../helpers/feed-server.ts';
import { syntheticLock } from '../../helpers/synthetic-lock.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

interface StageJson {
  stage: string;
  outcome: string;
  recorded?: string;
  reason: string | null;
  details: Record<string, unknown>;
  findingList: { rule: string; check: string; package?: string }[];
}

interface EnvironmentJson {
  name: string;
  platform: string;
  records: { name: string; version: string; url: string; sha256?: string; channel?: string }[];
}

/** A self-made advisory: requests before 2.32.0, which the solve pulls in only transitively. */
const ADVISORY = {
  id: 'PYSEC-2099-7',
  modified: '2026-01-01T00:00:00Z',
  published: '2026-01-01T00:00:00Z',
  summary: 'requests before 2.32.0 leaks credentials on redirect',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'requests' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.32.0' }] }],
    },
  ],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
};

const CHANNEL_RECORDS = [
  { name: 'maketool', version: '4.4', depends: [] },
  { name: 'libcore', version: '1.1', build: 'h0_0', subdir: 'linux-64', depends: ['__glibc >=2.17', 'zdep >=1'] },
  { name: 'zdep', version: '1.3', build: 'h0_0', subdir: 'linux-64', depends: [] },
  { name: 'http-client-lib', version: '1.0', depends: ['requests >=2.30'] },
  { name: 'requests', version: '2.31.0', build: 'pyhd8ed1ab_0', depends: [] },
  { name: 'gateway-deps', version: '1.0', depends: ['litellm >=1.82'] },
  { name: 'litellm', version: '1.82.7', build: 'pyhd8ed1ab_0', depends: [] },
  { name: 'broken-lib', version: '1.0', depends: ['missing-dep'] },
];

function recipe(name: string, requirements: { build?: string[]; host?: string[]; run?: string[] }): string {
  const sections = Object.entries(requirements)
    .map(([section, specs]) => `  ${section}:\n${specs.map((spec) => `    - ${spec}\n`).join('')}`)
    .join('');
  const file = writeTemp(
    join(name, 'recipe.yaml'),
    `package:\n  name: ${name}\n  version: 0.1.0\n\nbuild:\n  noarch: generic\n\nrequirements:\n${sections}`,
  );
  return dirname(file);
}

async function build(recipeDir: string, args: string[]) {
  const result = await runCliAsync(['build', recipeDir, '--format', 'json', ...args]);
  const stages: StageJson[] = result.status === 2 ? [] : JSON.parse(result.stdout).stages;
  const stage = (name: string) => {
    const found = stages.find((s) => s.stage === name);
    assert.ok(found, `no stage ${name}: ${result.stderr}`);
    return found;
  };
  return { ...result, stages, stage };
}

const environment = (stage: StageJson, name: string) =>
  (stage.details.environments as EnvironmentJson[]).find((env) => env.name === name);

describe('cvebuild build: resolve against a channel on loopback', { skip: noCph }, () => {
  const advisory = writeTemp('osv/PYSEC-2099-7.json', JSON.stringify(ADVISORY));
  const db = buildIntelStore([advisory]);
  let server: ChannelServer;
  before(async () => {
    server = await serveChannel(writeChannel(CHANNEL_RECORDS), 'chan');
  });
  after(() => server.close());

  it('solves build, host and run, and the CVE audit sees the transitive packages; signing names the first --channel', async () => {
    const out = tempDirectory();
    const keys = join(out, 'signing');
    assert.equal((await runCliAsync(['keygen', '--out', keys])).status, 0);
    // `chan::` names the channel served as …/chan: solved by name, its record's channel checked
    const dir = recipe('solved-pkg', { build: ['maketool'], host: ['chan::libcore >=1.0'], run: ['http-client-lib'] });
    const run = await build(dir, [
      ...['--db', db, '--output-dir', out, '--channel', server.channel, '--target-platform', 'linux-64'],
      ...['--build-command', cphCommand('solved-pkg'), '--key', `${keys}.key`],
    ]);
    assert.equal(run.status, 0, run.stderr);
    const resolve = run.stage('resolve');
    assert.equal(resolve.outcome, 'passed');
    assert.match(resolve.reason ?? '', /^solved against 1 channel\(s\): build 1, host 2, run 2 package\(s\)$/);
    const names = (name: string) => environment(resolve, name)?.records.map((record) => record.name);
    assert.deepEqual(names('build'), ['maketool']);
    assert.deepEqual(names('host')?.sort(), ['libcore', 'zdep']);
    assert.deepEqual(names('run')?.sort(), ['http-client-lib', 'requests']);
    assert.equal(environment(resolve, 'host')?.platform, 'linux-64');
    const requests = environment(resolve, 'run')?.records.find((record) => record.name === 'requests');
    assert.equal(requests?.url, `${server.channel}/noarch/requests-2.31.0-pyhd8ed1ab_0.conda`);
    assert.match(requests?.sha256 ?? '', /^[0-9a-f]{64}$/);
    // the linux-64 repodata was read for the host environment, noarch for every one
    assert.ok(server.paths().includes('/chan/linux-64/repodata.json'), server.paths().join(' '));
    assert.ok(server.paths().includes('/chan/noarch/repodata.json'));

    const audit = run.stage('cve-audit');
    assert.equal(audit.outcome, 'surfaced');
    assert.ok(
      audit.findingList.some((f) => f.rule === 'PYSEC-2099-7' && f.package === 'requests 2.31.0'),
      JSON.stringify(audit.findingList),
    );
    assert.deepEqual(audit.details.safePins, ['requests >=2.32.0']);

    // without --target-channel the attestation names the first --channel
    assert.equal(run.stage('sign').outcome, 'passed');
    const [artifact] = run.stage('build').details.artifacts as [{ file: string }];
    const verified = await runCliAsync(['verify', artifact.file, '--key', `${keys}.pub`, '--channel', server.channel]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });

  it('halts at resolve when a solved dependency is a malicious release the recipe never named', async () => {
    const dir = recipe('gateway-app', { run: ['gateway-deps'] });
    const run = await build(dir, [
      ...['--db', db, '--output-dir', tempDirectory(), '--channel', server.channel],
      ...['--build-command', cphCommand('gateway-app')],
    ]);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stage('threat-intel').outcome, 'passed', 'the written name is not malicious');
    const resolve = run.stage('resolve');
    assert.equal(resolve.outcome, 'halted');
    assert.match(resolve.reason ?? '', /a solved dependency is a malicious release/);
    assert.ok(resolve.findingList.some((f) => f.rule === 'MAL-2026-2144' && f.package === 'litellm 1.82.7'));
    assert.equal(run.stage('build').outcome, 'skipped');
    assert.equal(run.stage('build').reason, 'halted at resolve');
  });

  it('exits 2 naming the spec and the line when a requirement cannot be solved', async () => {
    const dir = recipe('unsolvable-pkg', { host: ['zdep', 'libcore >=99'] });
    const run = await build(dir, [
      ...['--db', db, '--output-dir', tempDirectory(), '--channel', server.channel, '--target-platform', 'linux-64'],
    ]);
    assert.equal(run.status, 2, run.stdout);
    assert.equal(
      run.stderr,
      `cvebuild: ${dir}/recipe.yaml:11: requirements.host: cannot solve "libcore >=99" against ${server.channel} for linux-64: No candidates were found for libcore >=99\n`,
    );
    // a transitive dependency no channel has: rattler's explanation tree, on one line
    const transitive = await build(recipe('broken-app', { run: ['broken-lib'] }), [
      ...['--db', db, '--output-dir', tempDirectory(), '--channel', server.channel],
    ]);
    assert.equal(transitive.status, 2, transitive.stdout);
    assert.match(
      transitive.stderr,
      /^cvebuild: .*broken-app\/recipe\.yaml:10: requirements\.run: cannot solve "broken-lib" against .* broken-lib 1\.0 would require missing-dep \*, for which no candidates were found\n$/,
    );
  });

  it('audits a requirement whose condition the platform does not decide as written, and says so', async () => {
    const dir = recipe('variant-pkg', { host: ['zdep'] });
    // a conda-build-style variant condition: neither branch can be chosen without the variant config
    writeFileSync(
      join(dir, 'recipe.yaml'),
      `${readFileSync(join(dir, 'recipe.yaml'), 'utf8')}    - if: cuda_compiler_version != "None"\n      then: cudatoolkit\n    - if: win\n      then: pywin32-ctypes\n`,
    );
    const run = await build(dir, [
      ...['--db', db, '--output-dir', tempDirectory(), '--channel', server.channel],
      ...['--build-command', cphCommand('variant-pkg')],
    ]);
    assert.equal(run.status, 0, run.stderr);
    const resolve = run.stage('resolve');
    assert.match(resolve.reason ?? '', /1 requirement\(s\) left out of the solve and audited as written/);
    assert.deepEqual(resolve.details.leftOut, [
      {
        environment: 'host',
        requirement: 'cudatoolkit',
        reason: 'its condition (cuda_compiler_version != "None") depends on more than the platform',
      },
    ]);
    assert.deepEqual(
      environment(resolve, 'host')?.records.map((record) => record.name),
      ['zdep'],
      'the win-only requirement is not solved on this platform',
    );
  });

  it('resumes the solve from the run directory: a later stage run again still audits the solved packages', async () => {
    const out = tempDirectory();
    const dir = recipe('resumed-solve', { run: ['http-client-lib'] });
    const args = [
      ...['--db', db, '--output-dir', out, '--channel', server.channel],
      ...['--build-command', cphCommand('resumed-solve')],
    ];
    const first = await build(dir, args);
    assert.equal(first.status, 0, first.stderr);
    const [runDir] = readdirSync(out).filter((name) => name.startsWith('run-'));
    assert.ok(runDir);
    // as if the first run had stopped before the CVE audit
    rmSync(join(out, runDir, 'stages', '04-cve-audit.json'));
    const asked = server.requests.length;
    const second = await build(dir, [...args, '--resume', join(out, runDir)]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stage('resolve').outcome, 'skipped');
    assert.equal(second.stage('resolve').recorded, 'passed');
    assert.equal(server.requests.length, asked, 'the channel is not asked again');
    const audit = second.stage('cve-audit');
    assert.equal(audit.recorded, undefined, 'run again');
    assert.ok(audit.findingList.some((f) => f.rule === 'PYSEC-2099-7' && f.package === 'requests 2.31.0'));
  });
});

describe('cvebuild build: resolve, could not run or not asked to', () => {
  const db = buildIntelStore();

  it('exits 2 before any stage with --offline and a channel, and reads a pixi.lock beside the recipe instead', async () => {
    const server = await serveChannel(writeChannel([{ name: 'zdep', version: '1.3' }]), 'chan');
    try {
      const out = tempDirectory();
      const dir = recipe('offline-pkg', { host: ['zdep'] });
      const offline = await build(dir, ['--db', db, '--output-dir', out, '--offline', '--channel', server.channel]);
      assert.equal(offline.status, 2, offline.stdout);
      assert.equal(
        offline.stderr,
        `cvebuild: --offline: solving the requirements against ${server.channel} needs the network; drop --offline, or put a pixi.lock beside the recipe\n`,
      );
      assert.deepEqual(readdirSync(out), [], 'no run directory');

      writeFileSync(
        join(dir, 'pixi.lock'),
        readFileSync(syntheticLock([{ ecosystem: 'conda', name: 'zdep', version: '1.2' }])),
      );
      const policy = ['typosquat', 'malicious', 'vulnerability'].map((id) => `[checks.${id}]\nenabled = false\n`);
      writeFileSync(join(dir, 'cvebuild.toml'), policy.join('\n'));
      const locked = await build(dir, [
        ...['--db', db, '--output-dir', out, '--offline', '--channel', server.channel],
        ...['--build-command', 'exit 3'],
      ]);
      // the build command fails (exit 2), after resolve has run: its record is in the run directory
      assert.equal(locked.status, 2, locked.stdout);
      const [runDir] = readdirSync(out).filter((name) => name.startsWith('run-'));
      assert.ok(runDir);
      const record = JSON.parse(readFileSync(join(out, runDir, 'stages', '03-resolve.json'), 'utf8'));
      assert.equal(record.outcome, 'passed');
      assert.equal(
        record.reason,
        'read 1 package(s) from the lock as it is; the --channel(s) are not solved against: the lock wins',
      );
      assert.equal(server.requests.length, 0, 'the channel is never asked');
    } finally {
      await server.close();
    }
  });

  it('exits 2 naming the request when a channel cannot be read', async () => {
    const closed = await startFeedServer();
    const origin = closed.origin;
    await closed.close();
    const dir = recipe('unreachable-pkg', { host: ['zdep'] });
    const run = await build(dir, ['--db', db, '--output-dir', tempDirectory(), '--channel', `${origin}/chan`]);
    assert.equal(run.status, 2, run.stdout);
    assert.match(
      run.stderr,
      new RegExp(
        `^cvebuild: cannot read the repodata of ${origin}/chan: ${origin}/chan/\\S+/repodata_shards\\.msgpack\\.zst: fetch failed: ECONNREFUSED(?: \\(and \\d+ more request\\(s\\)\\))?\\n$`,
      ),
    );
  });

  it('refuses channels the solver cannot read and an unknown target platform, before any stage', async () => {
    const dir = recipe('refused-channel', { host: ['zdep'] });
    for (const [channel, why] of [
      ['file:///srv/channel', /the solver reads channels over http\(s\) only/],
      ['./local-channel', /the solver reads channels over http\(s\) only/],
      ['https://user:secret@example.invalid/chan', /credentials in a channel URL are refused/],
    ] as const) {
      const run = await build(dir, ['--db', db, '--output-dir', tempDirectory(), '--channel', channel]);
      assert.equal(run.status, 2, channel);
      assert.match(run.stderr, why);
      assert.ok(!run.stderr.includes('secret'), 'credentials are masked');
    }
    const platform = await build(dir, ['--db', db, '--output-dir', tempDirectory(), '--target-platform', 'linux-65']);
    assert.equal(platform.status, 2);
    assert.equal(platform.stderr, 'cvebuild: --target-platform: not a conda platform: "linux-65"\n');
  });
});
