import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTextInput } from '../../../src/fs/read-input.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

describe('readTextInput', () => {
  it('returns text without a byte-order mark', () => {
    assert.equal(readTextInput(writeTemp('a.yml', '\uFEFFversion: 6\n')), 'version: 6\n');
  });

  it('refuses a missing file, a directory, binary data and invalid UTF-8', () => {
    assertCvebuildError(() => readTextInput('/no/such/file.yml'), 'INPUT_NOT_FOUND', '/no/such/file.yml');
    assertCvebuildError(() => readTextInput(tempDirectory()), 'INPUT_UNREADABLE', 'not a regular file');
    assertCvebuildError(
      () => readTextInput(writeTemp('b.lock', new Uint8Array([0x76, 0x00, 0x01]))),
      'INPUT_BINARY',
      'NUL byte at offset 1',
    );
    assertCvebuildError(
      () => readTextInput(writeTemp('c.lock', new Uint8Array([0x61, 0xff, 0xfe, 0x62]))),
      'INPUT_BINARY',
      'UTF-8',
    );
  });

  it('names the byte offset of a NUL after multi-byte or invalid UTF-8', () => {
    assertCvebuildError(
      () => readTextInput(writeTemp('d.lock', new Uint8Array([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x00]))),
      'INPUT_BINARY',
      'NUL byte at offset 5',
    );
    assertCvebuildError(
      () => readTextInput(writeTemp('e.lock', new Uint8Array([0x61, 0xe2, 0x82, 0x00, 0x62]))),
      'INPUT_BINARY',
      'NUL byte at offset 3',
    );
  });

  it('refuses a file over the size limit before reading it', () => {
    const path = writeTemp('big.lock', 'x'.repeat(2048));
    const previous = process.env.CVEBUILD_MAX_INPUT_BYTES;
    process.env.CVEBUILD_MAX_INPUT_BYTES = '1024';
    try {
      assertCvebuildError(
        () => readTextInput(path),
        'INPUT_TOO_LARGE',
        '2.0 KiB',
        '1.0 KiB limit',
        'CVEBUILD_MAX_INPUT_BYTES',
      );
    } finally {
      if (previous === undefined) delete process.env.CVEBUILD_MAX_INPUT_BYTES;
      else process.env.CVEBUILD_MAX_INPUT_BYTES = previous;
    }
  });
});
