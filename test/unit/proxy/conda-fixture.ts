/**
 * A self-made conda channel on a loopback "upstream" server (noarch + linux-64, repodata.json,
 * .zst, current_repodata, run_exports, channeldata, CEP 16 shards, real package bytes), a fake
 * judge, and the proxy's channel front end on a second loopback server.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { zstdCompressSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import type { Package } from '../../../src/model/package.ts';
import { createCondaChannel } from '../../../src/proxy/conda/channel.ts';
import type { BlockReason, Judge, Judgement } from '../../../src/proxy/types.ts';
import { UpstreamClient } from '../../../src/proxy/upstream.ts';
import { ViewStore } from '../../../src/proxy/views.ts';
import { tempDirectory } from '../../helpers/temp.ts';

/** Blocks by `name`, `name@version` or `file:<filename>`; its version changes with the list. */
export class FakeJudge implements Judge {
  private list = new Set<string>();
  private revision = 0;
  calls = 0;
  failing = false;

  block(...entries: string[]): void {
    this.list = new Set(entries);
    this.revision++;
  }

  async version(): Promise<string> {
    if (this.failing) throw new Error('threat data unavailable');
    return `fake-${this.revision}`;
  }

  async judge(packages: readonly Package[]): Promise<Judgement> {
    if (this.failing) throw new Error('threat data unavailable');
    this.calls++;
    const blocked = new Map<Package, BlockReason[]>();
    for (const pkg of packages) {
      const file = pkg.url?.slice(pkg.url.lastIndexOf('/') + 1);
      for (const key of [pkg.normalizedName, `${pkg.normalizedName}@${pkg.version}`, `file:${file}`]) {
        if (this.list.has(key)) blocked.set(pkg, [{ source: 'quarantine', id: key, message: `${key} is quarantined` }]);
      }
    }
    return { blocked, version: `fake-${this.revision}` };
  }
}

export interface FixturePackage {
  name: string;
  version: string;
  build: string;
  subdir: 'noarch' | 'linux-64';
  ext: '.conda' | '.tar.bz2';
  depends?: string[];
  timestamp: number;
  /** Upstream serves other bytes than the record's sha256 says. */
  tamper?: boolean;
}

export const PACKAGES: FixturePackage[] = [
  {
    name: 'pyfoo',
    version: '1.0',
    build: 'pyh_0',
    subdir: 'noarch',
    ext: '.conda',
    depends: ['libbar >=1'],
    timestamp: 1700000000000,
  },
  {
    name: 'pyfoo',
    version: '1.0',
    build: 'pyh_0',
    subdir: 'noarch',
    ext: '.tar.bz2',
    depends: ['libbar >=1'],
    timestamp: 1700000000000,
  },
  {
    name: 'pyfoo',
    version: '2.0',
    build: 'pyh_0',
    subdir: 'noarch',
    ext: '.conda',
    depends: ['libbar >=1'],
    timestamp: 1790000000000,
  },
  {
    name: 'pyfoo',
    version: '2.0',
    build: 'pyh_0',
    subdir: 'noarch',
    ext: '.tar.bz2',
    depends: ['libbar >=1'],
    timestamp: 1790000000000,
  },
  { name: 'pyunrelated', version: '1.0', build: 'py_0', subdir: 'noarch', ext: '.conda', timestamp: 1700000000000 },
  { name: 'libbar', version: '1.0', build: 'h0_0', subdir: 'linux-64', ext: '.conda', timestamp: 1700000000000 },
  { name: 'libbar', version: '2.0', build: 'h0_0', subdir: 'linux-64', ext: '.conda', timestamp: 1790000000000 },
  {
    name: 'libqux',
    version: '1.0',
    build: 'h0_0',
    subdir: 'linux-64',
    ext: '.conda',
    timestamp: 1700000000000,
    tamper: true,
  },
];

export const BLOCKED_STEM = 'pyfoo-2.0-pyh_0';

export const fileOf = (pkg: FixturePackage) => `${pkg.name}-${pkg.version}-${pkg.build}${pkg.ext}`;
export const bytesOf = (pkg: FixturePackage) => Buffer.from(`package bytes of ${fileOf(pkg)}\n`.repeat(2000));
const hex = (data: Uint8Array | string, algorithm: string) => createHash(algorithm).update(data).digest('hex');

