/**
 * Real pip through the PyPI proxy: wheels built by pip from tiny projects and Debian's own wheels,
 * served by a loopback upstream index, installed and downloaded through the proxy.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDirectory } from '../../helpers/temp.ts';
import {
  buildWheel,
  debianWheels,
  PIP_ACCEPT,
  type ProxyUnderTest,
  pip,
  pipSkip,
  sha256,
  startProxy,
  type UpstreamFile,
  UpstreamIndex,
} from './pypi-fixture.ts';

const skip = pipSkip();

/** pip reads PEP 714 `core-metadata` from JSON pages since 23.2 (Debian bookworm ships 23.0.1). */
async function pipReadsCoreMetadata(): Promise<boolean> {
  const [major = 0, minor = 0] = (/pip (\d+)\.(\d+)/.exec((await pip(['--version'])).output) ?? [])
    .slice(1)
    .map(Number);
  return major > 23 || (major === 23 && minor >= 2);
}

describe('PyPI proxy with real pip', { skip }, () => {
  let upstream: UpstreamIndex;
  let proxy: ProxyUnderTest;
  let demo1: UpstreamFile;
  let demo2: UpstreamFile;

  before(async () => {
    upstream = await new UpstreamIndex().start();
    const [one, two] = [await buildWheel('demo', '1.0'), await buildWheel('demo', '2.0')];
    demo1 = {
      filename: basename(one.file),
      bytes: readFileSync(one.file),
      metadata: one.metadata,
      uploadTime: '2026-01-10T10:00:00.123456Z',
    };
    demo2 = {
      filename: basename(two.file),
      bytes: readFileSync(two.file),
      metadata: two.metadata,
      uploadTime: '2026-08-01T08:00:00Z',
    };
    upstream.publish('demo', [demo1, demo2]);
    // Debian's real wheels, listed on an HTML page (PEP 503) without upload times or metadata files
    for (const path of debianWheels()) {
      const filename = basename(path);
      const project = filename.split('-')[0]?.toLowerCase() ?? '';
      upstream.publish(project, [{ filename, bytes: readFileSync(path) }], 'html');
    }
    proxy = await startProxy(upstream);
  });
  after(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  const download = async (spec: string, ...extra: string[]) => {
    const dir = tempDirectory();
    const run = await pip([
      'download',
      ...['--no-deps', '--no-cache-dir', '--retries', '0', '--index-url', proxy.index, '-d', dir],
      ...extra,
      spec,
    ]);
    return { ...run, dir, files: existsSync(dir) ? readdirSync(dir).sort() : [] };
  };

  it('installs through the proxy, fetching the page, the metadata file and the wheel from it', async () => {
    proxy.judge.block();
    const target = tempDirectory();
    const seenBefore = upstream.seen.length;
    const run = await pip([
      'install',
      '--no-deps',
      '--no-cache-dir',
      '--index-url',
      proxy.index,
      '--target',
      target,
      'demo',
    ]);
    assert.equal(run.code, 0, run.output);
    assert.match(readFileSync(join(target, 'demo', '__init__.py'), 'utf8'), /VERSION = '2\.0'/);
    const asked = upstream.seen.slice(seenBefore).map((request) => request.path);
    assert.ok(asked.includes('/simple/demo/'), asked.join(' '));
    if (await pipReadsCoreMetadata())
      assert.ok(asked.includes(`${upstream.pathOf(demo2)}.metadata`), 'pip read the PEP 658 metadata file');
    assert.ok(asked.includes(upstream.pathOf(demo2)), 'the proxy fetched the wheel from upstream');
    assert.match(
      run.output,
      new RegExp(`${proxy.url.replace(/[.]/g, '\\.')}/pypi/pypi/files/demo/`),
      'pip fetched from the proxy',
    );
  });

  it('with demo 2.0 quarantined pip picks demo 1.0', async () => {
    proxy.judge.block({ name: 'demo', version: '2.0' });
    const run = await download('demo');
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.files, [demo1.filename]);
  });

  it('with the whole project quarantined pip finds no versions, and the page is 200 with project-status', async () => {
    proxy.judge.block({ name: 'demo' });
    const run = await download('demo');
    assert.notEqual(run.code, 0);
    assert.match(run.output, /from versions: none/);
    const page = await fetch(`${proxy.index}demo/`, { headers: { accept: PIP_ACCEPT } });
    assert.equal(page.status, 200);
    const body = (await page.json()) as { files: unknown[]; 'project-status': { status: string } };
    assert.deepEqual(body.files, []);
    assert.equal(body['project-status'].status, 'quarantined');
  });

  it('a pinned blocked version fails at download, not only on the page', async () => {
    proxy.judge.block({ name: 'demo', version: '2.0' });
    // the URL pip would have locked before the quarantine
    const url = `${proxy.url}/pypi/pypi/files/demo${upstream.pathOf(demo2)}`;
    const run = await download(url);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /403/);
  });

  it('a tampered upstream file is aborted mid-stream and pip fails', async () => {
    proxy.judge.block();
    const tampered = Buffer.from(demo1.bytes);
    tampered[tampered.length - 30] = (tampered[tampered.length - 30] ?? 0) ^ 0xff;
    upstream.tamper(demo1, tampered);
    try {
      const run = await download('demo==1.0');
      assert.notEqual(run.code, 0, run.output);
      assert.deepEqual(run.files, []);
      const aborted = proxy.logs.filter((line) => line.event === 'download-aborted');
      assert.ok(
        aborted.some((line) => String(line.reason).includes('is not the page')),
        JSON.stringify(aborted),
      );
    } finally {
      upstream.tamper(demo1, demo1.bytes);
    }
  });

  it("downloads Debian's real wheels listed on an HTML upstream page", async (t) => {
    const wheels = debianWheels();
    if (wheels.length === 0) return t.skip('no /usr/share/python-wheels (python3-pip-whl)');
    proxy.judge.block();
    for (const path of wheels) {
      const filename = basename(path);
      const project = filename.split('-')[0]?.toLowerCase() ?? '';
      const run = await download(project);
      assert.equal(run.code, 0, run.output);
      assert.deepEqual(run.files, [filename]);
      assert.equal(sha256(readFileSync(join(run.dir, filename))), sha256(readFileSync(path)));
    }
  });
});
