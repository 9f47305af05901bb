/**
 * What reading a package archive yields (its entries, the content of chosen entries, names that
 * would escape the install prefix), and the tar sink that collects it for both archive formats.
 */
import { type ArchiveLimits, archiveInvalid, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';
import { normalizeArchivePath } from './paths.ts';
import type { TarContent, TarEntry, TarEntryType, TarSink } from './tar.ts';

export type ArchiveFormat = 'conda' | 'tar.bz2';

/** Which part of a package an entry came from: a `.conda`'s info / pkg tar, or the single `.tar.bz2` tar. */
export type ArchiveMember = 'info' | 'pkg' | 'tar';

export interface ArchiveEntry {
  /** Normalized relative path (`./bin/x` → `bin/x`); for an unsafe name, the name as written. */
  path: string;
  type: TarEntryType;
  size: number;
  mode: number;
  linkTarget?: string;
  /** The raw typeflag of an entry of `unknown` type. */
  typeflag?: string;
  member: ArchiveMember;
}

export interface UnsafePath {
  path: string;
  reason: string;
  /** The tar member, or `zip` for a `.conda`'s own member names. */
  member: ArchiveMember | 'zip';
}

export interface ArchiveScan {
  archive: string;
  format: ArchiveFormat;
  entries: ArchiveEntry[];
  /** Content of the entries `select` chose, by normalized path (a later duplicate wins, as on extraction). */
  contents: Map<string, TarContent>;
  unsafePaths: UnsafePath[];
}

export interface ArchiveReadOptions {
  limits?: Partial<ArchiveLimits>;
  /** Entries whose content to hash and preview (never called for unsafe names). */
  select?: (entry: ArchiveEntry) => boolean;
  /** `error` (default) refuses an archive with an unsafe name; `report` lists it in `unsafePaths`. */
  unsafePaths?: 'error' | 'report';
}

export function resolveLimits(options: ArchiveReadOptions): ArchiveLimits {
  return { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits };
}

export function emptyScan(archive: string, format: ArchiveFormat): ArchiveScan {
  return { archive, format, entries: [], contents: new Map(), unsafePaths: [] };
}

/** Records an unsafe name, or throws when the caller asked for refusal. */
export function noteUnsafe(scan: ArchiveScan, options: ArchiveReadOptions, unsafe: UnsafePath): void {
  if (options.unsafePaths !== 'report') {
    throw archiveInvalid(scan.archive, `${unsafe.member} entry "${unsafe.path}" is unsafe: ${unsafe.reason}`);
  }
  scan.unsafePaths.push(unsafe);
}

export function collectInto(scan: ArchiveScan, options: ArchiveReadOptions, member: ArchiveMember): TarSink {
  return {
    entry(tarEntry: TarEntry): boolean {
      const { path, unsafe } = normalizeArchivePath(tarEntry.rawPath);
      const entry: ArchiveEntry = { path, type: tarEntry.type, size: tarEntry.size, mode: tarEntry.mode, member };
      if (tarEntry.linkTarget !== undefined) entry.linkTarget = tarEntry.linkTarget;
      if (tarEntry.typeflag !== undefined) entry.typeflag = tarEntry.typeflag;
      scan.entries.push(entry);
      if (unsafe) {
        noteUnsafe(scan, options, { path, reason: unsafe, member });
        return false;
      }
      return options.select?.(entry) ?? false;
    },
    content(tarEntry: TarEntry, content: TarContent): void {
      scan.contents.set(normalizeArchivePath(tarEntry.rawPath).path, content);
    },
  };
}
