/**
 * Which versions of some packages a conda channel offers in one subdir: from its repodata, online
 * (through the fix cache) or in a local channel directory. A channel that offers CEP 16 sharded
 * repodata is read from its shards, only those of the wanted names (`shards.ts`); repodata.json
 * is read when the subdir has no shard index (404, or none in the directory). Offline, a shard
 * index never fetched is no shard index: the repodata fetched before answers, if any.
 *
 * Only the archive file names are read. They say name, version and build (CEP 26), which is all a
 * fix needs, and reading them as they stream by keeps memory flat: conda-forge's linux-64
 * repodata.json is hundreds of MB, which JSON.parse would hold several times over. A key is an
 * archive name followed by `: {`; file names in `removed` lists or `url` values are followed by
 * something else, and a name is kept only when it parses as an archive of a wanted package.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createZstdDecompress } from 'node:zlib';
import { canonicalChannel } from '../conda/channels.ts';
import { SHARD_INDEX_FILE } from '../conda/shards.ts';
import { parseCondaArchiveName } from '../conda/url.ts';
import { normalizeCondaName } from '../model/package.ts';
import { type FetchContext, type Fetched, fetchCached } from './cached-fetch.ts';
import { type DocumentReader, shardedVersions } from './shards.ts';
import type { SourceRead } from './types.ts';

/** conda-forge's biggest subdir is ~300 MB of JSON; anything far beyond is not repodata. */
const MAX_REPODATA_BYTES = 2 * 1024 ** 3;
/** A shard index is ~1 MB, a shard a few kB (the largest names a few MB): as `conda/shards.ts` bounds them decoded. */
const MAX_SHARDED_BYTES = 256 * 1024 ** 2;
const ARCHIVE_KEY = /"([^"\\/\s]{1,256}?\.(?:conda|tar\.bz2))"\s*:\s*\{/g;
/** Longer than any key the pattern accepts, so a key split across two chunks is seen whole. */
const CARRY = 512;

export type SubdirVersions =
  | { status: 'read'; versions: Map<string, Set<string>>; read: SourceRead }
  /** The channel has no such subdir (404, or no file in a local channel). */
  | { status: 'absent' }
  | { status: 'unavailable'; reason: string };

/** `channel` is a URL, a `file:` URL or a directory. `names` are normalized conda names. */
export async function subdirVersions(
  channel: string,
  subdir: string,
  names: ReadonlySet<string>,
  context: FetchContext,
): Promise<SubdirVersions> {
  const directory = localDirectory(channel);
  if (directory !== undefined) {
    const sharded = await shardedVersions(
      pathToFileURL(join(directory, subdir, SHARD_INDEX_FILE)).href,
      names,
      readLocalFile,
    );
    if (sharded.status === 'unavailable') return sharded;
    if (sharded.status === 'read')
      return {
        status: 'read',
        versions: sharded.versions,
        read: { source: `${directory} (${subdir})`, from: 'directory' },
      };
    for (const [file, compressed] of REPODATA_FILES) {
      const path = join(directory, subdir, file);
      if (existsSync(path) && statSync(path).isFile()) {
        const versions = await readVersions(path, compressed, names);
        if ('reason' in versions)
          return { status: 'unavailable', reason: `${path} could not be read (${versions.reason})` };
        return { status: 'read', versions, read: { source: `${directory} (${subdir})`, from: 'directory' } };
      }
    }
    return { status: 'absent' };
  }
  const base = channel.replace(/\/+$/, '');
  const indexUrl = `${base}/${subdir}/${SHARD_INDEX_FILE}`;
  const fetchDocument: DocumentReader = async (url, { immutable }) => {
    const fetched = await fetchCached(
      { url, cacheKey: cacheKeyOf(base, url), maxBytes: MAX_SHARDED_BYTES, immutable },
      context,
    );
    // offline, a shard index never fetched is none at hand: the repodata fetched before may be
    return url === indexUrl && fetched.status === 'unavailable' && fetched.notCached
      ? { status: 'not-found' }
      : fetched;
  };
  const sharded = await shardedVersions(indexUrl, names, fetchDocument);
  if (sharded.status === 'unavailable') return sharded;
  if (sharded.status === 'read')
    return { status: 'read', versions: sharded.versions, read: sourceRead(base, subdir, sharded.index) };
  let missing = 0;
  let failure: string | undefined;
  // each file in turn: offline, the one fetched before answers; online, a 404 on the first is common
  for (const [file, compressed] of REPODATA_FILES) {
    const url = `${base}/${subdir}/${file}`;
    const fetched = await fetchCached(
      { url, cacheKey: `${canonicalChannel(base)}/${subdir}/${file}`, maxBytes: MAX_REPODATA_BYTES },
      context,
    );
    if (fetched.status === 'not-found') {
      missing++;
      continue;
    }
    if (fetched.status === 'unavailable') {
      failure ??= `${url} could not be read (${fetched.reason})`;
      continue;
    }
    const versions = await readVersions(fetched.path, compressed, names);
    if ('reason' in versions) return { status: 'unavailable', reason: `${url} could not be read (${versions.reason})` };
    return { status: 'read', versions, read: sourceRead(base, subdir, fetched) };
  }
  return missing === REPODATA_FILES.length
    ? { status: 'absent' }
    : { status: 'unavailable', reason: failure ?? 'no repodata' };
}

