/**
 * Which versions of some packages a conda channel offers in one subdir: from its repodata, online
 * (through the fix cache) or in a local channel directory.
 *
 * Only the archive file names are read. They say name, version and build (CEP 26), which is all a
 * fix needs, and reading them as they stream by keeps memory flat: conda-forge's linux-64
 * repodata.json is hundreds of MB, which JSON.parse would hold several times over. A key is an
 * archive name followed by `: {`; file names in `removed` lists or `url` values are followed by
 * something else, and a name is kept only when it parses as an archive of a wanted package.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createZstdDecompress } from 'node:zlib';
import { canonicalChannel } from '../conda/channels.ts';
import { parseCondaArchiveName } from '../conda/url.ts';
import { normalizeCondaName } from '../model/package.ts';
import { type FetchContext, fetchCached } from './cached-fetch.ts';
import type { SourceRead } from './types.ts';

/** conda-forge's biggest subdir is ~300 MB of JSON; anything far beyond is not repodata. */
const MAX_REPODATA_BYTES = 2 * 1024 ** 3;
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
    const read: SourceRead = {
      source: `${base} (${subdir})`,
      from: fetched.from,
      ...(fetched.from === 'cache' ? { fetchedAt: fetched.fetchedAt } : {}),
      ...(fetched.note ? { note: fetched.note } : {}),
    };
    return { status: 'read', versions, read };
  }
  return missing === REPODATA_FILES.length
    ? { status: 'absent' }
    : { status: 'unavailable', reason: failure ?? 'no repodata' };
}

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
