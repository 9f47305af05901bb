/**
 * The first build of a filtered shard index learns which shards change from one read of the
 * monolithic repodata, not from every shard: a loopback upstream with a real msgpack+zstd shard
 * index, shards and repodata.json(.zst) counts what the proxy fetches. Also: the filtered index's
 * hashes name exactly the bytes served, a monolithic document from another snapshot than the
 * index never lets a blocked record through, and without a monolithic document every shard is
 * fetched (within the upstream client's concurrency).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { decode, encode } from '@msgpack/msgpack';
import { tempDirectory } from '../../helpers/temp.ts';
import { FakeJudge, listen, startProxy } from './conda-fixture.ts';

interface Rec {
  name: string;
  version: string;
}

const SUBDIR = 'linux-64';
const NAMES = Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`);
const BASE: Rec[] = NAMES.flatMap((name) => [
  { name, version: '1.0' },
  { name, version: '2.0' },
]);

const fileOf = (rec: Rec) => `${rec.name}-${rec.version}-h0_0.conda`;
const bytesOf = (rec: Rec) => Buffer.from(`bytes of ${fileOf(rec)}\n`.repeat(50));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

function recordOf(rec: Rec) {
  const bytes = bytesOf(rec);
  return {
    name: rec.name,
    version: rec.version,
    build: 'h0_0',
    build_number: 0,
    depends: [],
    subdir: SUBDIR,
    sha256: sha256(bytes),
    md5: md5(bytes),
    size: bytes.byteLength,
    timestamp: 1700000000000,
  };
}

/** The index and shards from `sharded`, repodata.json(.zst) from `monolithic` (another snapshot when they differ). */
function writeChannel(dir: string, sharded: Rec[], monolithic: Rec[] = sharded): void {
  mkdirSync(join(dir, SUBDIR, 'shards'), { recursive: true });
  const json = Buffer.from(
    JSON.stringify({
      info: { subdir: SUBDIR },
      packages: {},
      'packages.conda': Object.fromEntries(monolithic.map((rec) => [fileOf(rec), recordOf(rec)])),
      removed: [],
      repodata_version: 1,
    }),
  );
  writeFileSync(join(dir, SUBDIR, 'repodata.json'), json);
  writeFileSync(join(dir, SUBDIR, 'repodata.json.zst'), zstdCompressSync(json));
  const byName = new Map<string, Record<string, unknown>>();
  for (const rec of sharded) {
    const record = recordOf(rec);
    const shard = byName.get(rec.name) ?? {};
    byName.set(rec.name, shard);
    shard[fileOf(rec)] = {
      ...record,
      sha256: Buffer.from(record.sha256, 'hex'),
      md5: Buffer.from(record.md5, 'hex'),
    };
    writeFileSync(join(dir, SUBDIR, fileOf(rec)), bytesOf(rec));
  }
  const shards: Record<string, Uint8Array> = {};
  for (const [name, records] of byName) {
    const bytes = zstdCompressSync(encode({ packages: {}, 'packages.conda': records, removed: [] }));
    shards[name] = Buffer.from(sha256(bytes), 'hex');
    writeFileSync(join(dir, SUBDIR, 'shards', `${sha256(bytes)}.msgpack.zst`), bytes);
  }
  writeFileSync(
    join(dir, SUBDIR, 'repodata_shards.msgpack.zst'),
    zstdCompressSync(encode({ info: { subdir: SUBDIR, base_url: './', shards_base_url: './shards/' }, shards })),
  );
}

interface Upstream {
  url: string;
  server: Server;
  requests: string[];
  missing: Set<string>;
  body: Map<string, Buffer>;
  /** The most requests in flight at once. */
  peak: number;
  shardRequests(): string[];
}

