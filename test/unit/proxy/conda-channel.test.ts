/**
 * The conda channel front end against a self-made upstream on loopback, with a real client
 * (@conda-org/rattler's simpleSolve, in a worker) on the sharded and the monolithic path, and
 * direct requests for every metadata variant, shard and package.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zstdDecompressSync } from 'node:zlib';
import { decode } from '@msgpack/msgpack';
import { solveInWorker } from '../../../src/build/resolve/solver.ts';
import {
  BLOCKED_STEM,
  bytesOf,
  FakeJudge,
  fileOf,
  PACKAGES,
  startChannelUpstream,
  startProxy,
} from './conda-fixture.ts';

type Upstream = Awaited<ReturnType<typeof startChannelUpstream>>;
type Proxy = Awaited<ReturnType<typeof startProxy>>;

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const pkg = (name: string, version: string, ext = '.conda') =>
  PACKAGES.find(
    (item) => item.name === name && item.version === version && item.ext === ext,
  ) as (typeof PACKAGES)[number];

async function solve(channelUrl: string, specs: string[]) {
  const outcome = await solveInWorker(
    [{ specs, channels: [channelUrl], platforms: ['linux-64', 'noarch'], virtualPackages: [] }],
    { timeoutMs: 60_000 },
  );
  assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
  if (outcome.status !== 'answered') throw new Error('unreachable');
  const answer = outcome.answers[0];
  assert.ok(answer?.ok, JSON.stringify(answer));
  return answer.ok ? answer.records : [];
}

async function body(url: string, init?: RequestInit): Promise<Buffer> {
  const response = await fetch(url, init);
  assert.equal(response.status, 200, `${url}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

function closeAll(...servers: { server: { close(): void; closeAllConnections(): void } }[]) {
  for (const { server } of servers) {
    server.closeAllConnections();
    server.close();
  }
}

describe('conda channel through the proxy: real client', () => {
  let upstream: Upstream;
  let sharded: Proxy;
  let monolithic: Proxy;
  const judge = new FakeJudge();

  before(async () => {
    upstream = await startChannelUpstream();
    judge.block('pyfoo@2.0', 'libbar@2.0');
    sharded = await startProxy({ upstreamUrl: upstream.url, judge });
    monolithic = await startProxy({ upstreamUrl: `${upstream.url}/mono`, judge, name: 'mono' });
  });
  after(() => closeAll(upstream, sharded, monolithic));

  it('rattler solves through the sharded path to the newest allowed versions', async () => {
    const records = await solve(sharded.channelUrl, ['pyfoo']);
    const solved = Object.fromEntries(records.map((record) => [record.name, record.version]));
    assert.deepEqual(solved, { pyfoo: '1.0', libbar: '1.0' });
    for (const record of records) assert.ok(record.url.startsWith(sharded.channelUrl), record.url);
    assert.ok(upstream.knobs.requests.includes('GET /noarch/repodata_shards.msgpack.zst'));
    // the solved files download through the proxy, checked
    for (const record of records) {
      const bytes = await body(record.url);
      assert.equal(sha256(bytes), record.sha256);
    }
  });

  it('rattler solves through the monolithic path when upstream has no shard index', async () => {
    // `/mono/...` upstream: same files, but the shard index answers 404
    upstream.knobs.requests.length = 0;
    const records = await solve(monolithic.channelUrl, ['pyfoo']);
    const solved = Object.fromEntries(records.map((record) => [record.name, record.version]));
    assert.deepEqual(solved, { pyfoo: '1.0', libbar: '1.0' });
    assert.ok(upstream.knobs.requests.includes('GET /mono/noarch/repodata.json'), upstream.knobs.requests.join('\n'));
    for (const record of records) {
      assert.ok(record.url.startsWith(monolithic.channelUrl), record.url);
      assert.equal(sha256(await body(record.url)), record.sha256);
    }
  });

  it('a solve that needs a blocked version fails instead of finding it', async () => {
    const outcome = await solveInWorker(
      [
        {
          specs: ['pyfoo >=2'],
          channels: [sharded.channelUrl],
          platforms: ['linux-64', 'noarch'],
          virtualPackages: [],
        },
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(outcome.status, 'answered');
    if (outcome.status === 'answered') assert.equal(outcome.answers[0]?.ok, false);
  });
});

describe('conda channel through the proxy: shards, variants, downloads', () => {
  let upstream: Upstream;
  let proxy: Proxy;
  const judge = new FakeJudge();

  before(async () => {
    upstream = await startChannelUpstream();
    judge.block('pyfoo@2.0', 'libbar@2.0');
    proxy = await startProxy({ upstreamUrl: upstream.url, judge });
  });
  after(() => closeAll(upstream, proxy));

  const upstreamIndex = (subdir: string) =>
    decode(zstdDecompressSync(readFileSync(join(upstream.dir, subdir, 'repodata_shards.msgpack.zst')))) as {
      shards: Record<string, Uint8Array>;
    };

  it('serves a changed shard under a recomputed hash and an unchanged one under upstream’s hash and bytes', async () => {
    const index = decode(zstdDecompressSync(await body(`${proxy.channelUrl}noarch/repodata_shards.msgpack.zst`))) as {
      info: Record<string, unknown>;
      shards: Record<string, Uint8Array>;
    };
    assert.equal(index.info.base_url, './');
    assert.equal(index.info.shards_base_url, './shards/');
    const original = upstreamIndex('noarch');
    const hexOf = (bytes: Uint8Array | undefined) => Buffer.from(bytes as Uint8Array).toString('hex');
    // unchanged name: upstream's hash and upstream's bytes
    const unchanged = hexOf(index.shards.pyunrelated);
    assert.equal(unchanged, hexOf(original.shards.pyunrelated));
    const passed = await body(`${proxy.channelUrl}noarch/shards/${unchanged}.msgpack.zst`);
    assert.deepEqual(passed, readFileSync(join(upstream.dir, 'noarch', 'shards', `${unchanged}.msgpack.zst`)));
    // changed name: a new hash, which is the sha256 of the bytes served under it
    const changed = hexOf(index.shards.pyfoo);
    assert.notEqual(changed, hexOf(original.shards.pyfoo));
    const response = await fetch(`${proxy.channelUrl}noarch/shards/${changed}.msgpack.zst`);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const rehashed = Buffer.from(await response.arrayBuffer());
    assert.equal(sha256(rehashed), changed);
    const shard = decode(zstdDecompressSync(rehashed)) as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(Object.keys(shard['packages.conda'] ?? {}), [fileOf(pkg('pyfoo', '1.0'))]);
    assert.deepEqual(Object.keys(shard.packages ?? {}), [fileOf(pkg('pyfoo', '1.0', '.tar.bz2'))]);
    assert.ok(shard['packages.conda']?.[fileOf(pkg('pyfoo', '1.0'))]?.sha256 instanceof Uint8Array, 'sha256 stays bin');
    // upstream's hash of the changed shard is never served, nor any hash the index does not list
    const stale = hexOf(original.shards.pyfoo);
    assert.equal((await fetch(`${proxy.channelUrl}noarch/shards/${stale}.msgpack.zst`)).status, 404);
    assert.equal((await fetch(`${proxy.channelUrl}noarch/shards/${'0'.repeat(64)}.msgpack.zst`)).status, 404);
  });

  it('leaks no blocked record through any variant', async () => {
    const texts: [string, string][] = [];
    for (const subdir of ['noarch', 'linux-64']) {
      const json = (await body(`${proxy.channelUrl}${subdir}/repodata.json`)).toString();
      texts.push([`${subdir}/repodata.json`, json]);
      const zst = zstdDecompressSync(await body(`${proxy.channelUrl}${subdir}/repodata.json.zst`)).toString();
      assert.equal(zst, json, 'the .zst holds the same filtered document');
      texts.push([
        `${subdir}/current_repodata.json`,
        (await body(`${proxy.channelUrl}${subdir}/current_repodata.json`)).toString(),
      ]);
      texts.push([
        `${subdir}/run_exports.json`,
        (await body(`${proxy.channelUrl}${subdir}/run_exports.json`)).toString(),
      ]);
      const index = decode(
        zstdDecompressSync(await body(`${proxy.channelUrl}${subdir}/repodata_shards.msgpack.zst`)),
      ) as {
        shards: Record<string, Uint8Array>;
      };
      texts.push([`${subdir}/index`, JSON.stringify(index)]);
      for (const [name, hash] of Object.entries(index.shards)) {
        const shard = decode(
          zstdDecompressSync(
            await body(`${proxy.channelUrl}${subdir}/shards/${Buffer.from(hash).toString('hex')}.msgpack.zst`),
          ),
        );
        texts.push([`${subdir}/shard ${name}`, JSON.stringify(shard)]);
      }
    }
    const channeldata = (await body(`${proxy.channelUrl}channeldata.json`)).toString();
    texts.push(['channeldata.json', channeldata]);
    for (const [what, text] of texts) {
      assert.ok(!text.includes(BLOCKED_STEM), `${what} leaks ${BLOCKED_STEM}`);
      assert.ok(!text.includes('libbar-2.0-h0_0'), `${what} leaks libbar 2.0`);
      assert.ok(!text.includes('files.pythonhosted.org'), `${what} leaks a wheel URL`);
      assert.ok(!text.includes(upstream.url), `${what} points at upstream`);
    }
    // what is kept is still there
    const noarch = JSON.parse((texts[0] as [string, string])[1]);
    assert.deepEqual(Object.keys(noarch['packages.conda']).sort(), [
      fileOf(pkg('pyfoo', '1.0')),
      fileOf(pkg('pyunrelated', '1.0')),
    ]);
    assert.deepEqual(Object.keys(noarch.packages), [fileOf(pkg('pyfoo', '1.0', '.tar.bz2'))]);
    assert.deepEqual(noarch.removed, ['old-0.1-0.tar.bz2']);
    assert.equal(noarch.info.base_url, undefined);
    assert.equal(noarch.signatures, undefined);
    assert.deepEqual(Object.keys(noarch.v3), ['conda']);
    assert.deepEqual(Object.keys(noarch.v3.conda), ['pyv3-1.0-py_0']);
    assert.equal(noarch.info.repodata_revisions.v3.n_packages, 1);
    assert.deepEqual(Object.keys(JSON.parse(channeldata).packages).sort(), ['libqux']);
  });

  it('copies kept records byte for byte', async () => {
    const upstreamText = readFileSync(join(upstream.dir, 'noarch', 'repodata.json'), 'utf8');
    const start = upstreamText.indexOf(`"${fileOf(pkg('pyfoo', '1.0'))}": {`);
    const span = upstreamText.slice(upstreamText.indexOf('{', start), upstreamText.indexOf('}', start) + 1);
    assert.ok(span.includes('MIT \\u00e9') && span.includes('attestations_sha256'));
    const filtered = (await body(`${proxy.channelUrl}noarch/repodata.json`)).toString();
    assert.ok(filtered.includes(span), 'the record is copied as upstream wrote it');
  });

  it('refuses blocked packages at GET, HEAD and Range, with reasons', async () => {
    for (const file of [fileOf(pkg('pyfoo', '2.0')), fileOf(pkg('pyfoo', '2.0', '.tar.bz2'))]) {
      const url = `${proxy.channelUrl}noarch/${file}`;
      const get = await fetch(url);
      assert.equal(get.status, 403);
      const refusal = (await get.json()) as { error: string; reasons: { id: string }[] };
      assert.match(refusal.error, /blocked/);
      assert.deepEqual(
        refusal.reasons.map((reason) => reason.id),
        ['pyfoo@2.0'],
      );
      const head = await fetch(url, { method: 'HEAD' });
      assert.equal(head.status, 403);
      assert.equal((await head.arrayBuffer()).byteLength, 0);
      assert.equal((await fetch(url, { headers: { range: 'bytes=0-9' } })).status, 403);
      assert.equal((await fetch(`${url}.sigs`)).status, 403);
    }
    assert.ok(proxy.logs.some((line) => line.event === 'conda.download-blocked'));
  });

  it('streams allowed packages, answers HEAD and ranges, and passes signatures through', async () => {
    const file = fileOf(pkg('pyfoo', '1.0'));
    const expected = bytesOf(pkg('pyfoo', '1.0'));
    const url = `${proxy.channelUrl}noarch/${file}`;
    assert.deepEqual(await body(url), expected);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(expected.byteLength));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const ranged = await fetch(url, { headers: { range: 'bytes=100-199' } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), expected.subarray(100, 200));
    const sigs = await body(`${url}.sigs`);
    assert.deepEqual(sigs, readFileSync(join(upstream.dir, 'noarch', `${file}.sigs`)));
    assert.equal((await fetch(`${proxy.channelUrl}noarch/nothere-1.0-0.conda`)).status, 404);
  });

  it('aborts a package whose upstream bytes do not match the record', async () => {
    const url = `${proxy.channelUrl}linux-64/${fileOf(pkg('libqux', '1.0'))}`;
    await assert.rejects(async () => {
      const response = await fetch(url);
      await response.arrayBuffer();
    });
    assert.ok(proxy.logs.some((line) => line.event === 'conda.download-mismatch'));
    // a range is served only from a verified copy: there is none
    assert.equal((await fetch(url, { headers: { range: 'bytes=0-9' } })).status, 502);
  });

  it('answers the forms it does not filter with 404, and other methods with 405', async () => {
    for (const path of [
      'noarch/repodata.json.bz2',
      'noarch/repodata_from_packages.json',
      'noarch/repodata.jlap',
      'noarch/shards/nothex.msgpack.zst',
      'NoArch/repodata.json',
      'noarch/x/y.conda',
      'noarch/notapackage.txt',
      '',
    ]) {
      assert.equal((await fetch(`${proxy.channelUrl}${path}`)).status, 404, path);
    }
    const post = await fetch(`${proxy.channelUrl}noarch/repodata.json`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});

describe('conda channel through the proxy: superseded shards', () => {
  it('serves a hash from an older index only while the current policy would not change that shard', async () => {
    const upstream = await startChannelUpstream();
    const judge = new FakeJudge();
    const proxy = await startProxy({ upstreamUrl: upstream.url, judge });
    const pyfooHash = async () => {
      const index = decode(zstdDecompressSync(await body(`${proxy.channelUrl}noarch/repodata_shards.msgpack.zst`))) as {
        shards: Record<string, Uint8Array>;
      };
      return Buffer.from(index.shards.pyfoo as Uint8Array).toString('hex');
    };
    const shardStatus = async (hash: string) =>
      (await fetch(`${proxy.channelUrl}noarch/shards/${hash}.msgpack.zst`)).status;
    try {
      const upstreamHash = await pyfooHash(); // nothing blocked: upstream's hash
      judge.block('pyfoo@2.0');
      const filteredHash = await pyfooHash();
      assert.notEqual(filteredHash, upstreamHash);
      // upstream's bytes now hold a blocked record: an older index's hash is not served
      assert.equal(await shardStatus(upstreamHash), 404);
      judge.block('pyunrelated');
      assert.equal(await pyfooHash(), upstreamHash);
      // the filtered shard holds nothing the current policy blocks: still served for older indexes
      assert.equal(await shardStatus(filteredHash), 200);
      judge.block('pyfoo@1.0');
      assert.equal(await shardStatus(filteredHash), 404);
    } finally {
      closeAll(upstream, proxy);
    }
  });
});

describe('conda channel through the proxy: validators', () => {
  it('has its own ETag, which changes with the judge version; 304 and HEAD', async () => {
    const upstream = await startChannelUpstream();
    const judge = new FakeJudge();
    judge.block('pyfoo@2.0');
    const proxy = await startProxy({ upstreamUrl: upstream.url, judge, metadataMaxAgeS: 120 });
    try {
      const url = `${proxy.channelUrl}noarch/repodata.json`;
      const first = await fetch(url);
      const etag = first.headers.get('etag') as string;
      assert.equal(first.headers.get('cache-control'), 'public, max-age=120');
      assert.match(etag, /^"cvb-/);
      const upstreamEtag = (await fetch(`${upstream.url}/noarch/repodata.json`)).headers.get('etag');
      assert.notEqual(etag, upstreamEtag);
      const again = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      const head = await fetch(url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('etag'), etag);
      assert.equal(head.headers.get('content-length'), String((await first.arrayBuffer()).byteLength));
      assert.equal((await head.arrayBuffer()).byteLength, 0);
      judge.block('pyfoo@2.0', 'pyunrelated');
      const changed = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.get('etag'), etag);
      assert.ok(!(await changed.text()).includes('pyunrelated'));
    } finally {
      closeAll(upstream, proxy);
    }
  });
});

describe('conda channel through the proxy: a failing upstream', () => {
  it('answers malformed, oversized, failing and slow upstream documents with one-line JSON errors, and keeps serving', async () => {
    const upstream = await startChannelUpstream();
    const judge = new FakeJudge();
    const proxy = await startProxy({ upstreamUrl: upstream.url, judge, timeoutMs: 400 });
    const small = await startProxy({ upstreamUrl: upstream.url, judge, maxDocumentBytes: 200, name: 'small' });
    try {
      const cases: [string, (path: string) => void, number, RegExp][] = [
        [
          'invalid JSON',
          (path) => upstream.knobs.body.set(path, Buffer.from('{"packages": {')),
          502,
          /truncated|not JSON/,
        ],
        [
          'wrong types',
          (path) => upstream.knobs.body.set(path, Buffer.from('{"packages": []}')),
          502,
          /packages.*(expected a mapping|is not an object)/,
        ],
        [
          'not an object',
          (path) => upstream.knobs.body.set(path, Buffer.from('[1, 2]')),
          502,
          /not a JSON object|expected a JSON object/,
        ],
        ['HTTP 500', (path) => upstream.knobs.status.set(path, 500), 502, /HTTP 500/],
        ['slow', (path) => upstream.knobs.delayMs.set(path, 3000), 504, /timed out/],
      ];
      for (const [what, breakIt, status, message] of cases) {
        upstream.knobs.body.clear();
        upstream.knobs.status.clear();
        upstream.knobs.delayMs.clear();
        breakIt('/linux-64/repodata.json');
        const response = await fetch(`${proxy.channelUrl}linux-64/repodata.json`);
        assert.equal(response.status, status, what);
        const text = await response.text();
        assert.equal(text.trim().split('\n').length, 1, `${what}: one line`);
        assert.match(JSON.parse(text).error, message, what);
        // the rest of the channel is still served
        assert.equal((await fetch(`${proxy.channelUrl}noarch/repodata.json`)).status, 200, `${what}: still serving`);
      }
      upstream.knobs.delayMs.clear();
      const oversized = await fetch(`${small.channelUrl}linux-64/repodata.json`);
      assert.equal(oversized.status, 502);
      assert.match(((await oversized.json()) as { error: string }).error, /bytes|large/);
      // a record of the wrong shape is withheld, not served
      upstream.knobs.body.set(
        '/linux-64/repodata.json',
        Buffer.from(
          JSON.stringify({
            packages: {
              'bad-1.0-0.tar.bz2': { name: 'bad', version: '1.0', build: '0', sha256: 'nothex' },
              'good-1.0-0.tar.bz2': { name: 'good', version: '1.0', build: '0' },
            },
          }),
        ),
      );
      const withheld = JSON.parse(await (await fetch(`${proxy.channelUrl}linux-64/repodata.json`)).text());
      assert.deepEqual(Object.keys(withheld.packages), ['good-1.0-0.tar.bz2']);
      // a judge that cannot decide: nothing unjudged is served
      judge.failing = true;
      const refused = await fetch(`${proxy.channelUrl}noarch/repodata.json`);
      assert.equal(refused.status, 503);
      judge.failing = false;
      assert.equal((await fetch(`${proxy.channelUrl}noarch/repodata.json`)).status, 200);
    } finally {
      closeAll(upstream, proxy, small);
    }
  });
});
