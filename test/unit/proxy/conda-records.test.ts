/** The pieces under the conda channel: routes, the records seam with its byte spans, shard filtering. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zstdCompressSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import { decodeShard, decodeShardIndex, encodeZstdMsgpack } from '../../../src/conda/shards.ts';
import { isCvebuildError } from '../../../src/errors.ts';
import { routeOf } from '../../../src/proxy/conda/paths.ts';
import { readRecords } from '../../../src/proxy/conda/records.ts';
import { filterShard } from '../../../src/proxy/conda/shards.ts';
import { tempDirectory } from '../../helpers/temp.ts';

describe('conda channel routes', () => {
  it('classifies channel paths and refuses hostile ones', () => {
    assert.deepEqual(routeOf('linux-64/repodata.json'), { kind: 'repodata', subdir: 'linux-64', variant: 'json' });
    assert.deepEqual(routeOf('noarch/repodata.json.zst'), { kind: 'repodata', subdir: 'noarch', variant: 'zst' });
    assert.deepEqual(routeOf('noarch/run_exports.json'), {
      kind: 'repodata',
      subdir: 'noarch',
      variant: 'run-exports',
    });
    assert.deepEqual(routeOf('noarch/repodata_shards.msgpack.zst'), { kind: 'shard-index', subdir: 'noarch' });
    assert.deepEqual(routeOf(`noarch/shards/${'a'.repeat(64)}.msgpack.zst`), {
      kind: 'shard',
      subdir: 'noarch',
      hash: 'a'.repeat(64),
    });
    assert.deepEqual(routeOf('win-64/x-1.0-0.tar.bz2'), {
      kind: 'package',
      subdir: 'win-64',
      filename: 'x-1.0-0.tar.bz2',
    });
    assert.deepEqual(routeOf('noarch/x-1!1.0+local-py_0.conda.v0.sigs'), {
      kind: 'sidecar',
      subdir: 'noarch',
      filename: 'x-1!1.0+local-py_0.conda',
      sidecar: '.v0.sigs',
    });
    assert.equal(routeOf(`noarch/x-1.0-0.conda.sigs.${'b'.repeat(64)}`).kind, 'sidecar');
    assert.equal(routeOf('channeldata.json').kind, 'channeldata');
    for (const path of [
      '../linux-64/repodata.json',
      'linux-64/../noarch/repodata.json',
      'linux-64/./repodata.json',
      'Linux-64/repodata.json',
      'linux-64/repodata.json.bz2',
      'linux-64/repodata.jlap',
      'linux-64/repodata_from_packages.json',
      'linux-64/current_repodata.json.zst',
      'linux-64/shards/ABC.msgpack.zst',
      'linux-64/a/b-1.0-0.conda',
      'linux-64/x y-1.0-0.conda',
      'linux-64/x-1.0.conda',
      'linux-64/',
      '',
    ]) {
      assert.equal(routeOf(path).kind, 'none', path);
    }
    assert.equal(routeOf('osx-64/repodata.json', ['linux-64']).kind, 'none');
    assert.equal(routeOf('noarch/repodata.json', ['linux-64']).kind, 'repodata');
  });
});

describe('repodata records seam', () => {
  const write = (text: string) => {
    const file = join(tempDirectory(), 'repodata.json');
    writeFileSync(file, text);
    return file;
  };

  it('gives each record with the byte span upstream wrote, the last of repeated keys only', async () => {
    const text =
      '{"info":{"subdir":"noarch"},\n "packages.conda": {"a-1-0.conda": {"name":"a","license":"\\u00e9 \\"q\\" {}"} ,\n' +
      '"a-1-0.conda": {"name":"a","version":"1"}},"packages":{"é-1-0.tar.bz2":{"name":"é"}},"removed":["x"],"repodata_version":1,"signatures":{}}';
    const doc = await readRecords(write(text), 'test');
    const bytes = Buffer.from(text);
    const entries = [];
    for await (const entry of doc.entries()) entries.push(entry);
    assert.deepEqual(
      entries.map((entry) => [entry.key, entry.filename, bytes.subarray(entry.start, entry.end).toString()]),
      [
        ['packages.conda', 'a-1-0.conda', '{"name":"a","version":"1"}'],
        ['packages', 'é-1-0.tar.bz2', '{"name":"é"}'],
      ],
    );
    assert.deepEqual((entries[0] as { record: unknown }).record, { name: 'a', version: '1' });
    assert.deepEqual(doc.removed, ['x']);
    assert.equal(doc.repodataVersion, 1);
    assert.deepEqual(doc.otherKeys, ['signatures']);
  });

  it('refuses documents that are not repodata, naming the source', async () => {
    for (const [text, pattern] of [
      ['{"packages": {', /truncated/],
      ['[]', /not a JSON object/],
      ['{"packages": []}', /packages is not an object/],
      ['{"removed": [1]}', /removed: expected a list of file names/],
      ['{"info": "x"}', /info: expected a mapping/],
    ] as const) {
      await assert.rejects(readRecords(write(text), 'https://up/x/repodata.json'), (error) => {
        assert.ok(isCvebuildError(error));
        assert.match(error.toLine(), pattern);
        assert.match(error.toLine(), /^https:\/\/up\/x\/repodata.json/);
        return true;
      });
    }
  });
});

describe('shard filtering', () => {
  const record = (name: string, version: string) => ({ name, version, build: '0', sha256: new Uint8Array(32).fill(1) });

  it('keeps an untouched shard unchanged and re-encodes a filtered one deterministically', () => {
    const shard = {
      packages: {},
      'packages.conda': { 'a-1-0.conda': record('a', '1'), 'a-2-0.conda': record('a', '2') },
      removed: [],
    };
    const none = filterShard(shard, { version: 'v', blocked: new Map() });
    assert.equal(none.changed, false);
    const blocked = { version: 'v', blocked: new Map([['a-2-0', []]]) };
    const one = filterShard(shard, blocked);
    assert.equal(one.changed, true);
    assert.equal(one.remaining, 1);
    // same content in another key order: same bytes
    const reordered = {
      removed: [],
      'packages.conda': { 'a-2-0.conda': record('a', '2'), 'a-1-0.conda': record('a', '1') },
      packages: {},
    };
    assert.deepEqual(encodeZstdMsgpack(filterShard(reordered, blocked).shard), encodeZstdMsgpack(one.shard));
    const decoded = decodeShard(encodeZstdMsgpack(one.shard), 'test') as {
      'packages.conda': Record<string, { sha256: unknown }>;
    };
    assert.ok(decoded['packages.conda']['a-1-0.conda']?.sha256 instanceof Uint8Array);
  });

  it('rejects a malformed index and a decompression bomb', () => {
    assert.throws(
      () => decodeShardIndex(zstdCompressSync(Buffer.from(encode({ shards: { a: 'hex' } }))), 'idx'),
      /32 bytes/,
    );
    assert.throws(() => decodeShardIndex(Buffer.from('not zstd'), 'idx'), /not zstd/);
    const bomb = zstdCompressSync(Buffer.alloc(80 * 1024 * 1024));
    assert.throws(() => decodeShard(bomb, 'shard'), /within/);
  });
});
