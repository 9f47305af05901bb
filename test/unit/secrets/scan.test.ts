/**
 * The scanner's plumbing: the anchor prefilter never drops a detection, the Aho-Corasick matcher
 * agrees with `includes`, and `scanSecrets` reads files, keeps file order and reports what it skips.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeFile } from '../../../src/code/types.ts';
import { LiteralMatcher } from '../../../src/secrets/literal-matcher.ts';
import { scanSecrets, scanText } from '../../../src/secrets/scan.ts';
import { FakeSecrets, negatives, positives } from '../../helpers/fake-secrets.ts';
import { writeTemp } from '../../helpers/temp.ts';

function codeFile(path: string, content: string | Uint8Array): CodeFile {
  const absolute = writeTemp(path, content);
  return { path, absolute, size: typeof content === 'string' ? Buffer.byteLength(content) : content.length };
}

describe('secret scanner plumbing', () => {
  it('finds the same hits with and without the anchor prefilter', async () => {
    for (const entry of [...positives(13), ...negatives(17)]) {
      const fast = await scanText(entry.path, entry.content);
      const slow = await scanText(entry.path, entry.content, { prefilter: false });
      assert.deepEqual(fast, slow, entry.name);
    }
  });

  it('matches literals like includes does (overlaps, shared prefixes, non-ASCII resets)', () => {
    const literals = ['ghp_', 'gh', 'hp_x', 'sk-ant-', 'sk-', 'ant', 'PRIVATE KEY', 'k-a'];
    const matcher = new LiteralMatcher(literals);
    const fake = new FakeSecrets(1);
    for (let i = 0; i < 300; i++) {
      const text = fake.chars('ghp_xsk-antPRIVATE KEYé ', fake.int(0, 40));
      const found = new Uint8Array(literals.length);
      matcher.scan(text, found);
      assert.deepEqual(
        [...found],
        literals.map((literal) => (text.includes(literal) ? 1 : 0)),
        text,
      );
    }
  });

  it('scans files in order and lists unreadable, binary and oversized ones', async () => {
    const fake = new FakeSecrets(2);
    const token = fake.githubClassic();
    const files = [
      codeFile('b/app.py', `T = "${token}"\n`),
      codeFile('a/.env', `API_KEY=${fake.mixed('abcdefghijklmnopqrstuvwxyz0123456789ABCDEF', 24)}\n`),
      codeFile('c/blob.bin', new Uint8Array([0x50, 0x4b, 0, 1, 2])),
      codeFile('d/big.txt', 'x'.repeat(2048)),
      { path: 'e/gone.py', absolute: '/nonexistent/cvebuild/gone.py', size: 10 },
    ];
    const result = await scanSecrets(files, { maxFileSize: 1024 });
    assert.deepEqual(
      result.hits.map((hit) => [hit.file, hit.rule]),
      [
        ['b/app.py', 'github-token'],
        ['a/.env', 'dotenv-secret'],
      ],
    );
    assert.deepEqual(result.skipped, [
      { path: 'c/blob.bin', reason: 'binary' },
      { path: 'd/big.txt', reason: 'larger than 1024 bytes' },
      { path: 'e/gone.py', reason: 'unreadable: no such file or directory' },
    ]);
  });

  it('strips a byte-order mark before positions are computed', async () => {
    const token = new FakeSecrets(4).githubClassic();
    const [hit] = await scanText('bom.py', `\uFEFFT = "${token}"\n`);
    assert.equal(hit?.line, 1);
    assert.equal(hit?.column, 6);
  });
});
