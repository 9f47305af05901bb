/**
 * Writes a view to a file in pieces (copied spans and small joins), hashing as it goes, so a
 * filtered repodata never has to exist as one string or one buffer.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

const FLUSH_BYTES = 1024 * 1024;

export class PieceWriter {
  readonly path: string;
  private handle: FileHandle | undefined;
  private readonly hash = createHash('sha256');
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Bytes written so far, flushed or not: the offset the next piece starts at. */
  offset = 0;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.handle = handle;
  }

  static async create(path: string): Promise<PieceWriter> {
    return new PieceWriter(path, await open(path, 'wx'));
  }

  async write(piece: Uint8Array | string): Promise<void> {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    this.hash.update(bytes);
    this.pending.push(bytes);
    this.pendingBytes += bytes.byteLength;
    this.offset += bytes.byteLength;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Closes the file: its sha256 (hex) and size. */
  async finish(): Promise<{ sha256: string; size: number }> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
    return { sha256: this.hash.digest('hex'), size: this.offset };
  }

  /** Closes without finishing (a failed build); the caller removes the file. */
  async abandon(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    if (!this.handle || this.pendingBytes === 0) return;
    const pieces = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.writev(pieces);
  }
}
