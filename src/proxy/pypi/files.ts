/**
 * Which files of an upstream project page the proxy can serve, and under which URL. A file is
 * served only when its URL lies under one of the configured upstream file bases (so the proxy
 * never fetches from a host the page names on its own: no open relay), its name is a wheel or
 * sdist of this very project, its URL ends in that name, and the page gives its sha256 (the bytes
 * are checked against it at download). Everything else is dropped with a reason for the log.
 *
 * The proxy URL of a file is `<mount>files/<project>/<path under its base>`: the project in the
 * path makes the download a single page lookup (an sdist name alone does not say where the project
 * name ends), and the rest keeps upstream's layout, stable across proxy restarts and config order.
 */
import type { SimpleFile, SimpleProject } from '../../cooldown/simple-api.ts';
import { normalizePypiName } from '../../model/package.ts';
import { artifactIdentity } from '../../readers/artifact-identity.ts';

export interface ServedFile {
  file: SimpleFile;
  /** Name as the file name writes it (`Django`), and its version. */
  name: string;
  version: string;
  sha256: string;
  /** Where the proxy fetches the bytes: absolute, without the fragment. */
  upstreamUrl: string;
  /** The path under the mount, decoded, as the server hands it to `handle` (`files/demo/packages/…/demo-1.0-py3-none-any.whl`). */
  path: string;
  /** The same path as a URL for pages: the mount plus the percent-encoded path. */
  href: string;
  /** PEP 700 upload time in ms since the epoch. */
  uploadTime?: number;
}

export interface DroppedFile {
  filename: string;
  reason: string;
}

export interface ServablePage {
  project: string;
  upstream: SimpleProject;
  files: ServedFile[];
  /** By `ServedFile.path`. */
  byPath: Map<string, ServedFile>;
  dropped: DroppedFile[];
  /** The version every upstream file's name states (dropped files included), for filtering `versions`. */
  pageVersions: Set<string>;
}

const MAX_FILENAME = 255;
const UNSAFE = /[\p{Cc}/\\]/u;

/** `project`: the normalized name; `bases`: absolute URLs ending in `/`; `mount`: the proxy path ending in `/`. */
export function servablePage(
  project: string,
  upstream: SimpleProject,
  pageUrl: string,
  bases: readonly URL[],
  mount: string,
): ServablePage {
  const page: ServablePage = {
    project,
    upstream,
    files: [],
    byPath: new Map(),
    dropped: [],
    pageVersions: new Set(),
  };
  const names = new Set<string>();
  for (const file of upstream.files) {
    const identity = identityOf(project, file.filename);
    if (identity) page.pageVersions.add(identity.version);
    const served = servedFile(project, file, identity, pageUrl, bases, mount);
    if (typeof served === 'string') {
      page.dropped.push({ filename: file.filename.slice(0, MAX_FILENAME), reason: served });
    } else if (names.has(served.file.filename) || page.byPath.has(served.path)) {
      page.dropped.push({ filename: file.filename, reason: 'listed twice' });
    } else {
      names.add(served.file.filename);
      page.byPath.set(served.path, served);
      page.files.push(served);
    }
  }
  return page;
}

function servedFile(
  project: string,
  file: SimpleFile,
  identity: { name: string; version: string } | undefined,
  pageUrl: string,
  bases: readonly URL[],
  mount: string,
): ServedFile | string {
  const { filename } = file;
  if (filename.length > MAX_FILENAME || UNSAFE.test(filename) || filename === '.' || filename === '..')
    return 'unsafe file name';
  if (!identity) return `not a wheel or sdist of ${project}`;
  const sha256 = file.hashes.sha256;
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) return 'no sha256 to check the download against';
  let url: URL;
  try {
    url = new URL(file.url ?? '', pageUrl);
  } catch {
    return 'unreadable URL';
  }
  url.hash = '';
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    return 'not a plain http(s) URL';
  const base = bases.find(
    (candidate) => url.origin === candidate.origin && url.pathname.startsWith(candidate.pathname),
  );
  if (!base) return `on ${url.origin}, not under a configured file base`;
  const segments = decodedSegments(url.pathname.slice(base.pathname.length));
  if (!segments) return 'unsafe URL path';
  if (segments.at(-1) !== filename) return 'the URL does not end in the file name';
  const path = `files/${project}/${segments.join('/')}`;
  const uploaded = file.uploadTime === undefined ? Number.NaN : Date.parse(file.uploadTime);
  return {
    file,
    name: identity.name,
    version: identity.version,
    sha256,
    upstreamUrl: url.href,
    path,
    href: `${mount}files/${project}/${segments.map(encodeURIComponent).join('/')}`,
    ...(Number.isNaN(uploaded) ? {} : { uploadTime: uploaded }),
  };
}

/** The wheel's or sdist's name and version, when the name is this project's. */
export function identityOf(project: string, filename: string): { name: string; version: string } | undefined {
  const identity = artifactIdentity({ ecosystem: 'pypi', name: project, location: filename, kind: 'registry' });
  if (!identity || normalizePypiName(identity.name) !== project) return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,127}$/.test(identity.version)) return undefined;
  return { name: identity.name, version: identity.version };
}

/** Percent-decoded path segments, or undefined when one is empty, a dot segment or hides a separator. */
function decodedSegments(rest: string): string[] | undefined {
  if (rest === '') return undefined;
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '' || segment === '.' || segment === '..' || UNSAFE.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** A configured base as a URL ending in `/`. */
export function fileBase(raw: string): URL {
  const url = new URL(raw);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}
