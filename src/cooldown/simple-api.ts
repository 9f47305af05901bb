/**
 * One project page of a PyPI index in the PEP 691 JSON form, reduced to what a cooldown needs:
 * each file's name, sha256 and PEP 700 `upload-time`. Fetched with the project's HTTP helper;
 * credentials in the index URL travel as HTTP Basic auth and never appear in a URL we print.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { type Download, type DownloadRequest, download } from '../net/download.ts';
import { maskCredentials } from '../text/credentials.ts';

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

export interface IndexFile {
  filename: string;
  sha256?: string;
  /** ms since the epoch; absent when the index does not implement PEP 700. */
  uploadTime?: number;
  /** PEP 592: the index withdrew the file (`yanked` true or a reason); installers skip it. */
  yanked?: boolean;
}

export interface FetchOptions {
  /** A directory for the response while it is parsed. */
  scratchDir: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxBytes: number;
  /** The HTTP client (default: `download`). */
  http?: Download;
  signal?: AbortSignal;
}

/** `<index>/<normalized-name>/`, without the credentials. */
export function projectPageUrl(index: string, project: string): string {
  const { url } = splitCredentials(index);
  return `${url.replace(/\/+$/, '')}/${encodeURIComponent(project)}/`;
}

/** An index URL safe to print: no password, no token, no user name (which some indexes use as the token). */
export function displayIndex(index: string): string {
  const { url, authorization } = splitCredentials(index);
  const shown = maskCredentials(url);
  return authorization ? shown.replace(/^([a-z][a-z0-9+.-]*:\/\/)/i, '$1***@') : shown;
}

export async function fetchProjectFiles(index: string, project: string, options: FetchOptions): Promise<IndexFile[]> {
  const { authorization } = splitCredentials(index);
  await mkdir(options.scratchDir, { recursive: true });
  const destination = join(options.scratchDir, `response-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  // Accept selects PEP 691 JSON (an index answers HTML otherwise).
  const request: DownloadRequest = {
    url: projectPageUrl(index, project),
    destination,
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoffMs: options.backoffMs,
    headers: { accept: SIMPLE_JSON, ...(authorization ? { authorization } : {}) },
    signal: options.signal,
  };
  try {
    await (options.http ?? download)(request);
    return parseProjectPage(await readFile(destination, 'utf8'), request.url);
  } finally {
    await rm(destination, { force: true });
  }
}

/** One file of a project page with every PEP 691 field a client reads (JSON or HTML alike). */
export interface SimpleFile {
  filename: string;
  /** As the page wrote it: absolute, or relative to the page (or its HTML `<base>`). */
  url?: string;
  /** Hash name (lowercase) → hex digest (lowercase); only hex values are kept. */
  hashes: Record<string, string>;
  requiresPython?: string;
  /** PEP 658/714: `true`, or the hashes of the `<url>.metadata` file (from `core-metadata` or its alias `dist-info-metadata`). */
  coreMetadata?: true | Record<string, string>;
  gpgSig?: boolean;
  /** PEP 592: true or the reason; absent when not yanked. */
  yanked?: true | string;
  size?: number;
  /** PEP 700, exactly as the page wrote it (RFC 3339 UTC). */
  uploadTime?: string;
  /** PEP 740: the provenance URL. */
  provenance?: string;
}

/** A project page, whichever form it came in. */
export interface SimpleProject {
  name?: string;
  apiVersion?: string;
  /** PEP 700 `versions` (absent on API 1.0 and HTML pages). */
  versions?: string[];
  /** PEP 792. */
  projectStatus?: { status: string; reason?: string };
  files: SimpleFile[];
}

/** The `files` of a PEP 691 project page; anything else (an HTML page, a broken document) is an error. */
export function parseProjectPage(text: string, url: string): IndexFile[] {
  return parseSimpleJson(text, url).files.map((file) => {
    const uploaded = file.uploadTime === undefined ? Number.NaN : Date.parse(file.uploadTime);
    return {
      filename: file.filename,
      sha256: file.hashes.sha256,
      uploadTime: Number.isNaN(uploaded) ? undefined : uploaded,
      ...(file.yanked ? { yanked: true } : {}),
    };
  });
}

/**
 * A PEP 691 JSON project page with every field a client reads. Entries without a `filename` are
 * skipped; fields of the wrong type are left out, never guessed.
 */
export function parseSimpleJson(text: string, url: string): SimpleProject {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw notJson(url, 'the response is not JSON');
  }
  const files = isRecord(document) ? document.files : undefined;
  if (!isRecord(document) || !Array.isArray(files)) throw notJson(url, 'the response has no `files` list');
  const meta = isRecord(document.meta) ? document.meta : {};
  const status = isRecord(document['project-status']) ? document['project-status'] : undefined;
  const project: SimpleProject = { files: [] };
  if (typeof document.name === 'string') project.name = document.name;
  if (typeof meta['api-version'] === 'string') project.apiVersion = meta['api-version'];
  if (Array.isArray(document.versions))
    project.versions = document.versions.filter((v): v is string => typeof v === 'string');
  if (status && typeof status.status === 'string')
    project.projectStatus = {
      status: status.status,
      ...(typeof status.reason === 'string' ? { reason: status.reason } : {}),
    };
  for (const entry of files) {
    if (!isRecord(entry) || typeof entry.filename !== 'string') continue;
    const file: SimpleFile = { filename: entry.filename, hashes: hexHashes(entry.hashes) };
    if (typeof entry.url === 'string') file.url = entry.url;
    if (typeof entry['requires-python'] === 'string') file.requiresPython = entry['requires-python'];
    const metadata = entry['core-metadata'] ?? entry['dist-info-metadata'];
    if (metadata === true) file.coreMetadata = true;
    else if (isRecord(metadata)) file.coreMetadata = hexHashes(metadata);
    if (entry['gpg-sig'] === true) file.gpgSig = true;
    if (entry.yanked === true) file.yanked = true;
    // PEP 691: a reason is a non-empty string; an empty one is not a yank
    else if (typeof entry.yanked === 'string' && entry.yanked !== '') file.yanked = entry.yanked;
    if (typeof entry.size === 'number' && Number.isSafeInteger(entry.size) && entry.size >= 0) file.size = entry.size;
    if (typeof entry['upload-time'] === 'string') file.uploadTime = entry['upload-time'];
    if (typeof entry.provenance === 'string') file.provenance = entry.provenance;
    project.files.push(file);
  }
  return project;
}

/** `{sha256: "AB…"}` → `{sha256: "ab…"}`; names lowercased, anything not hex dropped. */
export function hexHashes(value: unknown): Record<string, string> {
  const hashes: Record<string, string> = {};
  if (!isRecord(value)) return hashes;
  for (const [name, digest] of Object.entries(value)) {
    if (typeof digest === 'string' && /^[0-9a-f]{16,256}$/i.test(digest) && /^[a-z0-9_-]{1,32}$/i.test(name))
      hashes[name.toLowerCase()] = digest.toLowerCase();
  }
  return hashes;
}

function notJson(url: string, reason: string): CvebuildError {
  return new CvebuildError('NETWORK', `${url} is not a PEP 691 JSON project page: ${reason}`);
}

/** Splits `https://user:secret@host/simple` into the bare URL and a Basic `Authorization` value. */
export function splitCredentials(index: string): { url: string; authorization?: string } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(index);
  if (!match) return { url: index };
  const [, scheme = '', userinfo = '', rest = ''] = match;
  const colon = userinfo.indexOf(':');
  const user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
  const password = colon === -1 ? '' : decode(userinfo.slice(colon + 1));
  return {
    url: `${scheme}${rest}`,
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
