/**
 * The prefilter on a file's raw bytes, which decides whether the file is decoded and scanned at all:
 * the literals it finds in the bytes are those in the decoded text, the userinfo test on bytes never
 * says no where the regex says yes, and a file skipped by it has no hit to lose. Small fixtures:
 * anchors at the first and last byte, around line ends, next to multi-byte and broken UTF-8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeFile } from '../../../src/code/types.ts';
import { USERINFO_ANCHORS } from '../../../src/secrets/detection.ts';
import { DETECTORS } from '../../../src/secrets/detectors/index.ts';
import { Prefilter } from '../../../src/secrets/prefilter.ts';
import { TABLED_PRESET_RULES } from '../../../src/secrets/preset.ts';
import { scanSecrets, scanText } from '../../../src/secrets/scan.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { writeTemp } from '../../helpers/temp.ts';
import { BROKEN, randomBytes } from '../../helpers/utf8-fixtures.ts';

describe('userinfo anchor on bytes', () => {
  const { pattern, patternInBytes } = USERINFO_ANCHORS;
  const onBytes = patternInBytes as (bytes: Buffer) => boolean;
  const onText = (text: string) => (pattern as RegExp).test(text);

  it('says yes wherever the regex matches the decoded text (random fixtures)', () => {
    const fake = new FakeSecrets(6);
    const pieces = ['://', ':', '/', '@', 'a', 'user', ':pw', ' ', '\t', '\n', '\r\n', 'é', '😀', '\u00a0', ...BROKEN];
    let matches = 0;
    for (let i = 0; i < 5000; i++) {
      // Mostly `…://…@…`, with random pieces in each part.
      const bytes = Buffer.concat([
        randomBytes(fake, pieces, fake.int(0, 3)),
        Buffer.from(fake.int(0, 3) > 0 ? '://' : ''),
        randomBytes(fake, pieces, fake.int(0, 6)),
        Buffer.from(fake.int(0, 3) > 0 ? '@' : ''),
        randomBytes(fake, pieces, fake.int(0, 3)),
      ]);
      const text = bytes.toString('utf8');
      if (!onText(text)) continue;
      matches++;
      assert.ok(onBytes(bytes), JSON.stringify(text));
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
      assert.equal(onBytes(Buffer.from(text)), onText(text), JSON.stringify(text));
    }
  });

  it('keeps a userinfo of 256 code units at any UTF-8 width, first and last in the file', () => {
    for (const char of ['a', 'é', '€', '😀']) {
      for (const units of [1, 255, 256]) {
        const run = char.repeat(Math.ceil(units / char.length)).slice(0, units);
        for (const text of [`://${run}@`, `x https://${run}@host\n`, `https://${run}@`]) {
          assert.ok(onText(text), `${char} ${units}`);
          assert.ok(onBytes(Buffer.from(text)), `${char} ${units}`);
        }
      }
    }
  });
});

describe('prefilter on bytes', () => {
  const prefilter = new Prefilter<string>([
    ...TABLED_PRESET_RULES.map((rule) => ({ item: rule.id, anchors: rule.anchors })),
    ...DETECTORS.map((detector) => ({ item: detector.id, anchors: detector.anchors })),
  ]);

  it('never rules out a file the text prefilter selects rules for', () => {
    const fake = new FakeSecrets(8);
    const pieces = [
      'ghp',
      '_',
      'AKIA',
      'hf',
      '://',
      'u:p',
      '@',
      '/t/',
      ' -t',
      'sk-',
      'ant-',
      'a',
      ' ',
      '\n',
      'é',
      ...BROKEN,
    ];
    let selected = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(fake, pieces, fake.int(0, 10));
      const text = bytes.toString('utf8');
      const literals = prefilter.literalsIn(bytes);
      assert.deepEqual(literals, prefilter.literalsIn(text));
      if (prefilter.select(text, 'a.txt').length === 0) continue;
      selected++;
      assert.ok(prefilter.maySelect(bytes, 'a.txt', literals), JSON.stringify(text));
    }
    assert.ok(selected > 500, `only ${selected} selecting fixtures`);
  });

  it('rules out a lock-like file without anchors, and never a .env file', () => {
    const lock = Buffer.from(
      '- conda: https://conda.anaconda.org/conda-forge/linux-64/zlib-1.3.1-hb9d3cd8_2.conda\n  sha256: 0123abcd\n',
    );
    assert.equal(prefilter.maySelect(lock, 'pixi.lock'), false);
    assert.equal(prefilter.maySelect(lock, 'app/.env'), true);
  });
});

describe('scanning files through the byte prefilter', () => {
  const fake = new FakeSecrets(9);
  const token = fake.githubClassic();
  const password = fake.password();
  const texts: [string, string][] = [
    ['first.py', `${token} = 1\n`],
    ['last.py', `x = 1\nT = ${token}`],
    ['bom.py', `\uFEFFT = "${token}"\r\n`],
    ['unicode.py', `# naïve €\nT = "${token}" # 😀\n`],
    ['crlf.toml', `[pypi-options]\r\nindex-url = "https://user:${password}@pypi.example.io/simple"\r\n`],
    ['end.txt', `see https://user:${password}@host.io`],
    ['keyring.lock', '- https://oauth2accesstoken@europe-west4-python.pkg.dev/p/r/simple/x.whl\n'],
    ['plain.lock', '- conda: https://conda.anaconda.org/conda-forge/noarch/x-1.0-pyhd8ed1ab_0.conda\n'],
  ];

  it('finds from disk exactly what scanText finds in the text', async () => {
    const files: CodeFile[] = texts.map(([path, content]) => ({
      path,
      absolute: writeTemp(path, content),
      size: Buffer.byteLength(content),
    }));
    const { hits } = await scanSecrets(files);
    const expected = [];
    for (const [path, content] of texts) expected.push(...(await scanText(path, content)));
    assert.deepEqual(hits, expected);
    assert.deepEqual(
      [...new Set(hits.map((hit) => hit.file))],
      ['first.py', 'last.py', 'bom.py', 'unicode.py', 'crlf.toml', 'end.txt', 'keyring.lock'],
    );
  });
});
