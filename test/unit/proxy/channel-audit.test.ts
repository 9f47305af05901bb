/**
 * The channel-wide CVE map end to end: a small channel written here, served on loopback, audited
 * with the examples' threat data (OpenSSL's and NVD's records, the litellm MAL report) plus a KEV
 * catalogue and a name map made here; then again, incrementally; then through the CLI.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zstdCompressSync } from 'node:zlib';
import { openIntelStore } from '../../../src/intel/open.ts';
import { auditChannel } from '../../../src/proxy/channel-audit/audit-channel.ts';
import { renderChannelAuditHtml } from '../../../src/proxy/channel-audit/render.ts';
import type { ChannelAuditResult } from '../../../src/proxy/channel-audit/types.ts';
import { runCliAsync } from '../../helpers/cli.ts';
import { type ChannelServer, serveChannel } from '../../helpers/conda-channel.ts';
import { writeExampleIntel } from '../../helpers/example-intel.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T00:00:00Z');

interface Rec {
  name: string;
  version: string;
  build?: string;
  subdir?: string;
  /** Days before NOW. */
  age?: number;
  format?: 'conda' | 'tar.bz2';
}

function record(rec: Rec): [string, Record<string, unknown>] {
  const build = rec.build ?? 'h0_0';
  const subdir = rec.subdir ?? 'linux-64';
  const file = `${rec.name}-${rec.version}-${build}.${rec.format ?? 'conda'}`;
  const sha256 = createHash('sha256').update(`${subdir}/${file}`).digest('hex');
  return [
    file,
    {
      name: rec.name,
      version: rec.version,
      build,
      build_number: 0,
      depends: [],
      subdir,
      sha256,
      size: 1000,
      timestamp: NOW.getTime() - (rec.age ?? 30) * DAY,
      ...(subdir === 'noarch' ? { noarch: 'python' } : {}),
    },
  ];
}

/** `packages` (the .tar.bz2 records) written after `packages.conda`, as some channels do. */
function writeRepodata(dir: string, subdir: string, records: Rec[], compress = false): void {
  const conda = records.filter((rec) => (rec.format ?? 'conda') === 'conda').map(record);
  const bz2 = records.filter((rec) => rec.format === 'tar.bz2').map(record);
  const text = JSON.stringify({
    info: { subdir },
    'packages.conda': Object.fromEntries(conda),
    packages: Object.fromEntries(bz2),
    removed: [],
    repodata_version: 1,
  });
  mkdirSync(join(dir, subdir), { recursive: true });
  if (compress) writeFileSync(join(dir, subdir, 'repodata.json.zst'), zstdCompressSync(Buffer.from(text)));
  else writeFileSync(join(dir, subdir, 'repodata.json'), text);
}

const LINUX: Rec[] = [
  { name: 'openssl', version: '3.0.7', format: 'tar.bz2' },
  { name: 'openssl', version: '3.0.7' },
  { name: 'openssl', version: '3.0.8', age: 1 },
  { name: 'zlib', version: '1.2.12' },
  { name: 'zlib', version: '1.2.13', age: 2 },
  { name: 'libfoo', version: '1.0' },
];
const NOARCH: Rec[] = [
  { name: 'litellm', version: '1.82.6', subdir: 'noarch', build: 'pyh_0' },
  { name: 'litellm', version: '1.82.7', subdir: 'noarch', build: 'pyh_0' },
];

