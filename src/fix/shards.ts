/**
 * Which versions of some packages a channel subdir offers, from its CEP 16 sharded repodata: the
 * index names each package's shard by its sha256, and only the shards of the wanted names are
 * read (a few kB each, where the subdir's repodata.json is hundreds of MB). Versions come from
 * the archive names, as in `repodata.ts`. Everything that goes wrong past the index's 404 (a shard
 * missing or not matching its hash, a document that does not decode) is a source that could not
 * be read, naming the URL: `fix` then says it could not confirm the version, never that it exists.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { decodeShard, decodeShardIndex, resolveBaseUrl, shardRecords, shardUrl } from '../conda/shards.ts';
import { parseCondaArchiveName } from '../conda/url.ts';
import { isCvebuildError } from '../errors.ts';
import { normalizeCondaName } from '../model/package.ts';
import type { Fetched } from './cached-fetch.ts';

/** Reads one document: through the fix cache online, or from a local channel directory. */
export type DocumentReader = (url: string, options: { immutable: boolean }) => Promise<Fetched>;

export type ShardedVersions =
  | { status: 'read'; versions: Map<string, Set<string>>; index: Extract<Fetched, { status: 'fetched' }> }
  /** The subdir has no shard index (404): the caller reads repodata.json instead. */
  | { status: 'absent' }
  | { status: 'unavailable'; reason: string };

/** `indexUrl` is the subdir's `repodata_shards.msgpack.zst`; `names` are normalized conda names. */
export async function shardedVersions(
  indexUrl: string,
  names: ReadonlySet<string>,
  read: DocumentReader,
): Promise<ShardedVersions> {
  const index = await read(indexUrl, { immutable: false });
  if (index.status === 'not-found') return { status: 'absent' };
  if (index.status === 'unavailable') return unreadable(indexUrl, index.reason);
  const versions = new Map<string, Set<string>>();
  try {
    const { info, shards } = decodeShardIndex(await readFile(index.path), indexUrl);
    const shardsBase = resolveBaseUrl(info.shards_base_url ?? './shards/', indexUrl);
    for (const [name, hash] of shards) {
      const wanted = normalizeCondaName(name);
      if (!names.has(wanted)) continue;
      const url = shardUrl(shardsBase, hash);
      const shard = await read(url, { immutable: true });
      if (shard.status === 'not-found') return unreadable(url, 'not found, though the shard index names it');
      if (shard.status === 'unavailable') return unreadable(url, shard.reason);
      const bytes = await readFile(shard.path);
      if (createHash('sha256').update(bytes).digest('hex') !== hash)
        return unreadable(url, 'its bytes do not match the sha256 the shard index gives');
      for (const [, filename] of shardRecords(decodeShard(bytes, url))) {
        const archive = parseCondaArchiveName(filename);
        // a record filed in another package's shard is not that package's
        if (!archive || normalizeCondaName(archive.name) !== wanted) continue;
        const found = versions.get(wanted) ?? new Set<string>();
        found.add(archive.version);
        versions.set(wanted, found);
      }
    }
  } catch (error) {
    // a cached file gone, or bytes that do not decode: not read, not found clean
    if (!isCvebuildError(error)) return unreadable(indexUrl, (error as Error).message);
    const { file, key } = error.location;
    return unreadable(file ?? indexUrl, key ? `${key}: ${error.message}` : error.message);
  }
  return { status: 'read', versions, index };
}

function unreadable(url: string, reason: string): ShardedVersions {
  return { status: 'unavailable', reason: `${url} could not be read (${reason})` };
}