function sourceRead(base: string, subdir: string, fetched: Extract<Fetched, { status: 'fetched' }>): SourceRead {
  return {
    source: `${base} (${subdir})`,
    from: fetched.from,
    ...(fetched.from === 'cache' ? { fetchedAt: fetched.fetchedAt } : {}),
    ...(fetched.note ? { note: fetched.note } : {}),
  };
}

/** The URL as the cache knows it: the channel's canonical form (no credentials, no token) and the path below it. */
function cacheKeyOf(base: string, url: string): string {
  return url.startsWith(`${base}/`) ? `${canonicalChannel(base)}/${url.slice(base.length + 1)}` : canonicalChannel(url);
}

/** A local channel's documents (a shard index may point its shards elsewhere: only files are read). */
const readLocalFile: DocumentReader = async (url) => {
  if (!url.startsWith('file:'))
    return { status: 'unavailable', reason: 'the shard index of a local channel points outside it' };
  const path = fileURLToPath(url);
  if (!existsSync(path) || !statSync(path).isFile()) return { status: 'not-found' };
  return { status: 'fetched', path, from: 'cache', fetchedAt: statSync(path).mtime.toISOString() };
};

/** Compressed first: conda-forge serves both, and the zstd file is a tenth of the size. */
const REPODATA_FILES: readonly [string, boolean][] = [
  ['repodata.json.zst', true],
  ['repodata.json', false],
];

function localDirectory(channel: string): string | undefined {
  if (channel.startsWith('file:')) return fileURLToPath(channel);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(channel)) return undefined;
  return existsSync(channel) && statSync(channel).isDirectory() ? channel : undefined;
}

/** A file that is not zstd (or not text) is a source that could not be read, not a bug. */
async function readVersions(
  path: string,
  compressed: boolean,
  names: ReadonlySet<string>,
): Promise<Map<string, Set<string>> | { reason: string }> {
  try {
    return await scanRepodata(path, compressed, names);
  } catch (error) {
    return { reason: `cannot read the repodata (${(error as Error).message})` };
  }
}

/** Every version of the wanted packages named by an archive key of the repodata file. */
export async function scanRepodata(
  path: string,
  compressed: boolean,
  names: ReadonlySet<string>,
): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  const file = createReadStream(path);
  const stream = compressed ? file.pipe(createZstdDecompress()) : file;
  if (compressed) file.on('error', (error) => stream.destroy(error));
  stream.setEncoding('utf8');
  let carry = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = carry + chunk;
    ARCHIVE_KEY.lastIndex = 0;
    for (let match = ARCHIVE_KEY.exec(text); match; match = ARCHIVE_KEY.exec(text)) {
      const archive = parseCondaArchiveName(match[1] ?? '');
      if (!archive) continue;
      const name = normalizeCondaName(archive.name);
      if (!names.has(name)) continue;
      const versions = found.get(name) ?? new Set<string>();
      versions.add(archive.version);
      found.set(name, versions);
    }
    carry = text.slice(-CARRY);
  }
  return found;
}
