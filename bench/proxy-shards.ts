/**
 * The first build of a filtered shard index (`repodata_shards.msgpack.zst`) on a synthetic sharded
 * channel of conda-forge's name count (~30k names): upstream requests and wall time, when upstream
 * also offers repodata.json.zst (the build reads it once and fetches only the shards of names with a
 * blocked record) and when it does not (every shard is fetched, as before). The upstream is a static
 * server in its own process on loopback. The judge is a stand-in that blocks a fixed share of names
 * (it costs next to nothing), so the figures are the fetching and reading the change removes.
 * Figures only, never asserted.
 *   node bench/proxy-shards.ts
 * Env: PROXY_SHARDS_NAMES (default 30000), PROXY_SHARDS_PER_NAME (default 3),
 *      PROXY_SHARDS_BLOCKED (share of names with a blocked record, default 0.01).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Package } from '../src/model/package.ts';
import { createCondaChannel } from '../src/proxy/conda/channel.ts';
import type { BlockReason, Judge, Judgement } from '../src/proxy/types.ts';
import { UpstreamClient } from '../src/proxy/upstream.ts';
import { ViewStore } from '../src/proxy/views.ts';
import { ratio } from './measure.ts';
import { writeShardedChannel } from './synthetic-channel.ts';

/** Blocks the newest record of every name whose number is a multiple of 1/share. */
class ShareJudge implements Judge {
  private readonly every: number;
  constructor(share: number) {
    this.every = Math.max(1, Math.round(1 / share));
  }
  async version(): Promise<string> {
    return 'bench';
  }
  async judge(packages: readonly Package[]): Promise<Judgement> {
    const blocked = new Map<Package, BlockReason[]>();
    for (const pkg of packages) {
      const number = Number(pkg.name.slice('pkg-'.length));
      if (number % this.every === 0 && pkg.version === '1.0')
        blocked.set(pkg, [{ source: 'quarantine', id: 'bench', message: 'bench' }]);
    }
    return { blocked, version: 'bench' };
  }
}

async function startUpstream(root: string, hidden: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [import.meta.filename, '--serve', root, hidden.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', () => reject(new Error('the upstream exited')));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function firstBuild(directory: string, channel: string, label: string, hidden: string[], share: number) {
  const upstream = await startUpstream(channel, hidden);
  const data = mkdtempSync(join(directory, 'proxy-'));
  const logs: Record<string, unknown>[] = [];
  const proxy = createCondaChannel(
    { name: 'bench', url: upstream.url },
    {
      judge: new ShareJudge(share),
      views: new ViewStore({ dir: join(data, 'views') }),
      // the proxy's defaults (`[upstream]` in the config)
      upstream: new UpstreamClient({
        cacheDir: join(data, 'upstream'),
        concurrency: 16,
        timeoutMs: 60_000,
        maxDocumentBytes: 1024 * 1024 * 1024,
        maxStaleMs: 0,
      }),
      log: (line) => logs.push(line),
      metadataMaxAgeS: 3600,
    },
  );
  const server = createServer((req, res) => void proxy.handle(req, res, (req.url ?? '/').slice(1)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/linux-64/repodata_shards.msgpack.zst`;
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    const ms = performance.now() - started;
    if (!response.ok) throw new Error(`${label}: HTTP ${response.status}`);
    const counts = (await (await fetch(`${upstream.url}/__requests`)).json()) as { shards: number; other: number };
    const built = logs.find((line) => line.event === 'conda.view');
    console.log(
      `  ${label}: ${counts.shards + counts.other} upstream requests (${counts.shards} shards), ${(ms / 1000).toFixed(2)} s; index lists ${built?.shards} names, ${built?.rehashed} rehashed`,
    );
    return { requests: counts.shards + counts.other, ms };
  } finally {
    server.close();
    upstream.child.kill('SIGTERM');
  }
}

async function main() {
  const names = Number(process.env.PROXY_SHARDS_NAMES ?? 30_000);
  const perName = Number(process.env.PROXY_SHARDS_PER_NAME ?? 3);
  const share = Number(process.env.PROXY_SHARDS_BLOCKED ?? 0.01);
  const directory = mkdtempSync(join(tmpdir(), 'cvebuild-bench-proxy-shards-'));
  try {
    const channel = join(directory, 'channel');
    await writeShardedChannel(channel, names, perName);
    console.log(
      `proxy shards: first build of a filtered shard index, ${names.toLocaleString('en')} names × ${perName} records, ${share * 100}% of names with a blocked record`,
    );
    const all = await firstBuild(
      directory,
      channel,
      'no monolithic repodata (every shard fetched)',
      ['/linux-64/repodata.json.zst', '/linux-64/repodata.json'],
      share,
    );
    const predicted = await firstBuild(directory, channel, 'with repodata.json.zst', [], share);
    console.log(
      `  with repodata.json.zst: ${ratio(predicted.requests, all.requests)} the requests, ${ratio(predicted.ms, all.ms)} the time`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  serveFiles();
} else {
  await main();
}

function serveFiles() {
  // the upstream: files from a directory; `/__requests` answers the count of shard and other requests
  const root = process.argv[3] as string;
  const hidden = new Set((process.argv[4] ?? '').split(',').filter(Boolean));
  const counts = { shards: 0, other: 0 };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/__requests') {
      res.end(JSON.stringify(counts));
      return;
    }
    if (path.includes('/shards/')) counts.shards++;
    else counts.other++;
    let body: Buffer | undefined;
    if (!hidden.has(path) && !path.includes('..')) {
      try {
        body = readFileSync(join(root, path));
      } catch {}
    }
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': body.byteLength }).end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
}
