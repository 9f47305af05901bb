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

/** The `files` of a PEP 691 project page; anything else (an HTML page, a broken document) is an error. */
export function parseProjectPage(text: string, url: string): IndexFile[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw notJson(url, 'the response is not JSON');
  }
  const files = isRecord(document) ? document.files : undefined;
  if (!Array.isArray(files)) throw notJson(url, 'the response has no `files` list');
  const result: IndexFile[] = [];
  for (const entry of files) {
    if (!isRecord(entry) || typeof entry.filename !== 'string') continue;
    const hashes = isRecord(entry.hashes) ? entry.hashes : {};
    const sha256 = typeof hashes.sha256 === 'string' ? hashes.sha256.toLowerCase() : undefined;
    const uploaded = typeof entry['upload-time'] === 'string' ? Date.parse(entry['upload-time']) : Number.NaN;
    const yanked = entry.yanked === true || (typeof entry.yanked === 'string' && entry.yanked !== '');
    result.push({
      filename: entry.filename,
      sha256,
      uploadTime: Number.isNaN(uploaded) ? undefined : uploaded,
      ...(yanked ? { yanked } : {}),
    });
  }
  return result;
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
