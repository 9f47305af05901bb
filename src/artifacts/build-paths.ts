/**
 * The builder's own absolute paths left in a package's files. conda-build and rattler-build build
 * into a long placeholder prefix and register every file that holds it (`info/paths.json`
 * `prefix_placeholder`, older `info/has_prefix`), so installers rewrite it to the real prefix.
 * A build path in a file that is not registered, or one outside the registered placeholder (the
 * work directory, the build environment), is left as it is: the installed package points at a
 * directory that does not exist on the user's machine, or that someone else can create.
 */
import type { Anchor } from './content-scan.ts';

/**
 * Path parts only a build machine has: conda-forge's feedstock root, conda-build's croot and its
 * host/build environment names, rattler-build's placeholder prefix and build root, and the legacy
 * placeholder itself. `/tmp/…/work` (a build's source directory) is judged by `isTmpWork`.
 */
const MARKERS = [
  '/feedstock_root/build_artifacts/',
  '/conda-bld/',
  '_h_env',
  '_build_env',
  'host_env_placehold',
  '/bld/rattler-build_',
  'anaconda1anaconda2anaconda3',
];
const TMP = '/tmp/';
const isTmpWork = (path: string) => /^\/tmp\/.*\/work(\/|$)/.test(path);

/** A path longer than this is cut in reports. */
const SHOWN_PATH = 300;

/** Collects the distinct build paths one file holds (at most `keep`). */
export class BuildPathCollector {
  readonly paths = new Set<string>();
  private readonly keep: number;

  constructor(keep = 5) {
    this.keep = keep;
  }

  anchors(): Anchor[] {
    return [...MARKERS, TMP].map((marker) => ({
      needle: Buffer.from(marker, 'latin1'),
      hit: (window, at) => {
        if (this.paths.size >= this.keep) return;
        const path = pathAround(window, at);
        if (!path) return;
        if (marker === TMP ? isTmpWork(path) : true) this.paths.add(path.slice(0, SHOWN_PATH));
      },
    }));
  }
}

/** Bytes a path is made of in files: no space, quote, `=`, `:` or `;` (those separate paths and keys). */
function isPathByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2f || // /
    byte === 0x5c || // \
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x2d ||
    byte === 0x2b ||
    byte === 0x7e ||
    byte === 0x40
  );
}

const PATH_CONTEXT = 1024;

/** The absolute path the marker at `at` is part of, or undefined when it is in no absolute path. */
export function pathAround(window: Buffer, at: number): string | undefined {
  let start = at;
  while (start > 0 && at - start < PATH_CONTEXT && isPathByte(window[start - 1] ?? 0)) start--;
  // a Windows drive (`C:/ci/…`): the letter and colon before a separator
  const drive =
    start >= 2 &&
    window[start - 1] === 0x3a &&
    /[A-Za-z]/.test(String.fromCharCode(window[start - 2] ?? 0)) &&
    !isPathByte(window[start - 3] ?? 0);
  if (drive) start -= 2;
  let end = at;
  while (end < window.length && end - at < PATH_CONTEXT && isPathByte(window[end] ?? 0)) end++;
  const token = window.toString('latin1', start, end);
  if (drive) return token;
  // `-I/home/…`: the path starts at its first separator
  const slash = token.indexOf('/');
  return slash === -1 ? undefined : token.slice(slash);
}

/** `info/paths.json` and `info/has_prefix`: the placeholder each registered file holds. */
export class PlaceholderRegistry {
  private readonly byPath = new Map<string, string>();

  /** `{"paths": [{"_path", "prefix_placeholder"}]}`; unreadable JSON registers nothing (the hits then show). */
  addPathsJson(text: string): void {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      return;
    }
    const paths = (document as { paths?: unknown })?.paths;
    if (!Array.isArray(paths)) return;
    for (const entry of paths) {
      const { _path: path, prefix_placeholder: placeholder } = (entry ?? {}) as Record<string, unknown>;
      if (typeof path === 'string' && typeof placeholder === 'string' && placeholder !== '') {
        this.byPath.set(path, placeholder);
      }
    }
  }

  /** Lines `path`, or `placeholder mode path`, each part optionally double-quoted. */
  addHasPrefix(text: string): void {
    for (const line of text.split(/\r?\n/)) {
      const parts = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
      if (parts.length === 1 && parts[0]) this.byPath.set(parts[0], LEGACY_PLACEHOLDER);
      else if (parts.length >= 3 && parts[0]) this.byPath.set(parts.slice(2).join(' '), parts[0]);
    }
  }

  placeholderOf(path: string): string | undefined {
    return this.byPath.get(path);
  }

  get size(): number {
    return this.byPath.size;
  }
}

/** What conda assumes when has_prefix names only a path. */
export const LEGACY_PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';

/** The build paths installers will not rewrite: those not under the file's registered placeholder. */
export function unregisteredPaths(paths: Iterable<string>, placeholder: string | undefined): string[] {
  const slashes = (text: string) => text.replace(/\\/g, '/');
  const prefix = placeholder === undefined ? undefined : slashes(placeholder);
  return [...paths].filter((path) => !prefix || !slashes(path).startsWith(prefix));
}
