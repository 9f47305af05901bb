/** Byte fixtures for code that reads UTF-8 without decoding it: random mixes of pieces, broken sequences among them. */
import type { FileWindow } from '../../src/fs/regular-file.ts';
import type { FakeSecrets } from './fake-secrets.ts';

/** Bytes that are not valid UTF-8 (a lone continuation byte, a truncated sequence, an overlong `/`). */
export const BROKEN = [
  Buffer.from([0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xf0, 0x9f]),
];

/** Random bytes made of the pieces: literal fragments, ASCII, multi-byte characters and broken UTF-8. */
export function randomBytes(fake: FakeSecrets, pieces: readonly (string | Buffer)[], count: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const piece = pieces[fake.int(0, pieces.length - 1)] as string | Buffer;
    parts.push(typeof piece === 'string' ? Buffer.from(piece) : piece);
  }
  return Buffer.concat(parts);
}

/** What `readRegularFileWindows` yields for these bytes, cut in memory (so fuzz cases need no files). */
export function windowsOf(bytes: Buffer, windowBytes: number, overlap: number): FileWindow[] {
  const windows: FileWindow[] = [];
  for (let start = 0; start < bytes.length; start += windowBytes) {
    const kept = Math.min(overlap, start);
    const end = Math.min(bytes.length, start + windowBytes);
    windows.push({ bytes: bytes.subarray(start - kept, end), fresh: kept, last: end === bytes.length });
  }
  return windows;
}