/** Files from `dir`; shards answer after a short pause, so concurrent fetches overlap and `peak` shows the bound. */
async function startUpstream(dir: string): Promise<Upstream> {
  let inFlight = 0;
  const state = {
    requests: [] as string[],
    missing: new Set<string>(),
    body: new Map<string, Buffer>(),
    peak: 0,
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.requests.push(`${req.method} ${path}`);
    inFlight++;
    state.peak = Math.max(state.peak, inFlight);
    try {
      if (path.includes('/shards/')) await sleep(5);
      let body = state.body.get(path);
      if (!body && !state.missing.has(path) && !path.includes('..')) {
        try {
          body = readFileSync(join(dir, path));
        } catch {}
      }
      if (!body) res.writeHead(404).end('not found');
      else res.writeHead(200, { 'content-length': body.byteLength }).end(body);
    } finally {
      inFlight--;
    }
  });
  const url = await listen(server);
  return Object.assign(state, {
    url,
    server,
    shardRequests: () => state.requests.filter((line) => line.includes('/shards/')),
  });
}

const hexOf = (hash: Uint8Array) => Buffer.from(hash).toString('hex');
const upstreamIndex = (dir: string) =>
  decode(zstdDecompressSync(readFileSync(join(dir, SUBDIR, 'repodata_shards.msgpack.zst')))) as {
    shards: Record<string, Uint8Array>;
  };

async function setUp(sharded: Rec[], monolithic?: Rec[]) {
  const dir = join(tempDirectory(), 'channel');
  writeChannel(dir, sharded, monolithic);
  const upstream = await startUpstream(dir);
  const judge = new FakeJudge();
  const proxy = await startProxy({ upstreamUrl: upstream.url, judge, metadataMaxAgeS: 3600 });
  const base = `${proxy.channelUrl}${SUBDIR}/`;
  const index = async () => {
    const response = await fetch(`${base}repodata_shards.msgpack.zst`);
    assert.equal(response.status, 200, await response.clone().text());
    const decoded = decode(zstdDecompressSync(Buffer.from(await response.arrayBuffer()))) as {
      shards: Record<string, Uint8Array>;
    };
    return Object.fromEntries(Object.entries(decoded.shards).map(([name, hash]) => [name, hexOf(hash)]));
  };
  const shard = (hash: string) => fetch(`${base}shards/${hash}.msgpack.zst`);
  const close = () => {
    upstream.server.close();
    proxy.server.close();
  };
  return { dir, upstream, judge, proxy, base, index, shard, close };
}

