/**
 * Conda channels on loopback: a small channel a test describes record by record (repodata.json
 * for noarch and each subdir named), and any channel directory (the corpus's) served file by file
 * through the feed server, so the solver reads real HTTP.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/** A channel directory with `noarch/repodata.json` and one per other subdir the records name. */
export function writeChannel(records: readonly ChannelRecord[]): string {
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
    writeFileSync(join(dir, subdir, 'repodata.json'), JSON.stringify(repodata));
  }
  return dir;
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
