/**
 * Reading a file in overlapping windows through one reused buffer: the windows are those cut from
 * the whole file (each new part once, after up to `overlap` bytes of the one before; the last one
 * says so), a window is overwritten by the next, and what is not a readable regular file is
 * refused as the other readers do.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type FileWindow, readRegularFileWindows } from '../../../src/fs/regular-file.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { windowsOf } from '../../helpers/utf8-fixtures.ts';

async function windows(path: string, windowBytes: number, overlap: number): Promise<FileWindow[]> {
  const read: FileWindow[] = [];
  // Copied: the reader reuses its buffer for the next window.
  for await (const window of readRegularFileWindows(path, { input: false, windowBytes, overlap }))
    read.push({ ...window, bytes: Buffer.from(window.bytes) });
  return read;
}

describe('reading a file in windows', () => {
  it('yields the windows cut from the whole file, for any window and overlap size', async () => {
    const fake = new FakeSecrets(10);
    for (const size of [0, 1, 7, 64, 65, 1000]) {
      const content = Buffer.from(fake.chars('abcdefghij\n', size));
      const path = writeTemp(`w${size}.txt`, content);
      for (const [windowBytes, overlap] of [
        [64, 0],
        [64, 5],
        [7, 6],
        [1, 3],
        [4096, 771],
      ] as const) {
        assert.deepEqual(await windows(path, windowBytes, overlap), windowsOf(content, windowBytes, overlap));
      }
    }
  });

  it('reuses one buffer: a window is gone once the next is read', async () => {
    const path = writeTemp('reuse.txt', 'a'.repeat(10) + 'b'.repeat(10));
    const seen: Buffer[] = [];
    for await (const window of readRegularFileWindows(path, { input: false, windowBytes: 10, overlap: 0 }))
      seen.push(window.bytes);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.toString(), 'b'.repeat(10));
  });

  it('refuses a missing file, a directory and a FIFO', async () => {
    const dir = tempDirectory();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await assertCvebuildErrorAsync(() => windows(join(dir, 'missing'), 64, 0), 'INPUT_NOT_FOUND');
    await assertCvebuildErrorAsync(() => windows(dir, 64, 0), 'INPUT_UNREADABLE', /directory/);
    await assertCvebuildErrorAsync(() => windows(fifo, 64, 0), 'INPUT_UNREADABLE', 'not a regular file (a FIFO)');
  });
});
