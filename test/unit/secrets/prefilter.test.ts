/**
 * The prefilter on a file's raw bytes, read in windows, which decides whether the file is decoded
 * and scanned at all: the userinfo test on bytes never says no where the regex says yes on the
 * decoded text, the screen never rules out a file `select` picks rules for (whatever the window
 * size: anchors across window boundaries), and files scanned from disk give what `scanText` gives.
 * Small fixtures: anchors at the first and last byte, around line ends and window ends, next to
 * multi-byte characters and broken UTF-8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeFile } from '../../../src/code/types.ts';
import { type BytePattern, USERINFO_ANCHORS } from '../../../src/secrets/detection.ts';
import { DETECTORS } from '../../../src/secrets/detectors/index.ts';
import { Prefilter } from '../../../src/secrets/prefilter.ts';
import { TABLED_PRESET_RULES } from '../../../src/secrets/preset.ts';
import { scanSecrets, scanText } from '../../../src/secrets/scan.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { writeTemp } from '../../helpers/temp.ts';
import { BROKEN, randomBytes, windowsOf } from '../../helpers/utf8-fixtures.ts';

const userinfo = USERINFO_ANCHORS.patternInBytes as BytePattern;
const onText = (text: string) => (USERINFO_ANCHORS.pattern as RegExp).test(text);

/** Mostly `…://…@…`, with random pieces in each part. */
function userinfoFixture(fake: FakeSecrets): Buffer {
  const pieces = ['://', ':', '/', '@', 'a', 'user', ':pw', ' ', '\t', '\n', '\r\n', 'é', '😀', '\u00a0', ...BROKEN];
  return Buffer.concat([
    randomBytes(fake, pieces, fake.int(0, 3)),
    Buffer.from(fake.int(0, 3) > 0 ? '://' : ''),
    randomBytes(fake, pieces, fake.int(0, 6)),
    Buffer.from(fake.int(0, 3) > 0 ? '@' : ''),
    randomBytes(fake, pieces, fake.int(0, 3)),
  ]);
}

describe('userinfo anchor on bytes', () => {
  it('says yes wherever the regex matches the decoded text (random fixtures)', () => {
    const fake = new FakeSecrets(6);
    let matches = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = userinfoFixture(fake);
      const text = bytes.toString('utf8');
      if (!onText(text)) continue;
      matches++;
      assert.ok(userinfo.test(bytes), JSON.stringify(text));
    }
    assert.ok(matches > 500, `only ${matches} matching fixtures`);
  });

  it('is the regex on ASCII text with short runs', () => {
    for (const text of [
      'https://user:pw@host/x',
      'https://user@host',
      'https://@host',
      'https:/user@host',
      'https://us er@host',
      'https://host/user@x',
      '@://a@',
      'x://a@',
      'git@github.com:org/repo',
      'https://a\n@b',
      '',
    ]) {
      assert.equal(userinfo.test(Buffer.from(text)), onText(text), JSON.stringify(text));
    }
  });

  it('keeps a userinfo of 256 code units at any UTF-8 width, first and last in the file', () => {
    for (const char of ['a', 'é', '€', '😀']) {
      for (const units of [1, 255, 256]) {
        const run = char.repeat(Math.ceil(units / char.length)).slice(0, units);
        for (const text of [`://${run}@`, `x https://${run}@host\n`, `https://${run}@`]) {
          assert.ok(onText(text), `${char} ${units}`);
          assert.ok(userinfo.test(Buffer.from(text)), `${char} ${units}`);
        }
      }
    }
  });

  it('finds in some window of a file every match of the whole, windows overlapping by maxBytes - 1', () => {
    const fake = new FakeSecrets(7);
    for (const char of ['a', '€']) {
      const run = char.repeat(256);
      const bytes = Buffer.from(`${'x'.repeat(1000)} https://${run}@host ${'y'.repeat(1000)}`);
      for (const windowBytes of [1, 2, 100, 771, 772, 1024]) {
        const windows = windowsOf(bytes, windowBytes, userinfo.maxBytes - 1);
        assert.ok(
          windows.some((window) => userinfo.test(window.bytes)),
          `${char} ${windowBytes}`,
        );
      }
    }
    for (let i = 0; i < 2000; i++) {
      const bytes = userinfoFixture(fake);
      if (!onText(bytes.toString('utf8'))) continue;
      const windows = windowsOf(bytes, fake.int(1, 8), userinfo.maxBytes - 1);
      assert.ok(
        windows.some((window) => userinfo.test(window.bytes)),
        JSON.stringify(bytes.toString()),
      );
    }
  });
});

