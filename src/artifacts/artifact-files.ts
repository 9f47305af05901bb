/**
 * One streaming pass over a package archive's payload for what its files are rather than what
 * it says about itself: files with setuid/setgid bits, build-machine paths installers will not
 * rewrite, and native libraries built into its binaries. Nothing is extracted; every file's bytes
 * go past the searches once, the first `maxScanBytes` of each.
 */
import { createHash } from 'node:crypto';
import { readPackageArchive } from './archive.ts';
import { BuildPathCollector, PlaceholderRegistry, unregisteredPaths } from './build-paths.ts';
import { type Anchor, AnchorScanner } from './content-scan.ts';
import type { ArchiveEntry } from './entries.ts';
import { type ArchiveLimits, archiveBomb, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';
import type { ContentScanner } from './tar.ts';
import { isBinary, VendoredCollector, type VendoredHit } from './vendored-signatures.ts';

export interface PrivilegedFile {
  path: string;
  /** Permission bits, octal as `ls` would show them (`4755`). */
  mode: string;
  bits: ('setuid' | 'setgid')[];
}

export interface BuildPathFile {
  path: string;
  /** The placeholder the file is registered with, if any: installers rewrite that one only. */
  placeholder?: string;
  /** Build paths in the file that no installer rewrites (a few examples). */
  paths: string[];
}

export interface VendoredFile extends VendoredHit {
  path: string;
}

/** A payload file and its digest: what an SBOM of the artifact lists. */
export interface PayloadFile {
  path: string;
  sha256: string;
  size: number;
}

export interface ArtifactFiles {
  archive: string;
  /** Every payload file with its sha256, when asked for (`fileDigests`); else empty. */
  files: PayloadFile[];
  /** `info/index.json` name, when readable. */
  name?: string;
  privileged: PrivilegedFile[];
  buildPaths: BuildPathFile[];
  /** How many files hold unregistered build paths (`buildPaths` keeps the first few). */
  buildPathFiles: number;
  /** Files whose build paths are all under their registered placeholder: relocated at install. */
  registeredFiles: number;
  vendored: VendoredFile[];
  /** Files longer than `maxScanBytes`, searched only that far. */
  partlyScanned: { path: string; size: number }[];
  scannedBytes: number;
}

/** Bytes of one file searched: past the string tables of all but the largest shared libraries. */
export const MAX_SCAN_BYTES = 256 * 1024 ** 2;
/** Files kept as examples of one problem in a report. */
const KEPT = 50;

const METADATA = new Set(['info/paths.json', 'info/has_prefix', 'info/index.json']);

/** A payload file, as opposed to the package's metadata (`info/`, in either format). */
const isPayload = (entry: ArchiveEntry) => !entry.path.startsWith('info/');

export interface ScanOptions {
  /** Hash every payload file whole (for an SBOM); the searches still stop at `maxScanBytes`. */
  fileDigests?: boolean;
}

export async function scanArtifactFiles(
  archive: string,
  limits: Partial<ArchiveLimits> = {},
  maxScanBytes = MAX_SCAN_BYTES,
  options: ScanOptions = {},
): Promise<ArtifactFiles> {
  const result: ArtifactFiles = {
    archive,
    files: [],
    privileged: [],
    buildPaths: [],
    buildPathFiles: 0,
    registeredFiles: 0,
    vendored: [],
    partlyScanned: [],
    scannedBytes: 0,
  };
  const metadata = new Map<string, string>();
  const metadataBudget = new MetadataBudget(archive, limits.maxListedBytes ?? DEFAULT_ARCHIVE_LIMITS.maxListedBytes);
  /** Build paths by file, judged once paths.json is read (it may come after the payload in a .tar.bz2). */
  const found = new Map<string, Set<string>>();
  await readPackageArchive(archive, {
    limits,
    unsafePaths: 'report', // the link-scripts check reports unsafe names; these files are judged all the same
    onEntry(entry) {
      if (!isPayload(entry) || entry.type === 'directory' || entry.type === 'symlink') return;
      const bits = [
        ...(entry.mode & 0o4000 ? (['setuid'] as const) : []),
        ...(entry.mode & 0o2000 ? (['setgid'] as const) : []),
      ];
      if (bits.length > 0 && result.privileged.length < KEPT) {
        result.privileged.push({ path: entry.path, mode: (entry.mode & 0o7777).toString(8), bits });
      }
    },
    scan(entry) {
      if (entry.type !== 'file' && entry.type !== 'unknown') return undefined;
      if (METADATA.has(entry.path)) return metadataReader(entry.path, metadata, metadataBudget);
      if (!isPayload(entry)) return undefined;
      const paths = new BuildPathCollector();
      const vendored = new VendoredCollector();
      const pathAnchors = paths.anchors();
      const scanner = new AnchorScanner(
        maxScanBytes,
        (head): Anchor[] => (isBinary(head) ? [...pathAnchors, ...vendored.anchors()] : pathAnchors),
        ({ bytes, truncated }) => {
          result.scannedBytes += bytes;
          if (truncated && result.partlyScanned.length < KEPT) {
            result.partlyScanned.push({ path: entry.path, size: entry.size });
          }
          if (paths.paths.size > 0) found.set(entry.path, paths.paths);
          for (const hit of vendored.hits()) result.vendored.push({ path: entry.path, ...hit });
        },
      );
      return options.fileDigests ? new DigestingScanner(scanner, entry.path, result.files) : scanner;
    },
  });
  const registry = new PlaceholderRegistry();
  const pathsJson = metadata.get('info/paths.json');
  if (pathsJson !== undefined) registry.addPathsJson(pathsJson);
  const hasPrefix = metadata.get('info/has_prefix');
  if (hasPrefix !== undefined) registry.addHasPrefix(hasPrefix);
  for (const [path, paths] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const placeholder = registry.placeholderOf(path);
    const leaked = unregisteredPaths(paths, placeholder);
    if (leaked.length === 0) {
      result.registeredFiles++;
      continue;
    }
    result.buildPathFiles++;
    if (result.buildPaths.length < KEPT) {
      result.buildPaths.push({ path, ...(placeholder ? { placeholder } : {}), paths: leaked.sort() });
    }
  }
  result.name = nameOf(metadata.get('info/index.json'));
  return result;
}

/** Reads a metadata file whole: paths.json of a large package runs to megabytes, past `maxReadBytes`. */
function metadataReader(path: string, into: Map<string, string>, budget: MetadataBudget): ContentScanner {
  const chunks: Buffer[] = [];
  return {
    data(bytes: Buffer) {
      budget.count(bytes.length);
      chunks.push(Buffer.from(bytes));
      return true;
    },
    end() {
      into.set(path, Buffer.concat(chunks).toString('utf8'));
    },
  };
}

/** Hashes all of a file while the searches take what they want of it. */
class DigestingScanner implements ContentScanner {
  private readonly hash = createHash('sha256');
  private size = 0;
  private searching = true;
  private readonly inner: ContentScanner;
  private readonly path: string;
  private readonly into: PayloadFile[];

  constructor(inner: ContentScanner, path: string, into: PayloadFile[]) {
    this.inner = inner;
    this.path = path;
    this.into = into;
  }

  data(bytes: Buffer): boolean {
    this.hash.update(bytes);
    this.size += bytes.length;
    if (this.searching) this.searching = this.inner.data(bytes);
    return true;
  }

  end(): void {
    this.inner.end();
    this.into.push({ path: this.path, sha256: this.hash.digest('hex'), size: this.size });
  }
}

/** The metadata kept in memory counts against maxListedBytes, the budget of what a read must keep. */
class MetadataBudget {
  private bytes = 0;
  private readonly archive: string;
  private readonly limit: number;

  constructor(archive: string, limit: number) {
    this.archive = archive;
    this.limit = limit;
  }

  count(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.limit) {
      throw archiveBomb(this.archive, `info/ metadata of more than ${this.limit} bytes (limit maxListedBytes)`);
    }
  }
}

function nameOf(indexJson: string | undefined): string | undefined {
  if (indexJson === undefined) return undefined;
  try {
    const name = (JSON.parse(indexJson) as { name?: unknown }).name;
    return typeof name === 'string' ? name.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