describe('channel audit', () => {
  let server: ChannelServer;
  let intelDir: string;
  let channelDir: string;

  before(async () => {
    channelDir = join(tempDirectory(), 'channel');
    writeRepodata(channelDir, 'linux-64', LINUX);
    writeRepodata(channelDir, 'noarch', NOARCH, true);
    writeFileSync(join(channelDir, 'channeldata.json'), JSON.stringify({ subdirs: ['linux-64', 'noarch'] }));
    server = await serveChannel(channelDir);
    intelDir = writeExampleIntel();
  });
  after(() => server.close());

  async function audit(options: { state: string; since?: number; newest?: number; subdirs?: string[] }) {
    const intel = await openIntelStore({ db: intelDir });
    try {
      return await auditChannel({
        channel: server.channel,
        intel,
        statePath: options.state,
        clock: () => NOW,
        batchSize: 3,
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.newest === undefined ? {} : { newest: options.newest }),
        ...(options.subdirs ? { subdirs: options.subdirs } : {}),
      });
    } finally {
      intel.store.close();
    }
  }

  const byName = (result: ChannelAuditResult, name: string) => result.packages.find((pkg) => pkg.name === name);

  it('maps which advisories affect which versions and builds, and the lowest safe version', async () => {
    const result = await audit({ state: join(tempDirectory(), 'state.sqlite') });
    assert.deepEqual(
      result.subdirs.map((subdir) => [subdir.subdir, subdir.records, subdir.audited]),
      [
        ['linux-64', 6, 6],
        ['noarch', 2, 2],
      ],
    );
    assert.ok(result.subdirs[1]?.source.endsWith('/noarch/repodata.json.zst'));
    assert.deepEqual(
      result.packages.map((pkg) => pkg.name),
      ['litellm', 'openssl', 'zlib'],
    );

    const openssl = byName(result, 'openssl');
    assert.equal(openssl?.lowestSafeVersion, '3.0.8');
    assert.deepEqual(openssl?.mappedBy, ['product']);
    assert.deepEqual(
      openssl?.versions.map((version) => version.version),
      ['3.0.7'],
    );
    const v307 = openssl?.versions[0];
    assert.ok(v307?.advisories.includes('CVE-2023-0286'), JSON.stringify(v307));
    assert.equal(v307?.fixedIn, '3.0.8');
    // both archives of the build: the .tar.bz2 twin must not hide
    assert.deepEqual(
      v307?.builds.map((build) => build.filename),
      ['openssl-3.0.7-h0_0.conda', 'openssl-3.0.7-h0_0.tar.bz2'],
    );
    assert.equal(result.advisories['CVE-2023-0286']?.severity, 'high');

    const zlib = byName(result, 'zlib');
    assert.deepEqual(zlib?.versions[0]?.advisories, ['CVE-2022-37434']);
    assert.equal(zlib?.versions[0]?.kev, true);
    assert.deepEqual(result.advisories['CVE-2022-37434']?.kev, { dateAdded: '2026-11-01' });
    assert.equal(zlib?.lowestSafeVersion, '1.2.13');

    const litellm = byName(result, 'litellm');
    assert.deepEqual(litellm?.mappedBy, ['name-map']);
    assert.equal(litellm?.versions[0]?.version, '1.82.7');
    assert.equal(litellm?.versions[0]?.malicious, true);
    assert.ok(result.advisories['MAL-2026-2144']?.malicious);
    assert.ok(result.advisories['MAL-2026-2144']?.aliases.includes('PYSEC-2026-2'));

    assert.equal(result.totals.affectedRecords, 4);
    assert.equal(result.totals.maliciousRecords, 1);
    assert.equal(result.totals.kevRecords, 1);
    // libfoo maps to nothing: counted as not looked at, never as clean
    assert.equal(result.coverage.names, 4);
    assert.equal(result.coverage.mapped, 3);
    assert.equal(result.coverage.unmapped, 1);
    assert.equal(result.coverage.unmappedReasons[0]?.names, 1);
  });

  it('audits only new records on a rerun, and everything again under other threat data', async () => {
    const state = join(tempDirectory(), 'state.sqlite');
    const first = await audit({ state });
    const second = await audit({ state });
    assert.equal(second.totals.audited, 0);
    assert.equal(second.totals.reused, 8);
    // the same map from the state as from the audit
    assert.deepEqual(second.packages, first.packages);
    assert.deepEqual(second.advisories, first.advisories);
    assert.deepEqual(second.coverage, first.coverage);

    // one record added upstream: only it is audited
    writeRepodata(channelDir, 'linux-64', [...LINUX, { name: 'openssl', version: '3.0.9', age: 0 }]);
    server.serve('/channel/linux-64/repodata.json', { file: join(channelDir, 'linux-64', 'repodata.json') });
    try {
      const third = await audit({ state });
      assert.equal(third.totals.audited, 1);
      assert.equal(third.totals.reused, 8);
      assert.equal(byName(third, 'openssl')?.newestVersion, '3.0.9');
    } finally {
      writeRepodata(channelDir, 'linux-64', LINUX);
    }

    // other threat data (the KEV catalogue changed): every record is audited again
    const kev = join(intelDir, 'kev.json');
    const saved = readFileSync(kev, 'utf8');
    writeFileSync(kev, saved.replace('2026-11-01', '2026-11-02'));
    try {
      const fourth = await audit({ state });
      assert.equal(fourth.totals.audited, 8);
      assert.deepEqual(fourth.advisories['CVE-2022-37434']?.kev, { dateAdded: '2026-11-02' });
    } finally {
      writeFileSync(kev, saved);
    }
  });

  it('limits the audit to --since and --newest', async () => {
    const since = await audit({ state: ':memory:', since: NOW.getTime() - 5 * DAY });
    assert.equal(since.totals.inScope, 2);
    assert.equal(since.totals.skipped.olderThanSince, 6);
    assert.equal(since.packages.length, 0);

    const newest = await audit({ state: ':memory:', newest: 1 });
    assert.equal(newest.totals.skipped.notNewest, 4);
    assert.deepEqual(
      newest.packages.map((pkg) => pkg.name),
      ['litellm'],
    );
  });

  it('writes a self-contained HTML page with every value escaped', async () => {
    const result = await audit({ state: ':memory:', subdirs: ['linux-64'] });
    const html = renderChannelAuditHtml({ ...result, channel: 'https://example.org/<img src=x onerror=alert(1)>' });
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes("default-src 'none'"));
    assert.ok(!/<(script|link|img)[^>]+(src|href)=["']https?:/i.test(html));
    assert.ok(html.includes('CVE-2023-0286'));
  });

  it('runs from the command line: exit 0, --fail 1, bad input 2 with one line', async () => {
    const state = join(tempDirectory(), 'cli.sqlite');
    const html = join(tempDirectory(), 'map.html');
    const json = join(tempDirectory(), 'map.json');
    const base = [
      'channel',
      'audit',
      server.channel,
      '--db',
      intelDir,
      '--state',
      state,
      '--now',
      NOW.toISOString(),
      '--quiet',
    ];
    const run = await runCliAsync([...base, '--output', html, '--output', json]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /affected: 3 names, 4 records/);
    assert.ok(existsSync(html));
    const written = JSON.parse(readFileSync(json, 'utf8')) as ChannelAuditResult & { schema: number };
    assert.equal(written.schema, 1);
    assert.equal(written.totals.audited, 8);

    const again = await runCliAsync([...base, '--format', 'json', '--fail']);
    assert.equal(again.status, 1, again.stderr);
    assert.equal((JSON.parse(again.stdout) as ChannelAuditResult).totals.audited, 0);

    const missing = await runCliAsync([
      'channel',
      'audit',
      `${server.url('/nowhere')}`,
      '--db',
      intelDir,
      '--state',
      state,
      '--now',
      NOW.toISOString(),
      '--quiet',
    ]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^cvebuild: http:\/\/127\.0\.0\.1:\d+\/nowhere: no repodata\.json in any subdir/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);

    const since = await runCliAsync([...base, '--since', 'yesterday-ish']);
    assert.equal(since.status, 2);
    assert.match(since.stderr, /--since: not a time or duration/);

    const stale = await runCliAsync([...base, '--now', '2030-01-01T00:00:00Z']);
    assert.equal(stale.status, 2);
    assert.match(stale.stderr, /threat data is older than/);
  });

  it('reports a broken repodata file with its URL and byte offset', async () => {
    const dir = join(tempDirectory(), 'broken');
    mkdirSync(join(dir, 'noarch'), { recursive: true });
    writeFileSync(join(dir, 'noarch', 'repodata.json'), '{"packages":{"a-1-0.conda":{"name":"a"');
    const run = await runCliAsync([
      'channel',
      'audit',
      dir,
      '--db',
      intelDir,
      '--state',
      ':memory:',
      '--now',
      NOW.toISOString(),
      '--quiet',
    ]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /noarch\/repodata\.json: truncated: .* at byte 38/);
  });
});
