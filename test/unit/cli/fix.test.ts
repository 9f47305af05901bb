/**
 * `cvebuild fix` through the CLI on a self-made pixi project, against a loopback conda channel and
 * PyPI index built here: what it proposes, the JSON and Markdown it prints, what --apply writes,
 * offline answers, and its exit codes.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliAsync } from '../../helpers/cli.ts';
import { type ChannelRecord, type ChannelServer, serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
import { fixture } from '../../helpers/paths.ts';
import { type PypiIndex, startPypiIndex } from '../../helpers/pypi-index.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const PROJECT = fixture('fix/project');
const INTEL = fixture('fix/intel');
const NOW = ['--now', '2026-01-20T00:00:00Z'];

const wheel = (name: string, version: string, yanked?: string) => ({
  filename: `${name}-${version}-py3-none-any.whl`,
  uploadTime: '2026-01-01T00:00:00Z',
  ...(yanked ? { yanked } : {}),
});

let channel: ChannelServer;
let index: PypiIndex;

const TORNADO: ChannelRecord[] = [
  { name: 'tornado', version: '6.4.0', build: 'py312h98912ed_0', subdir: 'linux-64' },
  // 6.4.1 clears the advisory but was never built for osx-arm64
  { name: 'tornado', version: '6.4.1', build: 'py312h98912ed_0', subdir: 'linux-64' },
  { name: 'tornado', version: '6.4.2', build: 'py312h98912ed_0', subdir: 'linux-64' },
  { name: 'tornado', version: '6.4.2', build: 'py312he37b823_0', subdir: 'osx-arm64' },
  { name: 'tornado', version: '6.5.0rc1', build: 'py312he37b823_0', subdir: 'osx-arm64' },
  { name: 'openssl', version: '3.0.8', build: 'h0_0', subdir: 'linux-64' },
];

before(async () => {
  channel = await serveChannel(writeChannel(TORNADO), 'conda-forge');
  index = await startPypiIndex({
    pillow: ['10.1.0', '10.2.0', '10.3.0', '10.3.1', '11.0.0rc1', '11.0.0', '11.0.1'].map((version) =>
      wheel('pillow', version, version === '10.3.0' ? 'broken wheel' : undefined),
    ),
    urllib3: ['2.2.1', '2.2.2', '2.2.3'].map((version) => wheel('urllib3', version)),
    litellm: ['1.82.5', '1.82.6', '1.82.7', '1.82.8', '1.82.9'].map((version) => wheel('litellm', version)),
    markdown: ['3.7', '3.8'].map((version) => wheel('markdown', version)),
    requests: ['2.31.0', '2.32.0', '2.32.3'].map((version) => wheel('requests', version)),
  });
});
after(async () => {
  await channel?.close();
  await index?.close();
});

function fix(path: string, extra: string[] = [], cacheDir = tempDirectory(), from = channel) {
  return runCliAsync(
    ['fix', path, '--db', INTEL, ...NOW, '--channel', `conda-forge=${from.channel}`, '--index', index.url, ...extra],
    { env: { CVEBUILD_CACHE_DIR: cacheDir } },
  );
}

function projectCopy(policy?: string): string {
  const dir = tempDirectory();
  cpSync(PROJECT, dir, { recursive: true });
  if (policy) writeFileSync(join(dir, 'cvebuild.toml'), policy);
  return dir;
}

/** Waives the two findings no release fixes, so that everything left has a fix. */
const WAIVE_THE_REST = `[[waivers]]
id = "PYSEC-2099-7"
reason = "markdown is only used to render our own docs"
expires = 2026-12-31

[[waivers]]
id = "PYSEC-2099-6"
reason = "the legacy client never follows redirects"
expires = 2026-12-31
`;

