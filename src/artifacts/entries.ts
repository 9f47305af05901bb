/**
 * What reading a package archive yields (its entries, the content of chosen entries, names that
 * would escape the install prefix), and the tar sink that collects it for both archive formats.
 */
import { type ArchiveLimits, archiveBomb, archiveInvalid, DEFAULT_ARCHIVE_LIMITS, shownName } from './limits.ts';
import { normalizeArchivePath } from './paths.ts';
import type { ContentScanner, TarContent, TarEntry, TarEntryType, TarSink } from './tar.ts';

export type { ContentScanner };

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

/**
 * What a read keeps: bounded by the limits, never by the archive's size. Entries are not listed
 * (an archive may hold hundreds of thousands); `onEntry` sees each one as it is read.
 */
export interface ArchiveScan {
  archive: string;
  format: ArchiveFormat;
  /** Content of the entries `select` chose, by normalized path (a later duplicate wins, as on extraction). */
  contents: Map<string, TarContent>;
  /** The first UNSAFE_KEPT unsafe names; `unsafeCount` counts them all. */
  unsafePaths: UnsafePath[];
  unsafeCount: number;
}

/** Unsafe names kept as examples: one is enough to condemn an archive. */
export const UNSAFE_KEPT = 20;

export interface ArchiveReadOptions {
  limits?: Partial<ArchiveLimits>;
  /** Every entry as it is read, unsafe ones included; nothing is kept for it. */
  onEntry?: (entry: ArchiveEntry) => void;
  /**
   * A scanner to stream an entry's whole content through, nothing kept (never called for unsafe
   * names): for looking at every file's bytes, which `select` (bounded by maxSelected) cannot.
   */
  scan?: (entry: ArchiveEntry) => ContentScanner | undefined;
  /** Entries whose content to hash and preview (never called for unsafe names). */
  select?: (entry: ArchiveEntry) => boolean;
  /** `error` (default) refuses an archive with an unsafe name; `report` lists it in `unsafePaths`. */
  unsafePaths?: 'error' | 'report';
  /** Read a `.conda`'s info member only, not its payload (a `.tar.bz2` is one stream, read whole). */
  infoOnly?: boolean;
}

export function resolveLimits(options: ArchiveReadOptions): ArchiveLimits {
  return { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits };
}

export function emptyScan(archive: string, format: ArchiveFormat): ArchiveScan {
  return { archive, format, contents: new Map(), unsafePaths: [], unsafeCount: 0 };
}

/** Records an unsafe name, or throws when the caller asked for refusal. */
export function noteUnsafe(scan: ArchiveScan, options: ArchiveReadOptions, unsafe: UnsafePath): void {
  if (options.unsafePaths !== 'report') {
    throw archiveInvalid(
      scan.archive,
      `${unsafe.member} entry "${shownName(unsafe.path)}" is unsafe: ${unsafe.reason}`,
    );
  }
  scan.unsafeCount++;
  if (scan.unsafePaths.length < UNSAFE_KEPT) scan.unsafePaths.push(unsafe);
}

export function collectInto(
  scan: ArchiveScan,
  options: ArchiveReadOptions,
  member: ArchiveMember,
  limits: ArchiveLimits,
): TarSink {
  // the entry `entry` last accepted: the parser asks for its scanner right after
  let safe: ArchiveEntry | undefined;
  return {
    entry(tarEntry: TarEntry): boolean {
      safe = undefined;
      const { path, unsafe } = normalizeArchivePath(tarEntry.rawPath);
      const entry: ArchiveEntry = { path, type: tarEntry.type, size: tarEntry.size, mode: tarEntry.mode, member };
      if (tarEntry.linkTarget !== undefined) entry.linkTarget = tarEntry.linkTarget;
      if (tarEntry.typeflag !== undefined) entry.typeflag = tarEntry.typeflag;
      options.onEntry?.(entry);
      if (unsafe) {
        noteUnsafe(scan, options, { path, reason: unsafe, member });
        return false;
      }
      safe = entry;
      return options.select?.(entry) ?? false;
    },
    scanner(): ContentScanner | undefined {
      return safe && options.scan?.(safe);
    },
    content(tarEntry: TarEntry, content: TarContent): void {
      const path = normalizeArchivePath(tarEntry.rawPath).path;
      if (!scan.contents.has(path) && scan.contents.size >= limits.maxSelected) {
        throw archiveBomb(scan.archive, `more than ${limits.maxSelected} entries selected (limit maxSelected)`);
      }
      scan.contents.set(path, content);
    },
  };
}
