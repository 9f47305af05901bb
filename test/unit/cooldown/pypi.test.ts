import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckContext } from '../../../src/checks/check.ts';
import { createCooldownCheck } from '../../../src/checks/cooldown.ts';
import type { Finding } from '../../../src/model/finding.ts';
import type { Inventory } from '../../../src/model/inventory.ts';
import { fakeSha256, type PypiIndex, startPypiIndex } from '../../helpers/pypi-index.ts';
import { context, inventory, pypiPackage } from './inventory-builder.ts';

const NOW = '2026-08-10T12:00:00Z';
const check = createCooldownCheck({ retries: 0, timeoutMs: 300, backoffMs: 1 });
const wheel = (name: string, version: string): string => `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;

let index: PypiIndex;
before(async () => {
  index = await startPypiIndex({
    requests: [
      { filename: wheel('requests', '2.32.4'), uploadTime: '2025-06-09T16:43:05.728568Z' },
      { filename: 'requests-2.32.5.tar.gz', uploadTime: '2026-08-08T09:14:33.123456Z' },
      { filename: wheel('requests', '2.32.5'), uploadTime: '2026-08-08T09:14:31.402817Z' },
    ],
    rich: [{ filename: wheel('rich', '14.1.0'), uploadTime: '2026-07-25T10:00:00Z' }],
    'typing-extensions': [{ filename: wheel('typing_extensions', '4.15.0'), uploadTime: '2026-08-09T00:00:00Z' }],
    legacy: [{ filename: wheel('legacy', '1.0'), uploadTime: null }],
  });
});
after(() => index.close());

const pkg = (name: string, version: string, extra: Parameters<typeof pypiPackage>[3] = {}) =>
  pypiPackage(name, version, index.url, { sha256: fakeSha256(wheel(name, version)), ...extra });

async function run(inv: Inventory, ctx: CheckContext = context(NOW)): Promise<Finding[]> {
  return check.run(inv, ctx);
}

const summary = (findings: Finding[]): string[][] =>
  findings.map((f) => [f.rule, `${f.subject?.name}@${f.subject?.version}`]);

describe('cooldown check: PyPI upload times', () => {
  it('flags files uploaded after the cutoff, once per file across platforms', async () => {
    const inv = inventory(
      [
        pkg('requests', '2.32.5'),
        pkg('requests', '2.32.5', { platform: 'osx-arm64', environments: ['test'] }),
        pkg('rich', '14.1.0'),
      ],
      { workspace: '7d' },
    );
    const findings = await run(inv);
    assert.deepEqual(summary(findings), [['cooldown/too-new', 'requests@2.32.5']]);
    const [finding] = findings as [Finding];
    assert.equal(finding.severity, 'high');
    assert.equal(
      finding.message,
      'requests 2.32.5 was uploaded 2026-08-08 09:14 UTC (4.9 d after the cutoff 2026-08-03 12:00 UTC from `exclude-newer = "7d"` at pixi.toml:1)',
    );
    assert.equal(finding.subject?.platform, undefined);
    assert.deepEqual(finding.subject?.environments, ['default', 'test']);
    assert.equal(finding.evidence.publishedAt, '2026-08-08T09:14:31.402Z');
    assert.equal(finding.evidence.basis, 'pypi-upload-time');
    assert.equal(finding.evidence.index, index.url);
    assert.equal(finding.evidence.file, wheel('requests', '2.32.5'));
    assert.deepEqual(finding.evidence.platforms, ['linux-64', 'osx-arm64']);
    assert.equal(finding.evidence.timeFrom, 'index');
    assert.equal(index.pageRequests('requests').length, 1);
    assert.equal(
      index.pageRequests('requests')[0]?.accept,
      'application/vnd.pypi.simple.v1+json',
      'asks for PEP 691 JSON',
    );
  });

  it('matches by sha256 first, by file name without one, and refuses a different hash', async () => {
    const renamed = pkg('typing-extensions', '4.15.0', { url: 'https://mirror.example/x/renamed.whl' });
    const byName = pkg('typing-extensions', '4.15.0', { sha256: undefined, platform: 'win-64' });
    const swapped = pkg('typing-extensions', '4.15.0', { sha256: 'ab'.repeat(32), platform: 'osx-64' });
    const findings = await run(inventory([renamed, byName, swapped], { workspace: '7d' }));
    assert.deepEqual(
      findings.map((f) => [f.rule, f.evidence.platforms]),
      [
        ['cooldown/too-new', ['linux-64']],
        ['cooldown/too-new', ['win-64']],
        ['cooldown/not-checked', ['osx-64']],
      ],
    );
    assert.match(findings[2]?.message ?? '', /with sha256 [0-9a-f]{64}, not the locked abab/);
  });

  it('answers a second run from the disk cache without asking the index', async () => {
    const ctx = context(NOW);
    const inv = inventory([pkg('rich', '14.1.0'), pkg('requests', '2.32.4')], { workspace: '30d' });
    const before = index.pageRequests().length;
    const first = await run(inv, ctx);
    assert.equal(index.pageRequests().length, before + 2);
    const second = await run(inv, { ...ctx, now: new Date('2026-08-20T00:00:00Z') });
    assert.equal(index.pageRequests().length, before + 2);
    assert.deepEqual(summary(first), [['cooldown/too-new', 'rich@14.1.0']]);
    assert.equal(first[0]?.evidence.timeFrom, 'index');
    assert.equal(second[0]?.evidence.timeFrom, 'cache');
    const cached = readdirSync(join(ctx.cacheDir, 'pypi-upload-times'));
    assert.deepEqual(cached.map((name) => name.replace(/-[0-9a-f]{16}\.json$/, '')).sort(), ['requests', 'rich']);
  });

  it('asks again for a file the cached page did not list once the miss has expired', async () => {
    const ctx = context(NOW);
    index.publish('fresh-pkg', [{ filename: wheel('fresh_pkg', '1.0'), uploadTime: '2026-08-01T00:00:00Z' }]);
    const inv = inventory([pkg('fresh-pkg', '1.0'), pkg('fresh-pkg', '1.1')], { workspace: '7d' });
    const first = await run(inv, ctx);
    assert.deepEqual(summary(first), [['cooldown/not-checked', 'fresh-pkg@1.1']]);
    assert.match(
      first[0]?.message ?? '',
      /fresh_pkg-1\.1-py3-none-any\.whl is not listed by http:\/\/127\.0\.0\.1:\d+\/simple$/,
    );
    index.publish('fresh-pkg', [
      { filename: wheel('fresh_pkg', '1.0'), uploadTime: '2026-08-01T00:00:00Z' },
      { filename: wheel('fresh_pkg', '1.1'), uploadTime: '2026-08-10T11:00:00Z' },
    ]);
    const withinTtl = await run(inv, { ...ctx, now: new Date('2026-08-10T12:30:00Z') });
    assert.deepEqual(summary(withinTtl), [['cooldown/not-checked', 'fresh-pkg@1.1']]);
    assert.equal(index.pageRequests('fresh-pkg').length, 1);
    const later = await run(inv, { ...ctx, now: new Date('2026-08-10T14:00:00Z') });
    assert.deepEqual(summary(later), [['cooldown/too-new', 'fresh-pkg@1.1']]);
    assert.equal(index.pageRequests('fresh-pkg').length, 2);
  });

  it('offline, answers from the cache and says what it could not check', async () => {
    const ctx = context(NOW);
    await run(inventory([pkg('rich', '14.1.0')], { workspace: '7d' }), ctx);
    const requests = index.pageRequests().length;
    const inv = inventory([pkg('rich', '14.1.0'), pkg('requests', '2.32.5')], { workspace: '30d' });
    const findings = await run(inv, { ...ctx, offline: true });
    assert.equal(index.pageRequests().length, requests);
    assert.deepEqual(summary(findings), [
      ['cooldown/too-new', 'rich@14.1.0'],
      ['cooldown/not-checked', 'requests@2.32.5'],
    ]);
    const notChecked = findings[1] as Finding;
    assert.equal(notChecked.severity, 'low');
    assert.equal(notChecked.evidence.offline, true);
    assert.match(
      notChecked.message,
      /upload time was not checked .*: offline, and http:\/\/127\.0\.0\.1:\d+\/simple has no cached answer$/,
    );
  });

  it('uses the upload time the producer recorded (Package.timestamp) without asking the index', async () => {
    const before = index.pageRequests().length;
    const uploaded = Date.parse('2026-08-09T08:00:00Z');
    const inv = inventory(
      [
        pkg('unlisted-pkg', '3.0', { timestamp: uploaded }),
        pkg('other-pkg', '1.0', { timestamp: Date.parse('2026-01-01T00:00:00Z') }),
      ],
      { workspace: '7d' },
    );
    const findings = await run(inv, context(NOW, { offline: true }));
    assert.equal(index.pageRequests().length, before, 'no page was fetched');
    assert.deepEqual(summary(findings), [['cooldown/too-new', 'unlisted-pkg@3.0']]);
    assert.equal(findings[0]?.evidence.publishedAt, '2026-08-09T08:00:00.000Z');
    assert.equal(findings[0]?.evidence.timeFrom, 'package');
    assert.equal(findings[0]?.evidence.basis, 'pypi-upload-time');
  });

  it('uses pypi.org when the lock names no index', async () => {
    const inv = inventory([pkg('rich', '14.1.0', { index: undefined })], { workspace: '7d' });
    const [finding] = await run(inv, context(NOW, { offline: true }));
    assert.equal(finding?.evidence.index, 'https://pypi.org/simple');
  });

  it('reports a server error or a timeout as not checked, and caches neither', async () => {
    const ctx = context(NOW);
    const inv = inventory([pkg('rich', '14.1.0')], { workspace: '30d' });
    index.fail('rich', { status: 500 });
    const [failed] = await run(inv, ctx);
    assert.equal(failed?.rule, 'cooldown/not-checked');
    assert.match(
      failed?.message ?? '',
      /network error: could not download http:\/\/127\.0\.0\.1:\d+\/simple\/rich\/: HTTP 500/,
    );
    index.fail('rich', { delayMs: 2_000 });
    const [slow] = await run(inv, ctx);
    assert.match(slow?.message ?? '', /network error: .*timed out after 0\.3 s/);
    const [recovered] = await run(inv, ctx);
    assert.equal(recovered?.rule, 'cooldown/too-new');
  });

  it('treats a file without a PEP 700 upload-time per cooldownUnknownTimestamp', async () => {
    const inv = inventory([pkg('legacy', '1.0')], { workspace: '7d' });
    const [finding] = await run(inv);
    assert.equal(finding?.rule, 'cooldown/unknown-time');
    assert.equal(finding?.severity, 'low');
    assert.match(finding?.message ?? '', /no upload-time/);
    const ctx = context(NOW);
    assert.deepEqual(await run(inv, { ...ctx, settings: { ...ctx.settings, cooldownUnknownTimestamp: 'ignore' } }), []);
  });

  it('applies pypi package > pypi workspace > workspace, skips 0d and `*` exemptions without a request', async () => {
    const asked = (): number[] => ['requests', 'rich', 'typing-extensions'].map((p) => index.pageRequests(p).length);
    const [requests = 0, rich = 0, typing = 0] = asked();
    const inv = inventory([pkg('requests', '2.32.5'), pkg('rich', '14.1.0'), pkg('typing-extensions', '4.15.0')], {
      workspace: '60d',
      pypiWorkspace: '1d',
      pypiPackages: { requests: '0d' },
      pypiExemptions: { 'typing-extensions': '*' },
    });
    assert.deepEqual(await run(inv), []);
    assert.deepEqual(asked(), [requests, rich + 1, typing]);
    const strict = inventory([pkg('rich', '14.1.0')], { workspace: '1d', pypiPackages: { rich: '30d' } });
    assert.deepEqual(
      (await run(strict)).map((f) => f.evidence.scope),
      ['pypi-package'],
    );
  });

  it('keeps index credentials out of request URLs, findings and the cache', async () => {
    const ctx = context(NOW);
    const secretIndex = index.url.replace('http://', 'http://alice:s3cr%40t@');
    const inv = inventory(
      [pypiPackage('rich', '14.1.0', secretIndex), pypiPackage('requests', '2.32.5', secretIndex)],
      {
        workspace: '30d',
      },
    );
    index.fail('requests', { status: 503 });
    const findings = await run(inv, ctx);
    assert.deepEqual(summary(findings), [
      ['cooldown/too-new', 'rich@14.1.0'],
      ['cooldown/not-checked', 'requests@2.32.5'],
    ]);
    const shown = JSON.stringify(findings);
    assert.ok(!shown.includes('s3cr') && !shown.includes('alice'), shown);
    const sent = index.pageRequests('rich').at(-1);
    assert.equal(
      sent?.authorization,
      `Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`,
      'credentials go in a header',
    );
    assert.equal(findings[0]?.evidence.index, index.url.replace('http://', 'http://***@'));
    for (const name of readdirSync(join(ctx.cacheDir, 'pypi-upload-times'))) {
      assert.ok(!readFileSync(join(ctx.cacheDir, 'pypi-upload-times', name), 'utf8').includes('s3cr'));
    }
  });
});
