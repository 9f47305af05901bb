/**
 * The corpus channels served as upstreams through the proxy's conda front end: rattler solves
 * against them with a record blocked (sharded linux-64 and monolithic win-64 of conda's format
 * test repo), real package bytes stream through verified, and every corpus repodata passes the
 * filter unchanged when nothing is blocked (records kept as upstream wrote them, none lost).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zstdDecompressSync } from 'node:zlib';
import { decode } from '@msgpack/msgpack';
import { solveInWorker } from '../../src/build/resolve/solver.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { FakeJudge, startProxy, startUpstream } from '../unit/proxy/conda-fixture.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';
const channels = () => corpus('channels');

async function withChannel<T>(name: string, judge: FakeJudge, work: (proxyUrl: string) => Promise<T>): Promise<T> {
  const upstream = await startUpstream(join(channels(), name));
  const proxy = await startProxy({ upstreamUrl: upstream.url, judge, name });
  try {
    return await work(proxy.channelUrl);
  } finally {
    for (const server of [upstream.server, proxy.server]) {
      server.closeAllConnections();
      server.close();
    }
  }
}

function matchesFileName(file: string, record: unknown): boolean {
  const { name, version, build } = record as { name: string; version: string; build: string };
  return file === `${name}-${version}-${build}.conda` || file === `${name}-${version}-${build}.tar.bz2`;
}

async function solve(channel: string, specs: string[], platform: string) {
  const outcome = await solveInWorker(
    [{ specs, channels: [channel], platforms: [platform, 'noarch'], virtualPackages: [] }],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(outcome.status, 'answered', JSON.stringify(outcome));
  return outcome.status === 'answered' ? outcome.answers[0] : undefined;
}

describe('corpus channels through the proxy', { skip: SKIP }, () => {
  it('rattler picks the older zlib on win-64 when 1.2.11 is blocked (monolithic path)', async () => {
    const judge = new FakeJudge();
    judge.block('zlib@1.2.11');
    await withChannel('conda-format-repo', judge, async (url) => {
      const answer = await solve(url, ['zlib'], 'win-64');
      assert.ok(answer?.ok, JSON.stringify(answer));
      const zlib = answer.ok ? answer.records.find((record) => record.name === 'zlib') : undefined;
      assert.equal(zlib?.version, '1.2.8');
      assert.ok(zlib?.url.startsWith(url));
      for (const file of ['zlib-1.2.11-h62dcd97_3.conda', 'zlib-1.2.11-h62dcd97_3.tar.bz2']) {
        assert.equal((await fetch(`${url}win-64/${file}`)).status, 403, file);
      }
    });
  });

  it('filters the sharded linux-64 and streams the real package through verified', async () => {
    // conda's fixture writes shard md5 as a hex string, which rattler refuses even from upstream
    // directly; an unchanged shard must reach clients byte for byte, so this path is checked by hand
    const judge = new FakeJudge();
    judge.block('file:libgcc-ng-8.2.0-hdf63c60_1.tar.bz2');
    await withChannel('conda-format-repo', judge, async (url) => {
      const index = decode(
        zstdDecompressSync(
          Buffer.from(await (await fetch(`${url}linux-64/repodata_shards.msgpack.zst`)).arrayBuffer()),
        ),
      ) as {
        shards: Record<string, Uint8Array>;
      };
      // the blocked name's only record is gone: the name leaves the index; zlib keeps upstream's hash and bytes
      assert.deepEqual(Object.keys(index.shards), ['zlib']);
      const zlibHash = '56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157';
      assert.equal(Buffer.from(index.shards.zlib as Uint8Array).toString('hex'), zlibHash);
      const shard = Buffer.from(await (await fetch(`${url}linux-64/shards/${zlibHash}.msgpack.zst`)).arrayBuffer());
      assert.deepEqual(
        shard,
        readFileSync(join(channels(), 'conda-format-repo', 'linux-64', `${zlibHash}.msgpack.zst`)),
      );
      assert.equal((await fetch(`${url}linux-64/libgcc-ng-8.2.0-hdf63c60_1.tar.bz2`)).status, 403);
      for (const file of ['zlib-1.2.11-h7b6447c_3.conda', 'zlib-1.2.11-h7b6447c_3.tar.bz2']) {
        const bytes = Buffer.from(await (await fetch(`${url}linux-64/${file}`)).arrayBuffer());
        assert.deepEqual(bytes, readFileSync(join(channels(), 'conda-format-repo', 'linux-64', file)), file);
      }
    });
  });

  it('drops the v3 wheel records that point outside the channel', async () => {
    await withChannel('rattler-with-wheels', new FakeJudge(), async (url) => {
      const text = await (await fetch(`${url}noarch/repodata.json`)).text();
      assert.ok(!text.includes('files.pythonhosted.org'));
      const upstream = JSON.parse(
        readFileSync(join(channels(), 'rattler-with-wheels', 'noarch', 'repodata.json'), 'utf8'),
      );
      const filtered = JSON.parse(text);
      assert.deepEqual(Object.keys(filtered['packages.conda']), Object.keys(upstream['packages.conda']));
      assert.equal(filtered.info.repodata_revisions.v3.n_packages, 0);
    });
  });

  it('passes every corpus repodata through unchanged when nothing is blocked', async () => {
    let documents = 0;
    let records = 0;
    let withheld = 0;
    for (const name of readdirSync(channels())) {
      const subdirs = readdirSync(join(channels(), name), { withFileTypes: true }).filter((entry) =>
        entry.isDirectory(),
      );
      const present = subdirs.filter((entry) => existsSync(join(channels(), name, entry.name, 'repodata.json')));
      if (present.length === 0) continue;
      await withChannel(name, new FakeJudge(), async (url) => {
        for (const { name: subdir } of present) {
          const upstreamText = readFileSync(join(channels(), name, subdir, 'repodata.json'), 'utf8');
          const upstream = JSON.parse(upstreamText);
          const response = await fetch(`${url}${subdir}/repodata.json`);
          assert.equal(response.status, 200, `${name}/${subdir}`);
          const text = await response.text();
          const filtered = JSON.parse(text);
          for (const key of ['packages', 'packages.conda']) {
            // records whose name, version or build differ from their file name are withheld by design
            const expected = Object.fromEntries(
              Object.entries(upstream[key] ?? {}).filter(([file, record]) => matchesFileName(file, record)),
            );
            assert.deepEqual(filtered[key], expected, `${name}/${subdir} ${key}`);
            withheld += Object.keys(upstream[key] ?? {}).length - Object.keys(expected).length;
            records += Object.keys(expected).length;
          }
          assert.equal(filtered.info.base_url, undefined);
          documents++;
        }
      });
    }
    assert.ok(documents >= 15, `only ${documents} repodata documents`);
    assert.ok(records > 2000 && withheld < 30, `${records} records kept, ${withheld} withheld`);
    console.log(
      `# ${documents} repodata documents, ${records} records kept, ${withheld} withheld (name/version/build differ from the file name)`,
    );
  });
});
