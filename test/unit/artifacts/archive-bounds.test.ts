// A package archive read keeps memory bounded by its limits, not by the archive: names are capped
// wherever they come from, no entry list is kept, and only a few unsafe names and selected contents
// are held. Messages quote at most a short prefix of a name the archive chose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCondaArchive } from '../../../src/artifacts/conda-archive.ts';
import { UNSAFE_KEPT } from '../../../src/artifacts/entries.ts';
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/artifacts/limits.ts';
import { archiveLinkScripts } from '../../../src/artifacts/link-scripts.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { writeTemp } from '../../helpers/temp.ts';
import { condaBytes, paxRecord, type TarItem } from './archive-builder.ts';

const STEM = 'demo-1.0-0';
const conda = (pkg: TarItem[], extra: { name: string; data: string }[] = []) =>
  writeTemp(`${STEM}.conda`, condaBytes({ stem: STEM, info: [], pkg, extra }));
const long = (length: number) => `share/${'n'.repeat(length - 6)}`;
const LIMIT = DEFAULT_ARCHIVE_LIMITS.maxNameBytes;

describe('names are capped wherever they come from', () => {
  const cases: [string, TarItem[]][] = [
    ['pax path', [{ name: 'x', paxPath: long(LIMIT + 1), data: 'x' }]],
    [
      'pax linkpath',
      [
        { name: 'PaxHeader', type: 'x', data: paxRecord('linkpath', long(LIMIT + 1)) },
        { name: 'lib/link.so', type: '2' },
      ],
    ],
    [
      'tar long name',
      [
        { name: '././@LongLink', type: 'L', data: `${long(LIMIT + 1)}\0` },
        { name: 'x', data: 'x' },
      ],
    ],
    [
      'tar long link',
      [
        { name: '././@LongLink', type: 'K', data: `${long(LIMIT + 1)}\0` },
        { name: 'lib/link.so', type: '2' },
      ],
    ],
  ];
  for (const [what, pkg] of cases) {
    it(`${what} over ${LIMIT} bytes`, async () => {
      const path = conda(pkg);
      await assertCvebuildErrorAsync(() => readCondaArchive(path), 'ARCHIVE_BOMB', path, 'limit maxNameBytes');
    });
  }

  it(`zip member name over ${LIMIT} bytes`, async () => {
    const path = conda([], [{ name: long(LIMIT + 1), data: 'x' }]);
    await assertCvebuildErrorAsync(
      () => readCondaArchive(path),
      'ARCHIVE_BOMB',
      'zip member name',
      'limit maxNameBytes',
    );
  });

  it('a name at the limit is read', async () => {
    const name = long(LIMIT);
    const path = conda([{ name: 'x', paxPath: name, data: 'x' }]);
    const scan = await readCondaArchive(path, { select: () => true });
    assert.deepEqual([...scan.contents.keys()], [name]);
  });

  it('quotes at most a short prefix of a name in one error line', async () => {
    const path = conda([{ name: 'x', paxPath: `../${'n'.repeat(4000)}`, data: 'x' }]);
    const error = await assertCvebuildErrorAsync(() => readCondaArchive(path), 'ARCHIVE_INVALID', 'is unsafe');
    assert.ok(error.toLine().length < 500, error.toLine());
  });
});

describe('what a read keeps is bounded', () => {
  it('no entry list: entries are seen through onEntry, and unsafe names are counted with a few kept', async () => {
    const count = 3 * UNSAFE_KEPT;
    const path = conda(Array.from({ length: count }, (_, i) => ({ name: `../escape-${i}`, data: 'x' })));
    let seen = 0;
    const scan = await readCondaArchive(path, { unsafePaths: 'report', onEntry: () => seen++ });
    assert.equal(seen, count);
    assert.equal(scan.unsafeCount, count);
    assert.equal(scan.unsafePaths.length, UNSAFE_KEPT);
    assert.ok(!('entries' in scan));
  });

  it('selected contents have a limit', async () => {
    const path = conda(Array.from({ length: 12 }, (_, i) => ({ name: `bin/f${i}`, data: 'x' })));
    await assertCvebuildErrorAsync(
      () => readCondaArchive(path, { select: () => true, limits: { maxSelected: 10 } }),
      'ARCHIVE_BOMB',
      'limit maxSelected',
    );
  });

  it('the link-script reader reports the count of unsafe names with the kept examples', async () => {
    const path = conda(Array.from({ length: 30 }, (_, i) => ({ name: `../escape-${i}`, data: 'x' })));
    const scripts = await archiveLinkScripts(path, 'demo');
    assert.equal(scripts.unsafeCount, 30);
    assert.equal(scripts.unsafePaths.length, UNSAFE_KEPT);
  });

  it('the link-script reader lists entries for link resolution within maxListedBytes', async () => {
    const path = conda(Array.from({ length: 30 }, (_, i) => ({ name: `share/${'n'.repeat(40)}-${i}`, data: 'x' })));
    await assertCvebuildErrorAsync(
      () => archiveLinkScripts(path, 'demo', { maxListedBytes: 1000 }),
      'ARCHIVE_BOMB',
      'limit maxListedBytes',
    );
    assert.equal((await archiveLinkScripts(path, 'demo', { maxListedBytes: 10_000 })).scripts.length, 0);
  });
});
