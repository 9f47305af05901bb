/**
 * `.tar.bz2` packages: one bzip2-compressed tar. seek-bzip decodes synchronously, pulling input
 * bytes from the file in 64 KiB reads and pushing output through a 64 KiB buffer into the tar
 * parser, so neither the archive nor its content is ever whole in memory; a limit error thrown
 * from the parser stops the decoder mid-stream.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import Bunzip from 'seek-bzip';
import { CvebuildError } from '../errors.ts';
import { openRegularFile } from '../fs/regular-file.ts';
import { type ArchiveReadOptions, type ArchiveScan, collectInto, emptyScan, resolveLimits } from './entries.ts';
import { ArchiveBudget, archiveInvalid } from './limits.ts';
import { TarParser } from './tar.ts';

const CHUNK = 64 * 1024;

export function readTarBz2(path: string, options: ArchiveReadOptions = {}): ArchiveScan {
  const budget = new ArchiveBudget(path, resolveLimits(options));
  const scan = emptyScan(path, 'tar.bz2');
  let fd: number;
  try {
    fd = openRegularFile(path).fd;
  } catch (error) {
    throw archiveInvalid(path, `cannot open: ${(error as Error).message}`);
  }
  try {
    const input = new FileBytes(fd);
    const parser = new TarParser(budget, collectInto(scan, options, 'tar', budget.limits), 'tar.bz2');
    const output = new ChunkedOutput((chunk, streamBytes) => {
      budget.countBytes(chunk.length, streamBytes, input.size, 'bzip2 stream');
      parser.push(chunk);
    });
    if (input.size < 4 || input.peek(3) !== 'BZh') throw archiveInvalid(path, 'not a bzip2 file (no BZh signature)');
    Bunzip.decode(input, output, true);
    output.flush();
    parser.end();
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw archiveInvalid(path, `damaged .tar.bz2 archive: ${String((error as Error).message ?? error).split('\n')[0]}`);
  } finally {
    closeSync(fd);
  }
  return scan;
}

/** seek-bzip's input interface over a file descriptor, reading ahead in chunks. */
class FileBytes {
  readonly size: number;
  private readonly fd: number;
  private buffer = Buffer.alloc(CHUNK);
  private start = 0;
  private length = 0;
  private position = 0;

  constructor(fd: number) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  peek(count: number): string {
    const bytes = Buffer.alloc(count);
    readSync(this.fd, bytes, 0, count, 0);
    return bytes.toString('latin1');
  }

  readByte(): number {
    if (this.position >= this.size) return -1;
    if (this.position < this.start || this.position >= this.start + this.length) {
      this.start = this.position;
      this.length = readSync(this.fd, this.buffer, 0, CHUNK, this.position);
      if (this.length <= 0) return -1;
    }
    const byte = this.buffer[this.position - this.start] ?? -1;
    this.position++;
    return byte;
  }

  read(target: Uint8Array, at: number, length: number): number {
    let count = 0;
    while (count < length) {
      const byte = this.readByte();
      if (byte < 0) return count === 0 ? -1 : count;
      target[at + count++] = byte;
    }
    return count;
  }

  seek(position: number): void {
    this.position = position;
  }

  eof(): boolean {
    return this.position >= this.size;
  }
}

/** seek-bzip's output interface: bytes gathered into chunks for the tar parser. */
class ChunkedOutput {
  private readonly deliver: (chunk: Buffer, streamBytes: number) => void;
  private buffer = Buffer.alloc(CHUNK);
  private fill = 0;
  private total = 0;

  constructor(deliver: (chunk: Buffer, streamBytes: number) => void) {
    this.deliver = deliver;
  }

  writeByte(byte: number): void {
    this.buffer[this.fill++] = byte;
    if (this.fill === CHUNK) this.flush();
  }

  flush(): void {
    if (this.fill === 0) return;
    this.total += this.fill;
    const chunk = this.buffer.subarray(0, this.fill);
    this.fill = 0;
    this.deliver(chunk, this.total);
  }
}
