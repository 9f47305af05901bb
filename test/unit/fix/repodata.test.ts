import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { zstdCompressSync } from 'node:zlib';
import { decodeShardIndex } from '../../../src/conda/shards.ts';
import { scanRepodata, subdirVersions } from '../../../src/fix/repodata.ts';
import { type ChannelRecord, serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
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
      // no shard index (404): repodata.json.zst, then repodata.json
      assert.deepEqual(channel.paths(), [
        '/conda-forge/linux-64/repodata_shards.msgpack.zst',
        '/conda-forge/linux-64/repodata.json.zst',
        '/conda-forge/linux-64/repodata.json',
      ]);
      const offline = await subdirVersions(channel.channel, 'linux-64', new Set(['tornado']), {
        ...ctx,
        offline: true,
      });
      assert.equal(offline.status === 'read' && offline.read.from, 'cache');
      assert.deepEqual(offline.status === 'read' && sorted(offline.versions, 'tornado'), ['6.4.2']);
      assert.equal(channel.paths().length, 3);
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

const RECORDS: ChannelRecord[] = [
  { name: 'tornado', version: '6.4.1', build: 'py312_0', subdir: 'linux-64' },
  { name: 'tornado', version: '6.4.2', build: 'py312_0', subdir: 'linux-64' },
  { name: 'openssl', version: '3.0.8', build: 'h0_0', subdir: 'linux-64' },
  { name: 'numpy', version: '2.0.1', build: 'py312_0', subdir: 'linux-64' },
  { name: 'tzdata', version: '2025b', build: 'h0_0' },
];

/** The shard file the channel directory holds for `name` (in the index by name). */
function shardPathOf(dir: string, subdir: string, name: string): string {
  const index = decodeShardIndex(readFileSync(join(dir, subdir, 'repodata_shards.msgpack.zst')), 'index');
  return join(dir, subdir, 'shards', `${index.shards.get(name)}.msgpack.zst`);
}

describe('fix: versions from sharded repodata (CEP 16)', () => {
  it('reads only the shards of the wanted names, and no repodata.json', async () => {
    const dir = writeChannel(RECORDS, { sharded: true, repodata: false });
    const channel = await serveChannel(dir, 'conda-forge');
    try {
      const read = await subdirVersions(
        channel.channel,
        'linux-64',
        new Set(['tornado', 'openssl', 'absent']),
        context(),
      );
      assert.equal(read.status, 'read');
      assert.deepEqual(read.status === 'read' && sorted(read.versions, 'tornado'), ['6.4.1', '6.4.2']);
      assert.deepEqual(read.status === 'read' && sorted(read.versions, 'openssl'), ['3.0.8']);
      assert.equal(read.status === 'read' && read.versions.has('numpy'), false);
      assert.deepEqual(read.status === 'read' && read.read, {
        source: `${channel.channel} (linux-64)`,
        from: 'network',
      });
      const paths = channel.paths();
      assert.equal(paths[0], '/conda-forge/linux-64/repodata_shards.msgpack.zst');
      assert.deepEqual(
        paths.slice(1).sort(),
        ['openssl', 'tornado']
          .map((name) => `/conda-forge/linux-64/shards/${basename(shardPathOf(dir, 'linux-64', name))}`)
          .sort(),
      );
    } finally {
      await channel.close();
    }
  });

  it('prefers the shards where the channel offers repodata.json too, and keeps them in the cache', async () => {
    const dir = writeChannel(RECORDS, { sharded: true });
    const channel = await serveChannel(dir, 'conda-forge');
    try {
      const ctx = context();
      const names = new Set(['tornado']);
      await subdirVersions(channel.channel, 'linux-64', names, ctx);
      assert.equal(channel.paths().length, 2, channel.paths().join());
      assert.ok(!channel.paths().some((path) => path.includes('repodata.json')));
      // again online: the index is asked again (a 304), a shard never (it is named by its hash)
      const again = await subdirVersions(channel.channel, 'linux-64', names, ctx);
      assert.deepEqual(again.status === 'read' && sorted(again.versions, 'tornado'), ['6.4.1', '6.4.2']);
      assert.deepEqual(channel.paths().slice(2), ['/conda-forge/linux-64/repodata_shards.msgpack.zst']);
      assert.equal(channel.requests.at(-1)?.status, 304);
      const offline = await subdirVersions(channel.channel, 'linux-64', names, { ...ctx, offline: true });
      assert.equal(offline.status === 'read' && offline.read.from, 'cache');
      assert.deepEqual(offline.status === 'read' && sorted(offline.versions, 'tornado'), ['6.4.1', '6.4.2']);
      assert.equal(channel.paths().length, 3);
      // offline, a shard never fetched is not confirmed, and repodata.json is not read instead
      const other = await subdirVersions(channel.channel, 'linux-64', new Set(['numpy']), { ...ctx, offline: true });
      assert.equal(other.status, 'unavailable');
      assert.match(
        other.status === 'unavailable' ? other.reason : '',
        /\/shards\/[0-9a-f]{64}\.msgpack\.zst could not be read \(offline, and never fetched before\)$/,
      );
    } finally {
      await channel.close();
    }
  });

  it('fails closed on any error but a 404 of the index, naming the URL', async () => {
    const dir = writeChannel(RECORDS, { sharded: true });
    const channel = await serveChannel(dir, 'conda-forge');
    try {
      channel.fail('/conda-forge/linux-64/repodata_shards.msgpack.zst', { status: 500 });
      const failed = await subdirVersions(channel.channel, 'linux-64', new Set(['tornado']), context());
      assert.equal(failed.status, 'unavailable');
      assert.match(
        failed.status === 'unavailable' ? failed.reason : '',
        /^http:\/\/127\.0\.0\.1:\d+\/conda-forge\/linux-64\/repodata_shards\.msgpack\.zst could not be read \(.*500.*\)$/,
      );
      assert.ok(!channel.paths().some((path) => path.includes('repodata.json')), 'no fallback but on a 404');
      assert.doesNotMatch(failed.status === 'unavailable' ? failed.reason : '', /\n/);
    } finally {
      await channel.close();
    }
  });

  it('a shard whose bytes do not match its hash, or that is missing, is not read', async () => {
    const dir = writeChannel(RECORDS, { sharded: true });
    const tornado = shardPathOf(dir, 'linux-64', 'tornado');
    const openssl = shardPathOf(dir, 'linux-64', 'openssl');
    // tornado's shard holds openssl's bytes: valid msgpack, the wrong hash
    writeFileSync(tornado, readFileSync(openssl));
    const channel = await serveChannel(dir, 'conda-forge');
    try {
      const read = await subdirVersions(channel.channel, 'linux-64', new Set(['tornado']), context());
      assert.equal(read.status, 'unavailable');
      assert.match(
        read.status === 'unavailable' ? read.reason : '',
        new RegExp(
          `/shards/${basename(tornado).replaceAll('.', '\\.')} could not be read \\(its bytes do not match the sha256 the shard index gives\\)$`,
        ),
      );
      channel.fail(`/conda-forge/linux-64/shards/${basename(openssl)}`, { status: 404 });
      const missing = await subdirVersions(channel.channel, 'linux-64', new Set(['openssl']), context());
      assert.match(
        missing.status === 'unavailable' ? missing.reason : '',
        /could not be read \(not found, though the shard index names it\)$/,
      );
    } finally {
      await channel.close();
    }
  });

  it('a shard index that is not zstd msgpack is a source that could not be read', async () => {
    const dir = writeChannel(RECORDS, { sharded: true });
    writeFileSync(
      join(dir, 'linux-64', 'repodata_shards.msgpack.zst'),
      zstdCompressSync(Buffer.from('{"json": true}')),
    );
    const channel = await serveChannel(dir, 'conda-forge');
    try {
      const read = await subdirVersions(channel.channel, 'linux-64', new Set(['tornado']), context());
      assert.match(
        read.status === 'unavailable' ? read.reason : '',
        /repodata_shards\.msgpack\.zst could not be read \(/,
      );
    } finally {
      await channel.close();
    }
  });

  it('reads the shards of a local channel directory', async () => {
    const dir = writeChannel(RECORDS, { sharded: true, repodata: false });
    const noarch = await subdirVersions(dir, 'noarch', new Set(['tzdata']), context());
    assert.deepEqual(noarch.status === 'read' && sorted(noarch.versions, 'tzdata'), ['2025b']);
    assert.equal(noarch.status === 'read' && noarch.read.from, 'directory');
    assert.deepEqual(await subdirVersions(dir, 'win-64', new Set(['tzdata']), context()), { status: 'absent' });
  });
});