describe('prefilter screen on file windows', () => {
  const prefilter = new Prefilter<string>([
    ...TABLED_PRESET_RULES.map((rule) => ({ item: rule.id, anchors: rule.anchors })),
    ...DETECTORS.map((detector) => ({ item: detector.id, anchors: detector.anchors })),
  ]);
  const screened = (bytes: Buffer, path: string, windowBytes: number): boolean => {
    const screen = prefilter.screen(path);
    for (const window of windowsOf(bytes, windowBytes, prefilter.overlap)) screen.scan(window);
    return screen.mayMatch;
  };

  it('never rules out a file the text prefilter selects rules for, whatever the window size', () => {
    const fake = new FakeSecrets(8);
    const pieces = ['ghp', '_', 'AKIA', 'hf', '://', 'u:p', '@', '/t/', ' -t', 'sk-', 'ant-', 'a', ' ', '\n', 'é'];
    let selected = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(fake, [...pieces, ...BROKEN], fake.int(0, 10));
      const text = bytes.toString('utf8');
      if (prefilter.select(text, 'a.txt').length === 0) continue;
      selected++;
      for (const windowBytes of [1, 2, 3, fake.int(4, 16), 4096])
        assert.ok(screened(bytes, 'a.txt', windowBytes), `${JSON.stringify(text)} in windows of ${windowBytes}`);
    }
    assert.ok(selected > 500, `only ${selected} selecting fixtures`);
  });

  it('finds a literal split across two windows, at the first and at the last byte', () => {
    const filler = 'conda-forge/linux-64/zlib-1.3.1-hb9d3cd8_2.conda\n'.repeat(20);
    for (const text of [`ghp_${filler}`, `${filler}ghp_`, `${filler}x PRIVATE KEY\r\n${filler}`]) {
      const bytes = Buffer.from(text);
      assert.equal(prefilter.select(text, 'a.txt').length > 0, true);
      for (let windowBytes = 1; windowBytes <= 64; windowBytes++) assert.ok(screened(bytes, 'a.txt', windowBytes));
    }
  });

  it('rules out a lock-like file without anchors, and never a .env file (even an empty one)', () => {
    const lock = Buffer.from(
      '- conda: https://conda.anaconda.org/conda-forge/linux-64/zlib-1.3.1-hb9d3cd8_2.conda\n  sha256: 0123abcd\n'.repeat(
        50,
      ),
    );
    for (const windowBytes of [7, 100, 1 << 20]) {
      assert.equal(screened(lock, 'pixi.lock', windowBytes), false);
      assert.equal(screened(lock, 'app/.env', windowBytes), true);
    }
    assert.equal(screened(Buffer.alloc(0), 'app/.env', 1), true);
    assert.equal(screened(Buffer.alloc(0), 'pixi.lock', 1), false);
  });
});

describe('scanning files through the byte screen', () => {
  const fake = new FakeSecrets(9);
  const token = fake.githubClassic();
  const password = fake.password();
  /** Longer than a screen window (256 KiB), so anchors fall on window boundaries. */
  const WINDOW = 256 * 1024;
  const filler = (bytes: number) =>
    'conda-forge/noarch/x-1.0-pyhd8ed1ab_0.conda\n'.repeat(bytes / 44 + 1).slice(0, bytes);
  const texts: [string, string][] = [
    ['first.py', `${token} = 1\n`],
    ['last.py', `x = 1\nT = ${token}`],
    ['bom.py', `\uFEFFT = "${token}"\r\n`],
    ['unicode.py', `# naïve €\nT = "${token}" # 😀\n`],
    ['crlf.toml', `[pypi-options]\r\nindex-url = "https://user:${password}@pypi.example.io/simple"\r\n`],
    ['end.txt', `see https://user:${password}@host.io`],
    ['keyring.lock', '- https://oauth2accesstoken@europe-west4-python.pkg.dev/p/r/simple/x.whl\n'],
    ['plain.lock', '- conda: https://conda.anaconda.org/conda-forge/noarch/x-1.0-pyhd8ed1ab_0.conda\n'],
    ['big-token-across.lock', `${filler(WINDOW - 10)}T = ${token}\n${filler(1000)}`],
    ['big-url-across.lock', `${filler(WINDOW - 20)}- https://user:${password}@host.io/x\n`],
    ['big-last.lock', `${filler(2 * WINDOW + 5)}${token}`],
    ['big-plain.lock', filler(3 * WINDOW)],
    ['big-binary-late.bin', `${filler(WINDOW)}\u0000${token}\n`],
  ];

  it('finds from disk exactly what scanText finds in the text', async () => {
    const files: CodeFile[] = texts.map(([path, content]) => ({
      path,
      absolute: writeTemp(path, content),
      size: Buffer.byteLength(content),
    }));
    const { hits, skipped } = await scanSecrets(files);
    const expected = [];
    for (const [path, content] of texts) expected.push(...(await scanText(path, content)));
    assert.deepEqual(hits, expected);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      [...new Set(hits.map((hit) => hit.file))],
      [
        'first.py',
        'last.py',
        'bom.py',
        'unicode.py',
        'crlf.toml',
        'end.txt',
        'keyring.lock',
        'big-token-across.lock',
        'big-url-across.lock',
        'big-last.lock',
        'big-binary-late.bin',
      ],
    );
  });

  it('skips what the full read skips: grown past the limit, binary at the start, unreadable', async () => {
    const grown = `${filler(2000)}${token}`;
    const files: CodeFile[] = [
      { path: 'grown.lock', absolute: writeTemp('grown.lock', grown), size: 10 },
      { path: 'nul.bin', absolute: writeTemp('nul.bin', `\u0000${filler(100)}`), size: 101 },
      { path: 'plain-grown.lock', absolute: writeTemp('plain-grown.lock', filler(2000)), size: 10 },
      { path: 'gone.py', absolute: '/nonexistent/cvebuild/gone.py', size: 10 },
    ];
    const result = await scanSecrets(files, { maxFileSize: 1024 });
    assert.deepEqual(result.hits, []);
    assert.deepEqual(result.skipped, [
      { path: 'gone.py', reason: 'unreadable: no such file or directory' },
      { path: 'grown.lock', reason: 'larger than 1024 bytes' },
      { path: 'nul.bin', reason: 'binary' },
      { path: 'plain-grown.lock', reason: 'larger than 1024 bytes' },
    ]);
  });
});
