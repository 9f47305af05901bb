/**
 * Conda channels on loopback: a small channel a test describes record by record (repodata.json
 * for noarch and each subdir named), and any channel directory (the corpus's) served file by file
 * through the feed server, so the solver reads real HTTP.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import { type FeedServer, startFeedServer } from './feed-server.ts';
import { tempDirectory } from './temp.ts';

export interface ChannelRecord {
  name: string;
  version: string;
  build?: string;
  /** Default `noarch`. */
  subdir?: string;
  depends?: string[];
}

export interface ChannelLayout {
  /** Also CEP 16 sharded repodata: `repodata_shards.msgpack.zst` and `shards/<sha256>.msgpack.zst`, made from the same records. */
  sharded?: boolean;
  /** `repodata.json` (default true): false for a channel that offers only shards. */
  repodata?: boolean;
}

/** A channel directory with `noarch/repodata.json` and one per other subdir the records name. */
export function writeChannel(records: readonly ChannelRecord[], layout: ChannelLayout = {}): string {
  const dir = tempDirectory();
  const subdirs = new Set(['noarch', ...records.map((record) => record.subdir ?? 'noarch')]);
  for (const subdir of subdirs) {
    const packages: Record<string, unknown> = {};
    for (const record of records.filter((candidate) => (candidate.subdir ?? 'noarch') === subdir)) {
      const build = record.build ?? '0';
      const file = `${record.name}-${record.version}-${build}.conda`;
      const digest = createHash('sha256').update(`${subdir}/${file}`).digest('hex');
      packages[file] = {
        name: record.name,
        version: record.version,
        build,
        build_number: Number(/(\d+)$/.exec(build)?.[1] ?? 0),
        depends: record.depends ?? [],
        subdir,
        sha256: digest,
        md5: digest.slice(0, 32),
        size: 1000,
        timestamp: 1_700_000_000_000,
        ...(subdir === 'noarch' ? { noarch: 'generic' } : {}),
      };
    }
    mkdirSync(join(dir, subdir), { recursive: true });
    const repodata = { info: { subdir }, packages: {}, 'packages.conda': packages, repodata_version: 1 };
    if (layout.repodata !== false) writeFileSync(join(dir, subdir, 'repodata.json'), JSON.stringify(repodata));
    if (layout.sharded) writeShards(join(dir, subdir), subdir, packages);
  }
  return dir;
}

/** One shard per name (its records as repodata has them, sha256 fields as bytes, as CEP 16 has them), and the index. */
function writeShards(subdirPath: string, subdir: string, packages: Record<string, unknown>): void {
  const byName = new Map<string, Record<string, unknown>>();
  for (const [file, record] of Object.entries(packages)) {
    const { name, sha256, md5, ...rest } = record as { name: string; sha256: string; md5: string };
    const shard = byName.get(name) ?? {};
    shard[file] = { name, ...rest, sha256: Buffer.from(sha256, 'hex'), md5: Buffer.from(md5, 'hex') };
    byName.set(name, shard);
  }
  mkdirSync(join(subdirPath, 'shards'), { recursive: true });
  const shards: Record<string, Uint8Array> = {};
  for (const [name, records] of byName) {
    const bytes = zstdCompressSync(encode({ packages: {}, 'packages.conda': records, removed: [] }));
    const digest = createHash('sha256').update(bytes).digest();
    shards[name] = digest;
    writeFileSync(join(subdirPath, 'shards', `${digest.toString('hex')}.msgpack.zst`), bytes);
  }
  const info = { subdir, base_url: './', shards_base_url: './shards/' };
  writeFileSync(join(subdirPath, 'repodata_shards.msgpack.zst'), zstdCompressSync(encode({ info, shards })));
}

export interface ChannelServer extends FeedServer {
  /** The channel's URL (no trailing slash). */
  channel: string;
  /** Paths asked for so far (404s included). */
  paths(): string[];
}

/** Serves every file under `dir` at `/<name>/<relative path>`. */
export async function serveChannel(dir: string, name = 'channel'): Promise<ChannelServer> {
  const server = await startFeedServer();
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) server.serve(`/${name}/${relative(dir, path).split('\\').join('/')}`, { file: path });
    }
  };
  visit(dir);
  return Object.assign(server, {
    channel: server.url(`/${name}`),
    paths: () => server.requests.map((request) => request.path),
  });
}
