import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInputBytes } from '../fs/read-input.ts';
import type { Download } from '../net/download.ts';
import { maskCredentials } from '../text/credentials.ts';
import { fetchAttestationBytes } from './fetch.ts';

/** A provenance object holds a few attestations of ~10 KB each. */
export const MAX_PROVENANCE_BYTES = 4 * 1024 * 1024;

export type ProvenanceResult =
  | { status: 'found'; provenance: unknown; source: string }
  | { status: 'none'; tried: string[] }
  | { status: 'failed'; reason: string }
  | { status: 'offline' }
  | { status: 'unsupported'; reason: string };

export interface ProvenanceOptions {
  bundleDirs: readonly string[];
  cacheDir: string;
  offline: boolean;
  timeoutMs?: number;
  http?: Download;
  signal?: AbortSignal;
}

export interface PypiFile {
  /** The index the file came from (its simple API URL). */
  index: string;
  project: string;
  version: string;
  filename: string;
  sha256: string;
}

/** PyPI's integrity API URL for a file, or undefined when the index is not laid out as PyPI is. */
export function integrityUrl(file: Pick<PypiFile, 'index' | 'project' | 'version' | 'filename'>): string | undefined {
  let url: URL;
  try {
    url = new URL(file.index);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/simple')) return undefined;
  url.pathname = `${path.slice(0, -'/simple'.length)}/integrity/${[file.project, file.version, file.filename].map(encodeURIComponent).join('/')}/provenance`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export async function findProvenance(file: PypiFile, options: ProvenanceOptions): Promise<ProvenanceResult> {
  for (const dir of options.bundleDirs) {
    for (const name of [`${file.filename}.provenance`, `${file.filename}.provenance.json`]) {
      const path = join(dir, name);
      if (existsSync(path)) return parse(readInputBytes(path), path);
    }
  }
  const url = integrityUrl(file);
  if (!url) {
    return {
      status: 'unsupported',
      reason: `the index ${maskCredentials(file.index)} has no PyPI integrity API (expected an index URL ending in /simple)`,
    };
  }
  const cached = join(options.cacheDir, 'attestations', 'pypi', `${file.sha256.toLowerCase()}.provenance.json`);
  if (existsSync(cached)) {
    const fromCache = parse(readFileSync(cached), maskCredentials(url));
    if (fromCache.status === 'found') return fromCache;
    rmSync(cached, { force: true });
  }
  if (options.offline) return { status: 'offline' };
  const shown = maskCredentials(url);
  const fetched = await fetchAttestationBytes(url, options, {
    maxBytes: MAX_PROVENANCE_BYTES,
    accept: 'application/vnd.pypi.integrity.v1+json, application/json',
  });
  if (fetched === 'not-found') return { status: 'none', tried: [shown] };
  if (typeof fetched === 'string') return { status: 'failed', reason: fetched };
  const parsed = parse(fetched, shown);
  if (parsed.status === 'found') {
    mkdirSync(join(options.cacheDir, 'attestations', 'pypi'), { recursive: true });
    const partial = `${cached}.${process.pid}.part`;
    writeFileSync(partial, fetched);
    renameSync(partial, cached);
  }
  return parsed;
}

function parse(bytes: Buffer, source: string): ProvenanceResult {
  try {
    const provenance: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof provenance !== 'object' || provenance === null || Array.isArray(provenance)) {
      return { status: 'failed', reason: `${source} is not a JSON object` };
    }
    return { status: 'found', provenance, source };
  } catch (error) {
    return { status: 'failed', reason: `${source} is not JSON: ${(error as Error).message}` };
  }
}
