/**
 * Looking for short byte strings ("anchors") in an archive entry's content as it streams past,
 * without keeping the entry: bytes are gathered into windows of about a MiB, each searched with
 * Buffer.indexOf (memchr speed), and every hit is handed over with up to CONTEXT bytes on either
 * side, so a version string or a path that straddles two decoder chunks is still seen whole.
 */
import type { ContentScanner } from './tar.ts';

/** Bytes of context kept on each side of a hit: longer than any path or version string read. */
export const CONTEXT = 4096;
const WINDOW = 1024 * 1024;
/** Bytes of the entry's start the anchors are chosen by. */
const HEAD = 16;

export interface Anchor {
  needle: Buffer;
  /** `at` is where the needle starts in `window`; `window` is only valid during the call. */
  hit(window: Buffer, at: number): void;
}

export interface ScanProgress {
  /** Bytes seen; at most the scanner's limit. */
  bytes: number;
  /** The entry was longer than the limit, so its tail was not searched. */
  truncated: boolean;
  /** The first bytes of the entry (its magic number). */
  head: Buffer;
}

/**
 * A ContentScanner searching for `anchors` in the first `limit` bytes of one entry. `anchorsFor`
 * picks the anchors once the first bytes (the file's magic) are known, so binaries and text can
 * be searched for different things.
 */
export class AnchorScanner implements ContentScanner {
  private readonly limit: number;
  private readonly anchorsFor: (head: Buffer) => readonly Anchor[];
  private readonly done: (progress: ScanProgress) => void;
  private anchors: readonly Anchor[] | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Context already searched, then unsearched bytes from `start`. */
  private buffer = Buffer.alloc(0);
  private start = 0;
  private bytes = 0;
  private truncated = false;
  private head = Buffer.alloc(0);
  private ended = false;

  constructor(limit: number, anchorsFor: (head: Buffer) => readonly Anchor[], done: (progress: ScanProgress) => void) {
    this.limit = limit;
    this.anchorsFor = anchorsFor;
    this.done = done;
  }

  data(bytes: Buffer): boolean {
    const room = this.limit - this.bytes;
    const taken = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (this.head.length < HEAD) this.head = Buffer.concat([this.head, taken.subarray(0, HEAD - this.head.length)]);
    if (!this.anchors && this.head.length === HEAD) this.anchors = this.anchorsFor(this.head);
    // nothing to look for in this entry: count its bytes, keep none
    if (this.anchors?.length !== 0) this.pending.push(Buffer.from(taken));
    this.pendingBytes += taken.length;
    this.bytes += taken.length;
    if (bytes.length > room) {
      this.truncated = true;
      this.end();
      return false;
    }
    if (this.pendingBytes >= WINDOW) this.search(false);
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.search(true);
    this.done({ bytes: this.bytes, truncated: this.truncated, head: this.head });
  }

  private search(final: boolean): void {
    this.anchors ??= this.anchorsFor(this.head);
    const window = Buffer.concat([this.buffer, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
    // a hit in the last CONTEXT bytes waits for the next window, which has what follows it
    const end = final ? window.length : window.length - CONTEXT;
    if (end > this.start) {
      for (const anchor of this.anchors) {
        for (let at = window.indexOf(anchor.needle, this.start); at !== -1 && at < end; ) {
          anchor.hit(window, at);
          at = window.indexOf(anchor.needle, at + 1);
        }
      }
    }
    const searched = Math.max(this.start, end);
    const keep = Math.max(0, searched - CONTEXT);
    this.buffer = final ? Buffer.alloc(0) : Buffer.from(window.subarray(keep));
    this.start = searched - keep;
  }
}
