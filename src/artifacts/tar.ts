/**
 * A push parser for tar streams (ustar, pax, GNU long names). Own code rather than tar-stream:
 * the bzip2 decoder hands over bytes synchronously from inside its loop, so the parser must take
 * chunks synchronously and be able to stop the decode by throwing when a limit is crossed, and
 * every size it trusts (pax records, long names, entry sizes) has to be bounded here anyway.
 */
import { createHash, type Hash } from 'node:crypto';
import { type ArchiveBudget, archiveBomb, archiveInvalid } from './limits.ts';

/**
 * `special` is a device node or FIFO. `unknown` is a typeflag this parser does not know: POSIX
 * readers (Python's tarfile, Rust's tar) extract those as regular files, so their content is read
 * as a file's, and the caller is told the archive holds something it could not fully judge.
 */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special' | 'unknown';

export interface TarEntry {
  /** The name as written (after pax / GNU long-name overrides). */
  rawPath: string;
  type: TarEntryType;
  size: number;
  mode: number;
  linkTarget?: string;
  /** The raw typeflag of an `unknown` entry, printable (`\xNN` for other bytes). */
  typeflag?: string;
}

export interface TarContent {
  sha256: string;
  size: number;
  /** The first `maxReadBytes` bytes; `truncated` when the entry is longer. */
  head: Buffer;
  truncated: boolean;
}

/**
 * Sees an entry's bytes as they are decoded, without anything keeping them: `data` gets views of
 * the decoder's buffer (copy what must outlive the call) and returns false when it wants no more.
 */
export interface ContentScanner {
  data(bytes: Buffer): boolean;
  end(): void;
}

export interface TarSink {
  /** Called for every entry; return true to have its content hashed and previewed. */
  entry(entry: TarEntry): boolean;
  content(entry: TarEntry, content: TarContent): void;
  /** Called right after `entry`: a scanner to stream the entry's content through, if wanted. */
  scanner?(entry: TarEntry): ContentScanner | undefined;
}

const BLOCK = 512;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'special',
  '4': 'special',
  '5': 'directory',
  '6': 'special',
};

interface Capture {
  entry: TarEntry;
  hash: Hash;
  head: Buffer[];
  headBytes: number;
}

export class TarParser {
  private readonly budget: ArchiveBudget;
  private readonly sink: TarSink;
  private readonly stream: string;
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private padding = 0;
  private ended = false;
  private capture: Capture | undefined;
  private scanning: ContentScanner | undefined;
  /** Bytes of a metadata record (pax / GNU long name) being collected, and its type. */
  private meta: { type: string; chunks: Buffer[] } | undefined;
  /** Keys are the archive's own text, so a Map: a `constructor` record is only data. */
  private pax = new Map<string, string>();
  private longName: string | undefined;
  private longLink: string | undefined;