/** Written with an escaped character and an attestation digest, so byte-for-byte copies can be told from re-encodings. */
function recordOf(pkg: FixturePackage): Record<string, unknown> {
  const bytes = bytesOf(pkg);
  return {
    build: pkg.build,
    build_number: 0,
    depends: pkg.depends ?? [],
    license: 'MIT-LICENSE-MARK',
    name: pkg.name,
    version: pkg.version,
    subdir: pkg.subdir,
    ...(pkg.subdir === 'noarch' ? { noarch: 'python' } : {}),
    md5: hex(bytes, 'md5'),
    sha256: hex(bytes, 'sha256'),
    size: bytes.byteLength,
    timestamp: pkg.timestamp,
    attestations_sha256: hex(`attestation of ${fileOf(pkg)}`, 'sha256'),
  };
}

/** `upstreamUrl`: written as an absolute `base_url`, which the proxy must not let through. */
export function buildChannel(dir: string, upstreamUrl: string): void {
  writeFileSync(
    join(dir, 'channeldata.json'),
    JSON.stringify({
      channeldata_version: 1,
      packages: {
        pyfoo: { version: '2.0', subdirs: ['noarch'], timestamp: 1790000000000 },
        libbar: { version: '2.0', subdirs: ['linux-64'], timestamp: 1790000000000 },
        libqux: { version: '1.0', subdirs: ['linux-64'], timestamp: 1700000000000 },
      },
      subdirs: ['linux-64', 'noarch'],
    }),
  );
  for (const subdir of ['noarch', 'linux-64'] as const) {
    const pkgs = PACKAGES.filter((pkg) => pkg.subdir === subdir);
    mkdirSync(join(dir, subdir, 'shards'), { recursive: true });
    const packages: Record<string, unknown> = {};
    const packagesConda: Record<string, unknown> = {};
    for (const pkg of pkgs) {
      (pkg.ext === '.conda' ? packagesConda : packages)[fileOf(pkg)] = recordOf(pkg);
      const bytes = bytesOf(pkg);
      if (pkg.tamper) bytes[100] = (bytes[100] as number) ^ 1;
      writeFileSync(join(dir, subdir, fileOf(pkg)), bytes);
      writeFileSync(join(dir, subdir, `${fileOf(pkg)}.sigs`), JSON.stringify({ signatures: [fileOf(pkg)] }));
    }
    const repodata: Record<string, unknown> = {
      info: { subdir, base_url: `${upstreamUrl}/${subdir}/` },
      packages,
      'packages.conda': packagesConda,
      removed: ['old-0.1-0.tar.bz2'],
      repodata_version: 2,
      signatures: Object.fromEntries(pkgs.map((pkg) => [fileOf(pkg), { key: 'sig' }])),
    };
    if (subdir === 'noarch') {
      repodata.v3 = {
        conda: {
          [BLOCKED_STEM]: recordOf(PACKAGES[2] as FixturePackage),
          'pyv3-1.0-py_0': { ...recordOf(PACKAGES[4] as FixturePackage), name: 'pyv3' },
        },
        whl: {
          'pywheel-1.0-py3_none_any_0': {
            name: 'pywheel',
            version: '1.0',
            fn: 'pywheel-1.0-py3-none-any.whl',
            url: 'https://files.pythonhosted.org/packages/pywheel-1.0-py3-none-any.whl',
          },
        },
      };
      (repodata.info as Record<string, unknown>).repodata_revisions = {
        v3: { n_packages: 3, oldest: 1700000000000, newest: 1790000000000 },
      };
    }
    // indentation and an escape a re-encoder would not write: copies must keep them
    const json = Buffer.from(JSON.stringify(repodata, null, 1).replaceAll('MIT-LICENSE-MARK', 'MIT \\u00e9'));
    writeFileSync(join(dir, subdir, 'repodata.json'), json);
    writeFileSync(join(dir, subdir, 'repodata.json.zst'), zstdCompressSync(json));
    writeFileSync(join(dir, subdir, 'current_repodata.json'), json);
    writeFileSync(
      join(dir, subdir, 'run_exports.json'),
      JSON.stringify({
        info: { subdir },
        packages: Object.fromEntries(
          pkgs
            .filter((pkg) => pkg.ext === '.tar.bz2')
            .map((pkg) => [fileOf(pkg), { run_exports: { weak: [pkg.name] } }]),
        ),
        'packages.conda': Object.fromEntries(
          pkgs.filter((pkg) => pkg.ext === '.conda').map((pkg) => [fileOf(pkg), { run_exports: { weak: [pkg.name] } }]),
        ),
      }),
    );
    const byName = new Map<string, Record<string, Record<string, unknown>>>();
    for (const pkg of pkgs) {
      const shard = byName.get(pkg.name) ?? { packages: {}, 'packages.conda': {} };
      byName.set(pkg.name, shard);
      const record = recordOf(pkg);
      (shard[pkg.ext === '.conda' ? 'packages.conda' : 'packages'] as Record<string, unknown>)[fileOf(pkg)] = {
        ...record,
        sha256: Buffer.from(record.sha256 as string, 'hex'),
        md5: Buffer.from(record.md5 as string, 'hex'),
      };
    }
    const shards: Record<string, Uint8Array> = {};
    for (const [name, shard] of byName) {
      const bytes = zstdCompressSync(Buffer.from(encode({ ...shard, removed: [] })));
      const digest = createHash('sha256').update(bytes).digest();
      shards[name] = digest;
      writeFileSync(join(dir, subdir, 'shards', `${digest.toString('hex')}.msgpack.zst`), bytes);
    }
    const index = { info: { subdir, base_url: './', shards_base_url: './shards/' }, shards };
    writeFileSync(join(dir, subdir, 'repodata_shards.msgpack.zst'), zstdCompressSync(Buffer.from(encode(index))));
  }
}

