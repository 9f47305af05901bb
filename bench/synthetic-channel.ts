/**
 * A conda channel the size of conda-forge's linux-64, for benchmarks: the records of a real corpus
 * channel (rattler-pytorch linux-64, 2,181 records) replicated under conda-forge's own names (the
 * parselmouth map's keys) with distinct versions and file names.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