/** Every shard the index lists, as a client reads it: its bytes hash to the listed hash, and it holds exactly `expected` files. */
async function assertShards(
  index: Record<string, string>,
  shard: (hash: string) => Promise<Response>,
  expected: Map<string, string[]>,
) {
  assert.deepEqual(Object.keys(index).sort(), [...expected.keys()].sort());
  for (const [name, hash] of Object.entries(index)) {
    const response = await shard(hash);
    assert.equal(response.status, 200, `${name}: ${await response.clone().text()}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(sha256(bytes), hash, `${name}: the bytes hash to the listed hash`);
    const decoded = decode(zstdDecompressSync(bytes)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(
      [...Object.keys(decoded.packages ?? {}), ...Object.keys(decoded['packages.conda'] ?? {})].sort(),
      expected.get(name),
      name,
    );
  }
}

/** The allowed files per name: every record of `records` but the `blocked` file names; names left with none are absent. */
function allowedFiles(records: Rec[], blocked: (rec: Rec) => boolean): Map<string, string[]> {
  const allowed = new Map<string, string[]>();
  for (const rec of records) {
    if (blocked(rec)) continue;
    allowed.set(rec.name, [...(allowed.get(rec.name) ?? []), fileOf(rec)].sort());
  }
  return allowed;
}

const blockedInA = (rec: Rec) => rec.name === 'n03' || (rec.name === 'n07' && rec.version === '2.0');

describe('sharded repodata: the first index build', () => {
  const open: (() => void)[] = [];
  after(() => {
    for (const close of open) close();
  });

  it('reads repodata.json.zst once and fetches only the shards of names with a blocked record', async () => {
    const channel = await setUp(BASE);
    open.push(channel.close);
    channel.judge.block('n03', 'n07@2.0');
    const index = await channel.index();
    const original = upstreamIndex(channel.dir).shards;
    assert.deepEqual(
      channel.upstream.shardRequests().sort(),
      [
        ...['n03', 'n07'].map((name) => `GET /${SUBDIR}/shards/${hexOf(original[name] as Uint8Array)}.msgpack.zst`),
      ].sort(),
    );
    assert.ok(channel.upstream.requests.includes(`GET /${SUBDIR}/repodata.json.zst`));
    assert.ok(!channel.upstream.requests.includes(`GET /${SUBDIR}/repodata.json`), 'the .zst form is enough');
    // unchanged names keep upstream's hash, the changed one gets a new hash, the emptied one is gone
    assert.equal(index.n00, hexOf(original.n00 as Uint8Array));
    assert.notEqual(index.n07, hexOf(original.n07 as Uint8Array));
    assert.equal(index.n03, undefined);
    await assertShards(index, channel.shard, allowedFiles(BASE, blockedInA));
    // each pass-through shard was fetched once, on its first request: every upstream shard once in all
    assert.equal(channel.upstream.shardRequests().length, NAMES.length);
    assert.equal(new Set(channel.upstream.shardRequests()).size, NAMES.length);
    const log = channel.proxy.logs.find((line) => line.document === `${SUBDIR}/repodata_shards.msgpack.zst`);
    assert.equal(log?.fetched, 2);
    assert.equal(log?.predicted, NAMES.length - 2);
  });

  it('enforces downloads of predicted names: a blocked file is refused, an allowed one streams', async () => {
    const channel = await setUp(BASE);
    open.push(channel.close);
    channel.judge.block('n07@2.0');
    await channel.index();
    const blocked = await fetch(`${channel.base}${fileOf({ name: 'n07', version: '2.0' })}`);
    assert.equal(blocked.status, 403);
    await blocked.arrayBuffer();
    const allowed = await fetch(`${channel.base}${fileOf({ name: 'n01', version: '2.0' })}`);
    assert.equal(allowed.status, 200);
    assert.deepEqual(Buffer.from(await allowed.arrayBuffer()), bytesOf({ name: 'n01', version: '2.0' }));
  });

  it('falls back to repodata.json when upstream has no .zst form', async () => {
    const channel = await setUp(BASE);
    open.push(channel.close);
    channel.upstream.missing.add(`/${SUBDIR}/repodata.json.zst`);
    channel.judge.block('n03', 'n07@2.0');
    const index = await channel.index();
    assert.ok(channel.upstream.requests.includes(`GET /${SUBDIR}/repodata.json`));
    assert.equal(channel.upstream.shardRequests().length, 2);
    await assertShards(index, channel.shard, allowedFiles(BASE, blockedInA));
  });

  it('without monolithic repodata (404) fetches every shard, within the upstream concurrency', async () => {
    const channel = await setUp(BASE);
    open.push(channel.close);
    channel.upstream.missing.add(`/${SUBDIR}/repodata.json.zst`);
    channel.upstream.missing.add(`/${SUBDIR}/repodata.json`);
    channel.judge.block('n03', 'n07@2.0');
    const index = await channel.index();
    assert.equal(channel.upstream.shardRequests().length, NAMES.length);
    assert.ok(
      channel.upstream.peak <= 8,
      `at most the proxy's 8 upstream requests at once, saw ${channel.upstream.peak}`,
    );
    assert.ok(channel.upstream.peak > 1, 'shards are fetched concurrently');
    await assertShards(index, channel.shard, allowedFiles(BASE, blockedInA));
    // fetched at build: no shard is fetched again to serve it
    assert.equal(channel.upstream.shardRequests().length, NAMES.length);
  });

  it('fetches every shard when the monolithic repodata cannot be read', async () => {
    const channel = await setUp(BASE);
    open.push(channel.close);
    channel.upstream.body.set(`/${SUBDIR}/repodata.json.zst`, zstdCompressSync(Buffer.from('{"packages.conda": [')));
    channel.judge.block('n03', 'n07@2.0');
    const index = await channel.index();
    assert.equal(channel.upstream.shardRequests().length, NAMES.length);
    assert.ok(channel.proxy.logs.some((line) => line.event === 'conda.prediction-unusable'));
    await assertShards(index, channel.shard, allowedFiles(BASE, blockedInA));
  });
});

