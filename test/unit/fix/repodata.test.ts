import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zstdCompressSync } from 'node:zlib';
import { scanRepodata, subdirVersions } from '../../../src/fix/repodata.ts';
import { serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const context = () => ({ cacheDir: tempDirectory(), offline: false, retries: 0, timeoutMs: 2_000 });
const sorted = (found: Map<string, Set<string>>, name: string) => [...(found.get(name) ?? [])].sort();

describe('fix: versions from repodata', () => {
  it('reads the archive keys of both package sections, and nothing else', async () => {
    const repodata = {
      info: { subdir: 'linux-64' },
      packages: {
        'openssl-3.0.7-h0b41bf4_1.tar.bz2': { name: 'openssl', version: '3.0.7', fn: 'openssl-9.9.9-h_0.tar.bz2' },
      },
      'packages.conda': {
        'openssl-3.0.8-h0b41bf4_0.conda': { name: 'openssl', version: '3.0.8', url: 'openssl-8.8.8-h_0.conda' },
        'OpenSSL-3.1.0-h_0.conda': { name: 'openssl', version: '3.1.0' },
        'libopenssl-static-3.2.0-h_0.conda': { name: 'libopenssl-static', version: '3.2.0' },
        'python-3.12.4-h194c7f8_0_cpython.conda': { name: 'python', version: '3.12.4' },
      },
      removed: ['openssl-7.7.7-h_0.conda'],
    };
    const path = writeTemp('repodata.json', JSON.stringify(repodata, null, 1));
    const found = await scanRepodata(path, false, new Set(['openssl', 'python']));
    assert.deepEqual(sorted(found, 'openssl'), ['3.0.7', '3.0.8', '3.1.0']);
    assert.deepEqual(sorted(found, 'python'), ['3.12.4']);
    assert.equal(found.has('libopenssl-static'), false);
  });

  it('finds every key of a large file, also across the chunks it streams in, compressed or not', async () => {
    const entries: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i++)
      entries[`zlib-1.${i}.0-h${'a'.repeat(i % 40)}_0.conda`] = { depends: ['x'.repeat(i % 97)] };
    const text = JSON.stringify({ 'packages.conda': entries });
    assert.ok(text.length > 400_000);
    const plain = writeTemp('big/repodata.json', text);
    const compressed = writeTemp('big/repodata.json.zst', zstdCompressSync(Buffer.from(text)));
    for (const [path, isZstd] of [
      [plain, false],
      [compressed, true],
    ] as const) {
      const found = await scanRepodata(path, isZstd, new Set(['zlib']));
      assert.equal(found.get('zlib')?.size, 5_000, path);
    }
  });

  it('reads a local channel directory, and says when a subdir is not there', async () => {
    const dir = writeChannel([
      { name: 'tornado', version: '6.4.2', build: 'py312_0', subdir: 'linux-64' },
      { name: 'tornado', version: '6.5.0', build: 'pyhd8ed1ab_0' },
    ]);
    const linux = await subdirVersions(dir, 'linux-64', new Set(['tornado']), context());
    assert.equal(linux.status, 'read');
    assert.deepEqual(linux.status === 'read' && sorted(linux.versions, 'tornado'), ['6.4.2']);
    assert.equal(linux.status === 'read' && linux.read.from, 'directory');
    assert.deepEqual(await subdirVersions(dir, 'win-64', new Set(['tornado']), context()), { status: 'absent' });
  });

  it('fetches repodata.json.zst first, then repodata.json, through the cache', async () => {
    const dir = writeChannel([{ name: 'tornado', version: '6.4.2', build: 'py312_0', subdir: 'linux-64' }]);
    const channel = await serveChannel(dir, 'conda-forge');
    try {
      const ctx = context();
      const first = await subdirVersions(channel.channel, 'linux-64', new Set(['tornado']), ctx);
      assert.equal(first.status === 'read' && first.read.from, 'network');
      assert.deepEqual(channel.paths(), [
        '/conda-forge/linux-64/repodata.json.zst',
        '/conda-forge/linux-64/repodata.json',
      ]);
      const offline = await subdirVersions(channel.channel, 'linux-64', new Set(['tornado']), {
        ...ctx,
        offline: true,
      });
      assert.equal(offline.status === 'read' && offline.read.from, 'cache');
      assert.deepEqual(offline.status === 'read' && sorted(offline.versions, 'tornado'), ['6.4.2']);
      assert.equal(channel.paths().length, 2);
    } finally {
      await channel.close();
    }
  });

  it('a repodata file that is not what it says is a source that could not be read', async () => {
    const dir = tempDirectory();
    mkdirSync(join(dir, 'linux-64'));
    writeFileSync(join(dir, 'linux-64', 'repodata.json.zst'), 'not zstd at all');
    const read = await subdirVersions(dir, 'linux-64', new Set(['x']), context());
    assert.equal(read.status, 'unavailable');
    assert.match(read.status === 'unavailable' ? read.reason : '', /could not be read/);
  });
});