export interface UpstreamKnobs {
  /** Paths (from the server root) answered 404. */
  missing: Set<string>;
  status: Map<string, number>;
  delayMs: Map<string, number>;
  body: Map<string, Buffer>;
  requests: string[];
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startUpstream(root: string): Promise<{ url: string; knobs: UpstreamKnobs; server: Server }> {
  const knobs: UpstreamKnobs = {
    missing: new Set(),
    status: new Map(),
    delayMs: new Map(),
    body: new Map(),
    requests: [],
  };
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    knobs.requests.push(`${req.method} ${path}`);
    // `/mono/...`: the same channel without sharded repodata
    if (path.startsWith('/mono/')) {
      path = path.slice('/mono'.length);
      if (path.endsWith('/repodata_shards.msgpack.zst')) knobs.missing.add(`/mono${path}`);
      if (knobs.missing.has(`/mono${path}`)) {
        res.writeHead(404).end('not found');
        return;
      }
    }
    const delay = knobs.delayMs.get(path);
    if (delay) await sleep(delay);
    const status = knobs.status.get(path);
    if (status) {
      res.writeHead(status).end('forced');
      return;
    }
    const file = join(root, path);
    const body =
      knobs.body.get(path) ??
      (!knobs.missing.has(path) && !path.includes('..') && existsSync(file) && !file.endsWith('/')
        ? tryRead(file)
        : undefined);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : body.byteLength - 1;
      res.writeHead(206, {
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${body.byteLength}`,
      });
      res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-length': body.byteLength, etag: `"${hex(body, 'sha256').slice(0, 16)}"` });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return { url: await listen(server), knobs, server };
}

function tryRead(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export interface ProxyOptions {
  upstreamUrl: string;
  judge: Judge;
  name?: string;
  timeoutMs?: number;
  maxDocumentBytes?: number;
  metadataMaxAgeS?: number;
}

export async function startProxy(options: ProxyOptions) {
  const name = options.name ?? 'test';
  const dir = tempDirectory();
  const logs: Record<string, unknown>[] = [];
  const upstream = new UpstreamClient({
    cacheDir: join(dir, 'upstream'),
    concurrency: 8,
    timeoutMs: options.timeoutMs ?? 5000,
    maxDocumentBytes: options.maxDocumentBytes ?? 64 * 1024 * 1024,
    maxStaleMs: 0,
  });
  const views = new ViewStore({ dir: join(dir, 'views') });
  const channel = createCondaChannel(
    { name, url: options.upstreamUrl },
    {
      judge: options.judge,
      views,
      upstream,
      log: (line) => logs.push(line),
      metadataMaxAgeS: options.metadataMaxAgeS ?? 0,
    },
  );
  const prefix = `/conda/${name}/`;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    void channel.handle(req, res, path.slice(prefix.length));
  });
  const url = await listen(server);
  return { url, channelUrl: `${url}${prefix}`, server, logs, views, upstream };
}

/** The self-made channel on a loopback upstream. */
export async function startChannelUpstream() {
  const dir = join(tempDirectory(), 'channel');
  mkdirSync(dir, { recursive: true });
  const upstream = await startUpstream(dir);
  buildChannel(dir, upstream.url);
  return { ...upstream, dir };
}