describe('sharded repodata: monolithic repodata from another snapshot than the shard index', () => {
  // the index is newer: n05 gained a release the policy blocks, and n20 is a new name
  const NEWER: Rec[] = [...BASE, { name: 'n05', version: '3.0' }, { name: 'n20', version: '1.0' }];
  const blockedNewer = (rec: Rec) => rec.name === 'n05' && rec.version === '3.0';
  const open: (() => void)[] = [];
  after(() => {
    for (const close of open) close();
  });

  it('never passes a shard through unjudged: the wrong prediction is withdrawn and the next index filters it', async () => {
    const channel = await setUp(NEWER, BASE);
    open.push(channel.close);
    channel.judge.block('n05@3.0');
    const original = upstreamIndex(channel.dir).shards;
    const first = await channel.index();
    // n20 is not in the monolithic document: fetched at build; n05 was predicted unchanged
    assert.deepEqual(channel.upstream.shardRequests(), [
      `GET /${SUBDIR}/shards/${hexOf(original.n20 as Uint8Array)}.msgpack.zst`,
    ]);
    const stale = hexOf(original.n05 as Uint8Array);
    assert.equal(first.n05, stale);
    // its own records are judged before it would pass through: refused, never served
    const refused = await channel.shard(stale);
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /fetch repodata_shards\.msgpack\.zst again/);
    assert.ok(channel.proxy.logs.some((line) => line.event === 'conda.shard-skew' && line.name === 'n05'));
    // the next index lists n05's filtered shard; the withdrawn hash stays refused
    const second = await channel.index();
    assert.notEqual(second.n05, stale);
    assert.equal((await channel.shard(stale)).status, 503);
    await assertShards(second, channel.shard, allowedFiles(NEWER, blockedNewer));
  });

  it('refuses the download of a blocked file the monolithic document did not have', async () => {
    const channel = await setUp(NEWER, BASE);
    open.push(channel.close);
    channel.judge.block('n05@3.0');
    await channel.index();
    const refused = await fetch(`${channel.base}${fileOf({ name: 'n05', version: '3.0' })}`);
    assert.equal(refused.status, 403);
    await refused.arrayBuffer();
    // allowed files of the same name (one in the document, one only in the shard index) still download
    for (const rec of [
      { name: 'n05', version: '2.0' },
      { name: 'n20', version: '1.0' },
    ]) {
      const response = await fetch(`${channel.base}${fileOf(rec)}`);
      assert.equal(response.status, 200, fileOf(rec));
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytesOf(rec));
    }
  });

  it('passes a predicted shard through when its own records agree with the prediction', async () => {
    // the monolithic document is newer here: it has n05 3.0, the shard index does not yet
    const channel = await setUp(BASE, NEWER);
    open.push(channel.close);
    channel.judge.block('n05@3.0');
    const index = await channel.index();
    // n05 is fetched (the document shows a blocked record), found unchanged: upstream's hash
    const original = upstreamIndex(channel.dir).shards;
    assert.equal(index.n05, hexOf(original.n05 as Uint8Array));
    await assertShards(index, channel.shard, allowedFiles(BASE, blockedNewer));
    assert.ok(!channel.proxy.logs.some((line) => line.event === 'conda.shard-skew'));
  });
});
