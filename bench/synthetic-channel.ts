/**
 * A conda channel the size of conda-forge's linux-64, for benchmarks: the records of a real corpus
 * channel (rattler-pytorch linux-64, 2,181 records) replicated under conda-forge's own names (the
 * parselmouth map's keys) with distinct versions and file names.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createZstdCompress, zstdCompressSync } from 'node:zlib';
import { encode } from '@msgpack/msgpack';

const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));

/**
 * rattler-pytorch's records under conda-forge names: record i takes name i mod |names| and a
 * version that makes its file name distinct. Written in pieces: the file is never one string.
 */
export async function writeChannel(channel: string, size: number): Promise<string> {
  const template = JSON.parse(
    readFileSync(join(corpus, 'channels/rattler-pytorch/linux-64/repodata.json'), 'utf8'),
  ) as Record<string, Record<string, Record<string, unknown>>>;
  const records = [...Object.values(template.packages ?? {}), ...Object.values(template['packages.conda'] ?? {})];
  const names = Object.keys(
    JSON.parse(
      readFileSync(join(corpus, 'intel/conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json'), 'utf8'),
    ) as object,
  )
    .slice(0, Math.max(1, Math.round(size / 15)))
    .sort();
  mkdirSync(join(channel, 'linux-64'), { recursive: true });
  const path = join(channel, 'linux-64', 'repodata.json');
  const handle = await open(path, 'w');
  try {
    await handle.write('{"info":{"subdir":"linux-64"},"packages.conda":{');
    let piece = '';
    // name by name, as real repodata is sorted by file name (the state's lookups then walk its index in order)
    const perName = Math.ceil(size / names.length);
    for (let i = 0; i < size; i++) {
      const base = records[i % records.length] as Record<string, unknown>;
      const name = names[Math.floor(i / perName)] as string;
      const round = i % perName;
      const version = `${1 + (round % 4)}.${Math.floor(round / 4)}.${i % 7}`;
      const build = String(base.build ?? 'h0_0');
      const filename = `${name}-${version}-${build}.conda`;
      const record = { ...base, name, version, build, sha256: sha(i) };
      piece += `${i === 0 ? '' : ','}${JSON.stringify(filename)}:${JSON.stringify(record)}`;
      if (piece.length > 1 << 20) {
        await handle.write(piece);
        piece = '';
      }
    }
    await handle.write(`${piece}},"packages":{},"removed":[],"repodata_version":1}`);
  } finally {
    await handle.close();
  }
  return path;
}

function sha(i: number): string {
  return i.toString(16).padStart(64, '0');
}

/**
 * A sharded channel (CEP 16) with `names` package names of `perName` self-made records each:
 * `linux-64/repodata_shards.msgpack.zst`, one `shards/<sha256>.msgpack.zst` per name, and the same
 * records as `repodata.json` and `repodata.json.zst` (written in pieces, never one string).
 */
export async function writeShardedChannel(channel: string, names: number, perName: number): Promise<void> {
  const subdir = join(channel, 'linux-64');
  mkdirSync(join(subdir, 'shards'), { recursive: true });
  const json = await open(join(subdir, 'repodata.json'), 'w');
  const shards: Record<string, Uint8Array> = {};
  try {
    await json.write('{"info":{"subdir":"linux-64"},"packages":{},"packages.conda":{');
    let piece = '';
    for (let n = 0; n < names; n++) {
      const name = `pkg-${String(n).padStart(6, '0')}`;
      const records: Record<string, Record<string, unknown>> = {};
      for (let v = 0; v < perName; v++) {
        const i = n * perName + v;
        const filename = `${name}-${v + 1}.0-h${v}_0.conda`;
        const record = {
          build: `h${v}_0`,
          build_number: 0,
          depends: ['libgcc >=13', 'python >=3.10,<3.14', `pkg-${String((n + 1) % names).padStart(6, '0')} >=1`],
          license: 'MIT',
          md5: sha(i).slice(0, 32),
          name,
          sha256: sha(i),
          size: 100_000 + i,
          subdir: 'linux-64',
          timestamp: 1_700_000_000_000 + i,
          version: `${v + 1}.0`,
        };
        piece += `${i === 0 ? '' : ','}${JSON.stringify(filename)}:${JSON.stringify(record)}`;
        records[filename] = {
          ...record,
          md5: Buffer.from(record.md5, 'hex'),
          sha256: Buffer.from(record.sha256, 'hex'),
        };
      }
      const bytes = zstdCompressSync(encode({ packages: {}, 'packages.conda': records, removed: [] }));
      const digest = createHash('sha256').update(bytes).digest();
      shards[name] = digest;
      writeFileSync(join(subdir, 'shards', `${digest.toString('hex')}.msgpack.zst`), bytes);
      if (piece.length > 1 << 20) {
        await json.write(piece);
        piece = '';
      }
    }
    await json.write(`${piece}},"removed":[],"repodata_version":1}`);
  } finally {
    await json.close();
  }
  await pipeline(
    createReadStream(join(subdir, 'repodata.json')),
    createZstdCompress(),
    createWriteStream(join(subdir, 'repodata.json.zst')),
  );
  writeFileSync(
    join(subdir, 'repodata_shards.msgpack.zst'),
    zstdCompressSync(encode({ info: { subdir: 'linux-64', base_url: './', shards_base_url: './shards/' }, shards })),
  );
}
