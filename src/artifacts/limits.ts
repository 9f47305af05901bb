/**
 * Bounds for reading untrusted package archives: every reader counts through one ArchiveBudget,
 * which throws a one-line CvebuildError naming the archive and the limit it crossed.
 */
import { CvebuildError } from '../errors.ts';

export interface ArchiveLimits {
  /** Tar entries (all members together) and zip members, each counted against this. */
  maxEntries: number;
  /** Uncompressed bytes of all tar streams together. */
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed bytes above which a stream is treated as a decompression bomb. */
  maxRatio: number;
  /** The ratio is only judged past this many uncompressed bytes: small tars are mostly padding. */
  ratioFloorBytes: number;
  /** Bytes of one chosen entry kept in memory (a script preview); the rest is only hashed. */
  maxReadBytes: number;
  /** Size of one tar metadata record (pax header, GNU long name) or of metadata.json. */
  maxMetaBytes: number;
  /**
   * Bytes of one entry name or link target (tar, pax, GNU long name, zip member). A longer one
   * cannot be extracted anywhere (Linux PATH_MAX is 4096), so it only serves to exhaust memory.
   */
  maxNameBytes: number;
  /** Entries `select` may choose (each keeps up to maxReadBytes). */
  maxSelected: number;
  /** Bytes of names and link targets a caller that must list every entry (link resolution) may keep. */
  maxListedBytes: number;
}

/**
 * Real conda packages stay far inside these: the largest conda-forge payloads (CUDA, PyTorch) are
 * a few GB and ~100k files, and tar.zst / tar.bz2 packages rarely exceed 20:1 over a whole stream.
 * A bomb (all zeros) reaches thousands to one long before it reaches the total.
 */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 500_000,
  maxTotalBytes: 8 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 16 * 1024 ** 2,
  maxReadBytes: 64 * 1024,
  maxMetaBytes: 1024 * 1024,
  maxNameBytes: 4096,
  maxSelected: 1000,
  maxListedBytes: 24 * 1024 ** 2,
};

export function archiveBomb(archive: string, message: string): CvebuildError {
  return new CvebuildError('ARCHIVE_BOMB', `${message} (refusing to read further)`, { file: archive });
}

/** A name longer than this is cut in messages: they quote names an archive chose. */
const NAME_SHOWN = 200;

export function shownName(name: string): string {
  return name.length > NAME_SHOWN ? `${name.slice(0, NAME_SHOWN)}… (${name.length} characters)` : name;
}

export function archiveInvalid(archive: string, message: string): CvebuildError {
  return new CvebuildError('ARCHIVE_INVALID', message, { file: archive });
}

/** Running totals for one archive; each decompressed stream reports its bytes here. */
export class ArchiveBudget {
  readonly archive: string;
  readonly limits: ArchiveLimits;
  private entries = 0;
  private totalBytes = 0;

  constructor(archive: string, limits: ArchiveLimits) {
    this.archive = archive;
    this.limits = limits;
  }

  /** A name or link target, before anything keeps it. */
  checkName(name: string, what: string): void {
    const bytes = Buffer.byteLength(name);
    if (bytes > this.limits.maxNameBytes) {
      throw archiveBomb(
        this.archive,
        `${what} of ${bytes} bytes ("${shownName(name)}") exceeds ${this.limits.maxNameBytes} (limit maxNameBytes)`,
      );
    }
  }

  countEntry(): void {
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      throw archiveBomb(this.archive, `more than ${this.limits.maxEntries} entries (limit maxEntries)`);
    }
  }

  /** `streamBytes` so far of a stream whose compressed size is `compressedBytes`. */
  countBytes(added: number, streamBytes: number, compressedBytes: number, stream: string): void {
    this.totalBytes += added;
    if (this.totalBytes > this.limits.maxTotalBytes) {
      throw archiveBomb(this.archive, `expands beyond ${this.limits.maxTotalBytes} bytes (limit maxTotalBytes)`);
    }
    if (streamBytes <= this.limits.ratioFloorBytes) return;
    const ratio = streamBytes / Math.max(1, compressedBytes);
    if (ratio > this.limits.maxRatio) {
      throw archiveBomb(
        this.archive,
        `${stream} expands more than ${this.limits.maxRatio}:1 (${streamBytes} bytes from ${compressedBytes}; limit maxRatio)`,
      );
    }
  }
}
