import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTarBz2 } from '../../../src/artifacts/tar-bz2.ts';
import { listing } from '../../helpers/archive-entries.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { writeTemp } from '../../helpers/temp.ts';

// Made by test/fixtures/archives/make-fixtures.ts (Node has no bzip2 compressor).
const archive = (name: string) => fixture(`archives/${name}`);

describe('readTarBz2', () => {
  it('lists entries and previews the selected script', () => {
    const { entries, options } = listing({ select: (entry) => entry.path.startsWith('bin/') });
    const scan = readTarBz2(archive('bz-script-1.0-0.tar.bz2'), options);
    assert.deepEqual(
      entries.map(({ path, type }) => `${type}:${path}`),
      [
        'file:info/index.json',
        'file:info/recipe/pre-link.sh',
        'directory:bin',
        'file:bin/.bz-script-pre-link.sh',
        'symlink:lib/libbz.so',
      ],
    );
    assert.deepEqual([...scan.contents.keys()], ['bin/.bz-script-pre-link.sh']);
    assert.match(
      scan.contents.get('bin/.bz-script-pre-link.sh')?.head.toString() ?? '',
      /curl https:\/\/example.invalid/,
    );
  });

  it('refuses a bzip2 bomb, stopping the decoder', () => {
    const path = archive('bz-bomb-1.0-0.tar.bz2');
    assertCvebuildError(() => readTarBz2(path), 'ARCHIVE_BOMB', path, 'limit maxRatio');
    assertCvebuildError(
      () => readTarBz2(path, { limits: { maxTotalBytes: 100_000 } }),
      'ARCHIVE_BOMB',
      'limit maxTotalBytes',
    );
  });

  it('refuses a path traversal, or reports it when asked', () => {
    const path = archive('bz-traversal-1.0-0.tar.bz2');
    assertCvebuildError(() => readTarBz2(path), 'ARCHIVE_INVALID', '"bin/../../../etc/profile.d/x.sh" is unsafe');
    assert.deepEqual(readTarBz2(path, { unsafePaths: 'report' }).unsafePaths, [
      { path: 'bin/../../../etc/profile.d/x.sh', reason: 'parent-directory (..) segment', member: 'tar' },
    ]);
  });

  it('refuses truncated and non-bzip2 files with one line', () => {
    assertCvebuildError(() => readTarBz2(archive('bz-truncated-1.0-0.tar.bz2')), 'ARCHIVE_INVALID', 'damaged .tar.bz2');
    assertCvebuildError(() => readTarBz2(writeTemp('x.tar.bz2', 'plain')), 'ARCHIVE_INVALID', 'not a bzip2 file');
  });
});