  constructor(budget: ArchiveBudget, sink: TarSink, stream: string) {
    this.budget = budget;
    this.sink = sink;
    this.stream = stream;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.data(chunk.subarray(offset, offset + take));
        offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.finishEntry();
      } else if (this.padding > 0) {
        const skip = Math.min(this.padding, chunk.length - offset);
        offset += skip;
        this.padding -= skip;
      } else {
        const take = Math.min(BLOCK - this.headerFill, chunk.length - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.readHeader();
        }
      }
    }
  }

  /** The stream ended: a cut-off entry or header means a damaged archive. */
  end(): void {
    if (this.ended) return;
    if (this.remaining > 0 || this.headerFill > 0 || this.meta) {
      throw archiveInvalid(this.budget.archive, `${this.stream}: tar stream ends in the middle of an entry`);
    }
  }

  private readHeader(): void {
    const header = this.header;
    // Like Python's tarfile and Rust's tar crate, the first zero block ends the archive.
    if (header.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    if (!checksumMatches(header)) {
      throw archiveInvalid(this.budget.archive, `${this.stream}: not a tar stream (header checksum mismatch)`);
    }
    this.budget.countEntry();
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const size = this.pax.has('size') ? Number(this.pax.get('size')) : numberField(header, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw archiveInvalid(this.budget.archive, `${this.stream}: tar entry with an invalid size`);
    }
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      const longName = typeflag === 'L' || typeflag === 'K';
      // A long name's record is the name (and its NUL): refused before a byte of it is kept.
      if (longName && size > this.budget.limits.maxNameBytes + 1) {
        throw archiveBomb(
          this.budget.archive,
          `${this.stream}: tar long ${typeflag === 'L' ? 'name' : 'link'} of ${size} bytes exceeds ${this.budget.limits.maxNameBytes} (limit maxNameBytes)`,
        );
      }
      if (size > this.budget.limits.maxMetaBytes) {
        throw archiveBomb(
          this.budget.archive,
          `${this.stream}: tar metadata record of ${size} bytes exceeds ${this.budget.limits.maxMetaBytes} (limit maxMetaBytes)`,
        );
      }
      this.meta = { type: typeflag, chunks: [] };
      if (size === 0) this.finishEntry();
      return;
    }
    const type = Object.hasOwn(TYPES, typeflag) ? (TYPES[typeflag] as TarEntryType) : 'unknown';
    const entry: TarEntry = {
      rawPath: this.pax.get('path') ?? this.longName ?? ustarName(header),
      type,
      size,
      mode: numberField(header, 100, 8),
    };
    if (type === 'unknown') entry.typeflag = printableTypeflag(header[156] ?? 0);
    const linkTarget = this.pax.get('linkpath') ?? this.longLink ?? text(header, 157, 100);
    if ((entry.type === 'symlink' || entry.type === 'hardlink') && linkTarget) entry.linkTarget = linkTarget;
    this.pax = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    if (this.sink.entry(entry)) {
      this.capture = { entry, hash: createHash('sha256'), head: [], headBytes: 0 };
    }
    this.scanning = this.sink.scanner?.(entry);
    if (size === 0) this.finishEntry();
  }

  private data(bytes: Buffer): void {
    if (this.meta) {
      this.meta.chunks.push(Buffer.from(bytes));
      return;
    }
    if (this.scanning && !this.scanning.data(bytes)) {
      this.scanning.end();
      this.scanning = undefined;
    }
    const capture = this.capture;
    if (!capture) return;
    capture.hash.update(bytes);
    const room = this.budget.limits.maxReadBytes - capture.headBytes;
    if (room > 0) {
      const kept = bytes.subarray(0, room);
      capture.head.push(Buffer.from(kept));
      capture.headBytes += kept.length;
    }
  }

  private finishEntry(): void {
    const meta = this.meta;
    if (meta) {
      this.meta = undefined;
      const value = Buffer.concat(meta.chunks);
      if (meta.type === 'x') {
        this.pax = parsePax(value);
        for (const key of ['path', 'linkpath'] as const) {
          const name = this.pax.get(key);
          if (name !== undefined) this.budget.checkName(name, `${this.stream}: pax ${key}`);
        }
      } else if (meta.type === 'L') this.longName = value.toString('utf8').replace(/\0.*$/s, '');
      else if (meta.type === 'K') this.longLink = value.toString('utf8').replace(/\0.*$/s, '');
      return;
    }
    this.scanning?.end();
    this.scanning = undefined;
    const capture = this.capture;
    if (!capture) return;
    this.capture = undefined;
    this.sink.content(capture.entry, {
      sha256: capture.hash.digest('hex'),
      size: capture.entry.size,
      head: Buffer.concat(capture.head),
      truncated: capture.entry.size > capture.headBytes,
    });
  }
}

function printableTypeflag(byte: number): string {
  return byte > 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
}

function checksumMatches(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return numberField(header, 148, 8) === sum;
}

/** Octal text, or GNU base-256 when the top bit of the first byte is set (sizes ≥ 8 GiB). */
function numberField(header: Buffer, at: number, length: number): number {
  const first = header[at] ?? 0;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (header[at + i] ?? 0);
    return value;
  }
  const digits = text(header, at, length).trim();
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

function text(header: Buffer, at: number, length: number): string {
  const field = header.subarray(at, at + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

function ustarName(header: Buffer): string {
  const name = text(header, 0, 100);
  if (text(header, 257, 5) !== 'ustar') return name;
  const prefix = text(header, 345, 155);
  return prefix ? `${prefix}/${name}` : name;
}

/** pax records: `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(bytes: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const length = space === -1 ? Number.NaN : Number(bytes.toString('ascii', at, space));
    if (!Number.isSafeInteger(length) || length <= 0 || at + length > bytes.length) break;
    const record = bytes.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}
