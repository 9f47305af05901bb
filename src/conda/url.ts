/**
 * What a conda artifact's location tells: `<channel>/<subdir>/<name>-<version>-<build>.(conda|tar.bz2)`.
 * Mirrors rattler_lock's derived fields, so records that omit name/version/build/subdir/channel
 * (pixi.lock v6+, @EXPLICIT lists) are completed the same way pixi completes them.
 */

export const CONDA_ARCHIVE_EXTENSIONS = ['.conda', '.tar.bz2'] as const;

export interface CondaArchiveName {
  name: string;
  version: string;
  build: string;
  extension: '.conda' | '.tar.bz2';
}

/** Split `name-version-build.ext`; name may contain dashes, version and build may not. */
export function parseCondaArchiveName(fileName: string): CondaArchiveName | undefined {
  // Tested one by one rather than with `.find`: this runs for every record of every lock.
  const extension = fileName.endsWith('.conda') ? '.conda' : fileName.endsWith('.tar.bz2') ? '.tar.bz2' : undefined;
  if (!extension) return undefined;
  const stem = fileName.slice(0, -extension.length);
  const buildDash = stem.lastIndexOf('-');
  if (buildDash <= 0) return undefined;
  const versionDash = stem.lastIndexOf('-', buildDash - 1);
  if (versionDash <= 0) return undefined;
  const name = stem.slice(0, versionDash);
  const version = stem.slice(versionDash + 1, buildDash);
  const build = stem.slice(buildDash + 1);
  if (!name || !version || !build) return undefined;
  return { name, version, build, extension };
}

/** The last path segment of a URL or path, without query or fragment. */
export function fileNameOf(location: string): string {
  let end = location.length;
  const hash = location.indexOf('#');
  if (hash !== -1) end = hash;
  const query = location.indexOf('?');
  if (query !== -1 && query < end) end = query;
  while (end > 0 && location.charCodeAt(end - 1) === 47 /* / */) end--;
  const name = location.slice(location.lastIndexOf('/', end - 1) + 1, end);
  return name.includes('%') ? decodeURIComponentSafe(name) : name;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `https://host/conda-forge/linux-64/x.conda` → `{ channel: 'https://host/conda-forge', subdir: 'linux-64' }`. */
export function channelAndSubdirOf(location: string): { channel?: string; subdir?: string } {
  let end = location.length;
  const hash = location.indexOf('#');
  if (hash !== -1) end = hash;
  const query = location.indexOf('?');
  if (query !== -1 && query < end) end = query;
  const fileSlash = location.lastIndexOf('/', end - 1);
  if (fileSlash <= 0) return {};
  const subdirSlash = location.lastIndexOf('/', fileSlash - 1);
  if (subdirSlash <= 0) return {};
  const subdir = location.slice(subdirSlash + 1, fileSlash);
  const channel = location.slice(0, subdirSlash);
  return { channel: channel || undefined, subdir: subdir || undefined };
}

/** Channel URLs compare without a trailing slash; bare names (`conda-forge`) stay names. */
export function normalizeChannel(channel: string): string {
  return channel.endsWith('/') ? channel.replace(/\/+$/, '') : channel;
}

/** Build number = the trailing digits of the build string (`py313hb6a6212_1` → 1, `2_gnu` → none); rattler's rule. */
export function buildNumberFromBuild(build: string): number | undefined {
  let start = build.length;
  while (start > 0 && isAsciiDigit(build.charCodeAt(start - 1))) start--;
  if (start === build.length) return undefined;
  const value = Number(build.slice(start));
  return Number.isSafeInteger(value) ? value : undefined;
}

function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A constant, not a literal in `isUrl`: a literal makes a new RegExp object per call (one per record). */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function isUrl(location: string): boolean {
  return URL_SCHEME.test(location);
}
