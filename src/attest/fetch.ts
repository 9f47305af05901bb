/**
 * Getting a package's attestations: from local directories first (air-gapped use, and bundles
 * written by `cvebuild sign`), then from its channel. Channel layout follows the draft CEP
 * (conda/ceps#142): when repodata advertises `attestations_sha256`, only the content-addressed
 * sidecar `<artifact>.sigs.<sha256>` is fetched and its hash checked before parsing, and any
 * failure is a retrieval failure; otherwise the mutable `<artifact>.sigs`, then prefix.dev's
 * `<artifact>.v0.sigs`, where 404 on both means "no attestations".
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCvebuildError } from '../errors.ts';
import { readInputBytes } from '../fs/read-input.ts';
import { type Download, download } from '../net/download.ts';
import { maskCredentials } from '../text/credentials.ts';
import { createSha256 } from '../util/on-demand-crypto.ts';

/** Sidecars hold a few bundles of a few KB each; anything this large is refused before parsing. */
export const MAX_SIDECAR_BYTES = 4 * 1024 * 1024;

export type SidecarResult =
  | { status: 'found'; bundles: unknown[]; source: string }
  | { status: 'none'; tried: string[] }
  | { status: 'failed'; reason: string };

export interface SidecarOptions {
  /** Directories holding `<artifact>.sigs`, `<artifact>.v0.sigs` or `<artifact>.sigstore.json`. */
  bundleDirs: readonly string[];
  /** Where content-addressed sidecars are cached (they never change). */
  cacheDir: string;
  offline: boolean;
  timeoutMs?: number;
  /** The HTTP client (default: `download`). */
  http?: Download;
  signal?: AbortSignal;
}

const LOCAL_NAMES = (filename: string) => [`${filename}.sigs`, `${filename}.v0.sigs`, `${filename}.sigstore.json`];

/** The sidecar for an artifact, by its filename, download URL and the repodata pin when known. */
export async function findSidecar(
  artifact: { filename: string; url?: string; attestationsSha256?: string },
  options: SidecarOptions,
): Promise<SidecarResult | { status: 'offline' }> {
  for (const dir of options.bundleDirs) {
    for (const name of LOCAL_NAMES(artifact.filename)) {
      const path = join(dir, name);
      if (existsSync(path)) return parseSidecar(readInputBytes(path), path);
    }
  }
  if (!artifact.url) return { status: 'none', tried: [] };
  if (options.offline) return { status: 'offline' };
  if (artifact.attestationsSha256 !== undefined) return fetchPinned(artifact.url, artifact.attestationsSha256, options);
  const tried: string[] = [];
  for (const url of [`${artifact.url}.sigs`, `${artifact.url}.v0.sigs`]) {
    tried.push(maskCredentials(url));
    const fetched = await fetchAttestationBytes(url, options);
    if (fetched === 'not-found') continue;
    if (typeof fetched === 'string') return { status: 'failed', reason: fetched };
    return parseSidecar(fetched, maskCredentials(url));
  }
  return { status: 'none', tried };
}

async function fetchPinned(url: string, pin: string, options: SidecarOptions): Promise<SidecarResult> {
  if (!/^[0-9a-f]{64}$/.test(pin)) {
    return { status: 'failed', reason: `repodata advertises an invalid attestations_sha256 ${JSON.stringify(pin)}` };
  }
  const cached = join(options.cacheDir, 'attestations', `${pin}.sigs`);
  if (existsSync(cached)) {
    const bytes = readFileSync(cached);
    if (sha256(bytes) === pin) return parseSidecar(bytes, maskCredentials(`${url}.sigs.${pin}`));
    rmSync(cached, { force: true });
  }
  const sidecarUrl = `${url}.sigs.${pin}`;
  const fetched = await fetchAttestationBytes(sidecarUrl, options);
  const shown = maskCredentials(sidecarUrl);
  if (fetched === 'not-found')
    return { status: 'failed', reason: `repodata advertises ${shown}, but it is not there (404)` };
  if (typeof fetched === 'string') return { status: 'failed', reason: fetched };
  const actual = sha256(fetched);
  if (actual !== pin)
    return { status: 'failed', reason: `${shown} has sha256 ${actual}, not the ${pin} repodata advertises` };
  mkdirSync(join(options.cacheDir, 'attestations'), { recursive: true });
  writeFileSync(cached, fetched);
  return parseSidecar(fetched, shown);
}

/** How one attestation document is fetched: its size cap and what the server is asked for. */
export interface FetchLimits {
  maxBytes: number;
  accept: string;
}

const SIDECAR_LIMITS: FetchLimits = { maxBytes: MAX_SIDECAR_BYTES, accept: 'application/json' };

/** The body, 'not-found' on a 404, or a one-line reason the retrieval failed. */
export async function fetchAttestationBytes(
  url: string,
  options: Pick<SidecarOptions, 'cacheDir' | 'timeoutMs' | 'http' | 'signal'>,
  limits: FetchLimits = SIDECAR_LIMITS,
): Promise<Buffer | 'not-found' | string> {
  const directory = join(options.cacheDir, 'attestations', 'tmp');
  mkdirSync(directory, { recursive: true });
  const destination = join(directory, `${sha256(Buffer.from(url))}-${process.pid}`);
  try {
    await (options.http ?? download)({
      url,
      destination,
      maxBytes: limits.maxBytes,
      timeoutMs: options.timeoutMs ?? 20_000,
      retries: 2,
      backoffMs: 250,
      headers: { accept: limits.accept },
      signal: options.signal,
    });
    return readFileSync(destination);
  } catch (error) {
    if (isCvebuildError(error) && error.code === 'NOT_FOUND') return 'not-found';
    if (isCvebuildError(error)) return maskCredentials(error.message);
    throw error;
  } finally {
    rmSync(destination, { force: true });
  }
}

/** A sidecar is a JSON array of Sigstore bundles; a single bundle object (as `cvebuild sign` writes) is one. */
export function parseSidecar(bytes: Buffer, source: string): SidecarResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { status: 'failed', reason: `${source} is not JSON: ${(error as Error).message}` };
  }
  const bundles = Array.isArray(parsed) ? parsed : [parsed];
  if (bundles.length === 0) return { status: 'none', tried: [source] };
  if (!bundles.every((bundle) => typeof bundle === 'object' && bundle !== null && !Array.isArray(bundle))) {
    return { status: 'failed', reason: `${source} is not an array of Sigstore bundles` };
  }
  return { status: 'found', bundles, source };
}

function sha256(bytes: Buffer): string {
  return createSha256().update(bytes).digest('hex');
}
