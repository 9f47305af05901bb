import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { readRegularFile } from '../../../src/fs/regular-file.ts';
import { tempDirectory } from '../../helpers/temp.ts';

describe('readRegularFile', () => {
  it('gives the bytes of a file exactly, empty and large alike', () => {
    const directory = tempDirectory();
    for (const size of [0, 1, 8191, 8192, 8193, 3_000_001]) {
      const path = join(directory, `f${size}`);
      const bytes = Buffer.alloc(size, 'ab');
      writeFileSync(path, bytes);
      assert.ok(readRegularFile(path).equals(bytes), `${size} bytes`);
    }
  });

  it('reads a file whose size says less than it holds (it grew, or procfs reports 0)', {
    skip: process.platform !== 'linux',
  }, () => {
    const path = '/proc/self/smaps';
    assert.equal(statSync(path).size, 0);
    const read = readRegularFile(path, { input: false }).toString('utf8');
    // far more than the first buffer holds: the read grew it, and got to the end
    assert.ok(read.length > 64 * 1024, `${read.length} bytes`);
    assert.match(read, /VmFlags:[^\n]*\n$/);
  });

  it('refuses more than the limit, counted while reading too', { skip: process.platform !== 'linux' }, () => {
    assert.throws(() => readRegularFile('/proc/self/maps', { input: false, maxBytes: 10 }), CvebuildError);
  });
});