describe('cvebuild fix', () => {
  it('prints one line per blocked package with the release that clears it and the constraint', async () => {
    const { status, stdout, stderr } = await fix(PROJECT);
    assert.equal(status, 1, stderr);
    const lines = stdout.split('\n');
    assert.ok(
      lines.includes(
        'tornado 6.4.0: 1 advisory (1 high), on 2 platforms → 6.4.2 (pixi.toml [dependencies] tornado = ">=6.4.2")',
      ),
      stdout,
    );
    assert.ok(
      lines.includes(
        'pillow 10.0.0: 2 advisories (1 critical, 1 high), on 2 platforms → 10.3.1 (pixi.toml [pypi-dependencies] pillow.version = ">=10.3.1,<11")',
      ),
      stdout,
    );
    assert.ok(
      lines.includes(
        'litellm 1.82.7: malicious release (MAL-2099-1), on 2 platforms → 1.82.6, the last clean release (pixi.toml [pypi-dependencies] litellm = "==1.82.6")',
      ),
      stdout,
    );
    assert.ok(
      lines.includes(
        'urllib3 2.0.0: 1 advisory (1 high), on 2 platforms → 2.2.2 (pixi.toml [pypi-dependencies] urllib3 = ">=2.2.2")',
      ),
      stdout,
    );
    assert.match(
      stdout,
      /^markdown 3\.7: 1 advisory \(1 high\), on 2 platforms → no fix \(none of the 1 release\(s\) above 3\.7 on .* clears them \(the newest, 3\.8, is blocked by PYSEC-2099-7\)\)$/m,
    );
    assert.match(
      stdout,
      /^requests 2\.31\.0: .* → 2\.32\.0 \(not written: requirements exclude 2\.32\.0\)\n {4}conflict: legacy-client 1\.0\.0 requires requests<2\.32\n {4}conflict: pixi\.toml:17 \(legacy\) requires requests <2\.32$/m,
    );
    assert.match(stdout, /^6 packages with blocking advisories: 4 with a confirmed fix, 2 need a decision$/m);
    assert.match(
      stdout,
      /^run with --apply to write pixi\.toml\nthen run: pixi update litellm pillow tornado urllib3$/m,
    );
  });

  it('prints the JSON plan', async () => {
    const { status, stdout } = await fix(PROJECT, ['--format', 'json']);
    assert.equal(status, 1);
    const document = JSON.parse(stdout);
    assert.deepEqual(Object.keys(document), [
      'schemaVersion',
      'target',
      'complete',
      'applied',
      'packages',
      'notChecked',
      'files',
      'update',
    ]);
    assert.equal(document.complete, false);
    const pillow = document.packages.find((pkg: { name: string }) => pkg.name === 'pillow');
    assert.deepEqual(
      {
        ecosystem: pillow.ecosystem,
        currentVersions: pillow.currentVersions,
        platforms: pillow.platforms,
        bySeverity: { critical: pillow.advisories.bySeverity.critical, high: pillow.advisories.bySeverity.high },
        fixVersion: pillow.fixVersion,
        confirmed: pillow.confirmed,
        edit: pillow.edit,
        // 11.0.0 is blocked too, but the kept `<11` keeps it out
        laterAffected: pillow.laterAffected,
        conflicts: pillow.conflicts,
      },
      {
        ecosystem: 'pypi',
        currentVersions: ['10.0.0'],
        platforms: ['linux-64', 'osx-arm64'],
        bySeverity: { critical: 1, high: 1 },
        fixVersion: '10.3.1',
        confirmed: true,
        edit: {
          file: join(PROJECT, 'pixi.toml'),
          line: 12,
          before: 'pillow = { version = ">=9,<11", extras = ["xmp"] }',
          after: 'pillow = { version = ">=10.3.1,<11", extras = ["xmp"] }',
          place: 'pixi.toml [pypi-dependencies]',
          constraint: 'pillow.version = ">=10.3.1,<11"',
          spec: '>=10.3.1,<11',
        },
        laterAffected: [],
        conflicts: [],
      },
    );
    const requests = document.packages.find((pkg: { name: string }) => pkg.name === 'requests');
    assert.deepEqual(requests.conflicts, [
      { by: 'legacy-client 1.0.0', requirement: 'requests<2.32', file: null, line: null },
      { by: 'pixi.toml:17 (legacy)', requirement: 'requests <2.32', file: join(PROJECT, 'pixi.toml'), line: 17 },
    ]);
    assert.equal(requests.edit, null);
    assert.equal(document.packages.find((pkg: { name: string }) => pkg.name === 'markdown').action, 'none');
    assert.deepEqual(document.update, ['pixi update litellm pillow tornado urllib3']);
    assert.equal(document.files.length, 1);
  });

  it('--apply writes the constraints into pixi.toml, keeps its comments, and leaves the lock alone', async () => {
    const dir = projectCopy();
    const lock = readFileSync(join(dir, 'pixi.lock'));
    const original = readFileSync(join(dir, 'pixi.toml'), 'utf8');
    const { status, stdout } = await fix(dir, ['--apply']);
    assert.equal(status, 1);
    assert.match(stdout, /^wrote pixi\.toml\nnow run: pixi update litellm pillow tornado urllib3$/m);
    assert.equal(
      readFileSync(join(dir, 'pixi.toml'), 'utf8'),
      original
        .replace('tornado = ">=6"  # the web server', 'tornado = ">=6.4.2"  # the web server')
        .replace('version = ">=9,<11"', 'version = ">=10.3.1,<11"')
        .replace('litellm = "==1.82.7"', 'litellm = "==1.82.6"')
        .replace('markdown = "*"\n', 'markdown = "*"\nurllib3 = ">=2.2.2"\n'),
    );
    assert.deepEqual(readFileSync(join(dir, 'pixi.lock')), lock);
  });

  it('exits 0 when every blocked package has a fix, and again once the manifest requires them', async () => {
    const dir = projectCopy(WAIVE_THE_REST);
    const planned = await fix(dir);
    assert.equal(planned.status, 0, planned.stdout);
    assert.match(planned.stdout, /^4 packages with blocking advisories: 4 with a confirmed fix$/m);
    const applied = await fix(dir, ['--apply']);
    assert.equal(applied.status, 0, applied.stdout);
    // the lock is what pixi update changes: until then, the manifest already says what is needed
    const again = await fix(dir);
    assert.equal(again.status, 0, again.stdout);
    assert.match(
      again.stdout,
      /^tornado 6\.4\.0: .* → 6\.4\.2 \(the manifest already requires it: re-solve the lock\)$/m,
    );
    assert.match(again.stdout, /^then run: pixi update litellm pillow tornado urllib3$/m);
    assert.doesNotMatch(again.stdout, /--apply/);
  });

  it('offline with nothing fetched before: says which versions it could not confirm exist', async () => {
    const seen = index.server.requests.length + channel.requests.length;
    const { status, stdout } = await fix(PROJECT, ['--offline']);
    assert.equal(status, 1);
    assert.equal(index.server.requests.length + channel.requests.length, seen);
    assert.match(
      stdout,
      /^pillow 10\.0\.0: .* → 10\.3\.0, not confirmed to exist: http:\/\/127\.0\.0\.1:\d+\/simple\/pillow\/ could not be read \(offline, and never fetched before\)$/m,
    );
    assert.match(stdout, /^litellm 1\.82\.7: .* → remove it \(the last clean release could not be looked up: .*\)$/m);
    assert.match(
      stdout,
      /^not confirmed to exist: pillow 10\.3\.0, requests 2\.32\.0, tornado 6\.4\.1, urllib3 2\.2\.2$/m,
    );
    assert.doesNotMatch(stdout, /--apply|then run/);
  });

  it('offline after an online run: answers from the cache and says when it was fetched', async () => {
    const cache = tempDirectory();
    await fix(PROJECT, [], cache);
    const { stdout } = await fix(PROJECT, ['--offline'], cache);
    assert.match(stdout, /^tornado 6\.4\.0: .* → 6\.4\.2 \(pixi\.toml \[dependencies\] tornado = ">=6\.4\.2"\)$/m);
    assert.match(
      stdout,
      /^read http:\/\/127\.0\.0\.1:\d+\/conda-forge \(linux-64\) from the cache \(fetched \d{4}-\d\d-\d\dT[\d:.]+Z; offline\)$/m,
    );
  });

  it('reads a channel that offers only sharded repodata, fetching the shards of the blocked packages alone', async () => {
    const sharded = await serveChannel(writeChannel(TORNADO, { sharded: true, repodata: false }), 'conda-forge');
    try {
      const { stdout, stderr } = await fix(PROJECT, [], tempDirectory(), sharded);
      assert.match(
        stdout,
        /^tornado 6\.4\.0: .* → 6\.4\.2 \(pixi\.toml \[dependencies\] tornado = ">=6\.4\.2"\)$/m,
        stderr,
      );
      const paths = sharded.paths();
      assert.ok(!paths.some((path) => path.includes('repodata.json')), paths.join());
      // tornado's shard in each subdir it is locked on; openssl's never (nothing blocks it)
      assert.equal(paths.filter((path) => path.includes('/shards/')).length, 2, paths.join());
      assert.ok(paths.includes('/conda-forge/linux-64/repodata_shards.msgpack.zst'));
    } finally {
      await sharded.close();
    }
  });

  it('prints Markdown with the diff it would write', async () => {
    const { stdout } = await fix(PROJECT, ['--format', 'markdown']);
    assert.match(stdout, /^## cvebuild fix: 6 packages with blocking advisories$/m);
    assert.match(
      stdout,
      /^\| `tornado` \| 6\.4\.0 \| 1 advisory \(1 high\) \| 2 \| 6\.4\.2 \| pixi\.toml \\\[dependencies\\\] `tornado = ">=6\.4\.2"` \|$/m,
    );
    assert.match(stdout, /^```diff\n--- a\/pixi\.toml\n\+\+\+ b\/pixi\.toml\n/m);
    assert.match(stdout, /^-tornado = ">=6" {2}# the web server\n\+tornado = ">=6\.4\.2" {2}# the web server$/m);
  });

  it('finds the manifest beside a lock named directly', async () => {
    const { stdout } = await fix(join(PROJECT, 'pixi.lock'));
    assert.match(stdout, /^urllib3 2\.0\.0: .* → 2\.2\.2 \(pixi\.toml \[pypi-dependencies\] urllib3 = ">=2\.2\.2"\)$/m);
  });

  it('exits 2 with one line on bad input', async () => {
    const dir = projectCopy();
    writeFileSync(join(dir, 'pixi.toml'), '[dependencies\ntornado = "*"\n');
    const broken = await fix(dir);
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /pixi\.toml:1: TOML syntax error/);
    assert.equal(broken.stderr.trim().split('\n').length, 1);
    const usage = await fix(PROJECT, ['--channel', 'conda-forge=']);
    assert.equal(usage.status, 2);
  });
});
