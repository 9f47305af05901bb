/**
 * CEP 16 sharded repodata: the index (`repodata_shards.msgpack.zst`: `{info, shards: {name: sha256
 * bytes}}`) and the shards (`{packages, "packages.conda", removed, v3?}`, record hashes as bytes),
 * each zstd(msgpack), a shard at `<shards_base_url><sha256 hex>.msgpack.zst`. Read by the proxy
 * (which filters and re-serves them) and by `fix` (which reads the versions of a few names).
 * Encoding is deterministic (sorted keys, hashes kept as msgpack bin), so the same value always
 * gives the same bytes and hash.
 */
import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { decode, encode } from '@msgpack/msgpack';
import { CvebuildError } from '../errors.ts';
import { type Dict, describeType, isDict } from '../readers/fields.ts';

/** conda-forge linux-64's index is ~1 MB, a shard a few kB (the largest names a few MB). */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;
const MAX_SHARD_BYTES = 64 * 1024 * 1024;
const ZSTD_LEVEL = 3;

export interface ShardIndex {
  info: Dict;
  /** Package name → shard hash (hex). */
  shards: Map<string, string>;
}

export function decodeShardIndex(compressed: Uint8Array, source: string): ShardIndex {
  const value = decodeZstdMsgpack(compressed, MAX_INDEX_BYTES, source);
  const invalid = (key: string, message: string): never => {
    throw new CvebuildError('INPUT_UNRECOGNIZED', message, { file: source, key });
  };
  if (!isDict(value)) return invalid('', `expected a map, found ${describeType(value)}`);
  const info = value.info ?? {};
  if (!isDict(info)) invalid('info', `expected a map, found ${describeType(info)}`);
  if (!isDict(value.shards)) return invalid('shards', `expected a map, found ${describeType(value.shards)}`);
  const shards = new Map<string, string>();
  for (const [name, hash] of Object.entries(value.shards)) {
    if (!(hash instanceof Uint8Array) || hash.byteLength !== 32)
      invalid(`shards.${name}`, 'expected 32 bytes of sha256');
    shards.set(name, Buffer.from(hash as Uint8Array).toString('hex'));
  }
  return { info: info as Dict, shards };
}

export function encodeShardIndex(index: ShardIndex): Uint8Array {
  const shards: Record<string, Uint8Array> = {};
  for (const [name, hash] of index.shards) shards[name] = Buffer.from(hash, 'hex');
  return encodeZstdMsgpack({ info: index.info, shards });
}

/** The name of the index file in a subdir. */
export const SHARD_INDEX_FILE = 'repodata_shards.msgpack.zst';

/** Where a shard lies: `shardsBase` is the index's `shards_base_url` resolved, with a trailing slash. */
export function shardUrl(shardsBase: string, hash: string): string {
  return `${shardsBase}${hash}.msgpack.zst`;
}

/**
 * A `base_url` or `shards_base_url` of a document, resolved against the document's URL (absent or
 * empty: the document's own directory), with a trailing slash. Only http(s) and `file:`.
 */
export function resolveBaseUrl(baseUrl: unknown, documentUrl: string): string {
  const relative = typeof baseUrl === 'string' && baseUrl !== '' ? baseUrl : './';
  let resolved: URL;
  try {
    resolved = new URL(relative, documentUrl);
  } catch {
    throw new CvebuildError('INPUT_UNRECOGNIZED', `base_url ${JSON.stringify(relative)} is not a URL`, {
      file: documentUrl,
    });
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:' && resolved.protocol !== 'file:')
    throw new CvebuildError('INPUT_UNRECOGNIZED', `base_url ${JSON.stringify(relative)} is not an http(s) URL`, {
      file: documentUrl,
    });
  const text = resolved.href;
  return text.endsWith('/') ? text : `${text}/`;
}

export function decodeShard(compressed: Uint8Array, source: string): Dict {
  const value = decodeZstdMsgpack(compressed, MAX_SHARD_BYTES, source);
  if (!isDict(value))
    throw new CvebuildError('INPUT_UNRECOGNIZED', `expected a map, found ${describeType(value)}`, { file: source });
  for (const key of ['packages', 'packages.conda']) {
    const records = value[key];
    if (records !== undefined && !isDict(records))
      throw new CvebuildError('INPUT_UNRECOGNIZED', `expected a map, found ${describeType(records)}`, {
        file: source,
        key,
      });
  }
  return value;
}

/** The package records of a shard: `[key, filename, record]`, v3 conda/tar.bz2 records with their extension added. */
export function shardRecords(shard: Dict): [string, string, unknown][] {
  const records: [string, string, unknown][] = [];
  for (const key of ['packages', 'packages.conda']) {
    for (const [filename, record] of Object.entries((shard[key] as Dict | undefined) ?? {}))
      records.push([key, filename, record]);
  }
  const v3 = shard.v3;
  if (isDict(v3)) {
    for (const [bucket, extension] of [
      ['conda', '.conda'],
      ['tar.bz2', '.tar.bz2'],
    ] as const) {
      const bucketRecords = v3[bucket];
      if (!isDict(bucketRecords)) continue;
      for (const [stem, record] of Object.entries(bucketRecords))
        records.push([`v3.${bucket}`, stem + extension, record]);
    }
  }
  return records;
}

export function encodeZstdMsgpack(value: unknown): Uint8Array {
  const packed = encode(value, { sortKeys: true, ignoreUndefined: true });
  return zstdCompressSync(packed, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
}

function decodeZstdMsgpack(compressed: Uint8Array, maxBytes: number, source: string): unknown {
  let packed: Buffer;
  try {
    packed = zstdDecompressSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    throw new CvebuildError(
      (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'INPUT_TOO_LARGE' : 'INPUT_UNRECOGNIZED',
      `not zstd-compressed within ${maxBytes} bytes: ${(error as Error).message}`,
      { file: source },
    );
  }
  try {
    return decode(packed, { maxStrLength: maxBytes, maxBinLength: maxBytes, maxArrayLength: 1e7, maxMapLength: 1e7 });
  } catch (error) {
    throw new CvebuildError('INPUT_UNRECOGNIZED', `not msgpack: ${(error as Error).message}`, { file: source });
  }
}
