/**
 * The disk cache of PyPI project pages: one JSON file per index + project under
 * `<cacheDir>/pypi-upload-times/`, holding every file's name, sha256 and upload time. Upload times
 * never change, so a file found here is answered from here forever; a file missing here (or
 * listed without a time) may be newer than the cached page, so such answers expire.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSha256 } from '../util/on-demand-crypto.ts';
import type { IndexFile } from './simple-api.ts';

export const CACHE_SUBDIRECTORY = 'pypi-upload-times';
const FORMAT = 1;

export interface CachedProject {
  fetchedAt: number;
  files: IndexFile[];
}

interface CacheDocument {
  format: number;
  /** For people reading the cache; credentials are never part of it. */
  index: string;
  project: string;
  fetchedAt: string;
  /** `[filename, sha256 | null, upload time ISO | null]` */
  files: [string, string | null, string | null][];
}

export function cacheDirectory(cacheDir: string): string {
  return join(cacheDir, CACHE_SUBDIRECTORY);
}

/** The key ignores credentials: the same index answers the same for every account. */
export function cacheFile(cacheDir: string, displayIndex: string, project: string): string {
  const digest = createSha256()
    .update(`${displayIndex.replace(/\/+$/, '')}\n${project}`)
    .digest('hex');
  return join(cacheDirectory(cacheDir), `${project}-${digest.slice(0, 16)}.json`);
}

/** A missing, unreadable or foreign file is simply not cached. */
export async function readCachedProject(path: string): Promise<CachedProject | undefined> {
  let document: CacheDocument;
  try {
    document = JSON.parse(await readFile(path, 'utf8')) as CacheDocument;
  } catch {
    return undefined;
  }
  const fetchedAt = Date.parse(document?.fetchedAt);
  if (document?.format !== FORMAT || Number.isNaN(fetchedAt) || !Array.isArray(document.files)) return undefined;
  const files: IndexFile[] = [];
  for (const [filename, sha256, uploaded] of document.files) {
    if (typeof filename !== 'string') continue;
    const uploadTime = typeof uploaded === 'string' ? Date.parse(uploaded) : Number.NaN;
    files.push({
      filename,
      sha256: typeof sha256 === 'string' ? sha256 : undefined,
      uploadTime: Number.isNaN(uploadTime) ? undefined : uploadTime,
    });
  }
  return { fetchedAt, files };
}

/** Written beside the target and renamed, so a concurrent reader never sees half a file. */
export async function writeCachedProject(
  path: string,
  entry: CachedProject & { index: string; project: string },
): Promise<void> {
  const document: CacheDocument = {
    format: FORMAT,
    index: entry.index,
    project: entry.project,
    fetchedAt: new Date(entry.fetchedAt).toISOString(),
    files: entry.files.map((file) => [
      file.filename,
      file.sha256 ?? null,
      file.uploadTime === undefined ? null : new Date(file.uploadTime).toISOString(),
    ]),
  };
  await mkdir(join(path, '..'), { recursive: true });
  const partial = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.part`;
  await writeFile(partial, `${JSON.stringify(document)}\n`);
  await rename(partial, path);
}
