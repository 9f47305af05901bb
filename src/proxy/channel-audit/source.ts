/**
 * Where a channel's repodata comes from: an http(s) URL, a `file:` URL or a local directory. Each
 * subdir's `repodata.json.zst` (else `repodata.json`) is opened as a byte stream that can be read
 * more than once (`--newest N` reads it twice); a remote one is downloaded to a temporary file
 * first, through the project's HTTP client (timeouts, retries, size cap), never held in memory.
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createZstdDecompress } from 'node:zlib';
import { CvebuildError, isCvebuildError } from '../../errors.ts';
import { type Download, download } from '../../net/download.ts';

/** conda-forge's biggest subdir is ~300 MB of JSON; anything far beyond is not repodata. */
const MAX_REPODATA_BYTES = 2 * 1024 ** 3;
const MAX_CHANNELDATA_BYTES = 256 * 1024 * 1024;
/** A 254 MB download on a slow link takes minutes: the default 60 s would cut it off. */
const REPODATA_TIMEOUT_MS = 15 * 60_000;

/** Probed, in this order, when the channel lists no subdirs (`noarch` first: every channel has one). */
export const USUAL_SUBDIRS: readonly string[] = [
  'noarch',
  'linux-64',
  'linux-aarch64',
  'linux-ppc64le',
  'osx-64',
  'osx-arm64',
  'win-64',
  'win-arm64',
];

const SUBDIR_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A channel as given: a URL (no trailing slash) or a local directory. */
export type ChannelLocation = { kind: 'http'; url: string } | { kind: 'local'; directory: string; url: string };

export interface RepodataSource {
  /** The file read (a URL or a path), for messages. */
  source: string;
  /** The decompressed document, from its first byte; each call reads it anew. */
  open(): AsyncIterable<Uint8Array>;
  /** Removes the downloaded copy. */
  close(): void;
}

export function channelLocation(input: string): ChannelLocation {
  const trimmed = input.replace(/\/+$/, '');
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      return { kind: 'http', url: channelUrl(trimmed) };
    } catch {
      throw new CvebuildError('USAGE', 'not a valid channel URL', { file: input });
    }
  }
  const directory = /^file:/i.test(trimmed) ? fileURLToPath(trimmed) : isAbsolute(trimmed) ? trimmed : resolve(trimmed);
  if (!existsSync(directory) || !statSync(directory).isDirectory())
    throw new CvebuildError('INPUT_NOT_FOUND', 'no such channel directory', { file: input });
  return { kind: 'local', directory, url: directory };
}

/** An http(s) channel URL as the audit keys its results by (and a proxy upstream looks them up). */
export function channelUrl(url: string): string {
  return new URL(url.replace(/\/+$/, '')).href.replace(/\/+$/, '');
}

export function checkSubdirName(subdir: string, where: string): string {
  if (!SUBDIR_NAME.test(subdir))
    throw new CvebuildError('USAGE', `not a conda subdir name: ${JSON.stringify(subdir)}`, { file: where });
  return subdir;
}

/** The subdirs `channeldata.json` lists, or undefined when the channel has none. */
export async function listedSubdirs(
  location: ChannelLocation,
  http: Download = download,
): Promise<string[] | undefined> {
  const fetched = await fetchSmall(location, 'channeldata.json', http);
  if (fetched === undefined) return undefined;
  const { text, source } = fetched;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CvebuildError('JSON_SYNTAX', `not JSON: ${(error as Error).message}`, { file: source });
  }
  const subdirs = (document as { subdirs?: unknown } | null)?.subdirs;
  if (subdirs === undefined) return undefined;
  if (!Array.isArray(subdirs) || !subdirs.every((subdir) => typeof subdir === 'string'))
    throw new CvebuildError('DATA_INVALID', 'not a list of subdir names', { file: source, key: 'subdirs' });
  return [...new Set(subdirs.map((subdir) => checkSubdirName(subdir, `${source}: subdirs`)))].sort();
}

/** The subdir's repodata, or undefined when the channel has no such subdir (404, or no file). */
export async function openRepodata(
  location: ChannelLocation,
  subdir: string,
  http: Download = download,
): Promise<RepodataSource | undefined> {
  for (const file of ['repodata.json.zst', 'repodata.json']) {
    const compressed = file.endsWith('.zst');
    if (location.kind === 'local') {
      const path = join(location.directory, subdir, file);
      if (!existsSync(path)) continue;
      if (!statSync(path).isFile()) throw new CvebuildError('INPUT_UNREADABLE', 'not a regular file', { file: path });
      return { source: path, open: () => readStream(path, compressed), close: () => {} };
    }
    const url = `${location.url}/${subdir}/${file}`;
    const directory = mkdtempSync(join(tmpdir(), 'cvebuild-repodata-'));
    const path = join(directory, file);
    try {
      await http({ url, destination: path, maxBytes: MAX_REPODATA_BYTES, timeoutMs: REPODATA_TIMEOUT_MS });
    } catch (error) {
      rmSync(directory, { recursive: true, force: true });
      // only a 404 means "not here": anything else fails the audit rather than skipping a subdir
      if (isCvebuildError(error) && error.code === 'NOT_FOUND') continue;
      throw error;
    }
    return {
      source: url,
      open: () => readStream(path, compressed),
      close: () => rmSync(directory, { recursive: true, force: true }),
    };
  }
  return undefined;
}

function readStream(path: string, compressed: boolean): AsyncIterable<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  return compressed ? stream.pipe(createZstdDecompress()) : stream;
}

async function fetchSmall(
  location: ChannelLocation,
  file: string,
  http: Download,
): Promise<{ text: string; source: string } | undefined> {
  if (location.kind === 'local') {
    const path = join(location.directory, file);
    if (!existsSync(path)) return undefined;
    return { text: readFileSync(path, 'utf8'), source: path };
  }
  const url = `${location.url}/${file}`;
  const directory = mkdtempSync(join(tmpdir(), 'cvebuild-channeldata-'));
  try {
    const path = join(directory, file);
    await http({ url, destination: path, maxBytes: MAX_CHANNELDATA_BYTES });
    return { text: readFileSync(path, 'utf8'), source: url };
  } catch (error) {
    if (isCvebuildError(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
