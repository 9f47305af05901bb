/**
 * Issue 12, item 5, on the terminal: what the CLI prints besides reports — one-line errors on
 * stderr, commander's usage errors, verify output and db status — quotes paths, arguments, URLs and
 * values from outside. None of them reaches the terminal raw: controls and bidi characters are
 * visible escapes, a newline cannot start a line, credentials are masked.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderVerification } from '../../../src/cli/attest.ts';
import { dbStatusCommand } from '../../../src/cli/db-import.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { openStore } from '../../../src/intel/store.ts';
import { runCli } from '../../helpers/cli.ts';
import { controlCases, UNSAFE } from '../../helpers/hostile-report.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const SECRET = 'QzkWmTnVrLpXsYjh';

function assertInert(text: string, where: string): void {
  const raw = [...text].find((char) => char !== '\n' && UNSAFE.test(char));
  assert.equal(raw, undefined, `${where} carries U+${raw?.codePointAt(0)?.toString(16)}: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /^FORGED/m, `${where}: a planted newline started a line`);
  assert.ok(!text.includes(SECRET), `${where} shows the credential: ${text}`);
}

describe('one-line errors', () => {
  for (const { label, text } of controlCases()) {
    it(`CvebuildError.toLine neutralises ${label} in the file, key and message`, () => {
      const error = new CvebuildError(
        'LOCK_INVALID',
        `expected a string, found ${text}FORGED from https://alice:${SECRET}@host.example/simple`,
        { file: `dir/${text}FORGED.lock`, line: 3, key: `packages[0].${text}FORGED` },
      );
      const line = error.toLine();
      assertInert(line, 'the error line');
      assert.ok(!line.includes('\n'), 'one line');
    });
  }

  it('the CLI prints a hostile path as escapes, on one line', () => {
    const path = writeTemp('evil\u001b]0;owned\u0007\u202e.lock', 'version: 99\n');
    const { status, stdout, stderr } = runCli(['inventory', path]);
    assert.equal(status, 2, stderr);
    assert.equal(stdout, '');
    assertInert(stderr, 'stderr');
    assert.match(stderr, /evil\\x1b\]0;owned\\x07\\u202e\.lock/);
    assert.equal(stderr.trimEnd().split('\n').length, 1);
  });

  it("commander's usage errors quote a hostile argument as escapes", () => {
    const { status, stderr } = runCli([
      'inventory',
      '--format',
      `\u001b[2J\u009b2JFORGED\nFORGED https://alice:${SECRET}@h.example/`,
    ]);
    assert.equal(status, 2);
    assertInert(stderr, 'stderr');
    assert.match(stderr, /\\x1b\[2J\\x9b2JFORGED\\nFORGED/);
  });
});

describe('verify output', () => {
  it('names a hostile file, channel and reason as escapes, credentials masked', async () => {
    const hostile = `\u001b[2J\u202eFORGED\nFORGED https://alice:${SECRET}@channel.example/t/${SECRET}/x`;
    const { text } = await renderVerification(
      { ok: false, code: 'malformed', reason: hostile, rejections: [] },
      { filename: `pkg-1.0-0${hostile}.conda`, sha256: 'a'.repeat(64) },
      { trust: { kind: 'trusted-root', path: `root${hostile}.json` }, publishers: [], channel: hostile },
      'text',
    );
    assertInert(text.trimEnd(), 'verify text');
    const json = await renderVerification(
      { ok: false, code: 'malformed', reason: hostile, rejections: [] },
      { filename: `pkg-1.0-0${hostile}.conda`, sha256: 'a'.repeat(64) },
      { trust: { kind: 'trusted-root', path: `root${hostile}.json` }, publishers: [], channel: hostile },
      'json',
    );
    assertInert(json.text, 'verify json');
    assert.equal(JSON.parse(json.text).artifact.filename.startsWith('pkg-1.0-0\u001b[2J'), true, 'JSON keeps the data');
  });
});

describe('db status', () => {
  it('shows a feed URL with credentials masked, in the table and in JSON', () => {
    const path = join(tempDirectory(), 'intel.db');
    const store = openStore(path, { create: true });
    store.recordFeed({
      name: 'osv-pypi',
      url: `https://mirror:${SECRET}@mirror.example/osv/PyPI/all.zip?token=${SECRET}\u001b[2J`,
      fetchedAt: '2026-11-20T00:00:00Z',
      count: 1,
      checksum: 'f'.repeat(64),
    });
    store.close();
    for (const format of ['table', 'json'] as const) {
      const text = dbStatusCommand({ db: path, format }, new Date('2026-11-20T12:00:00Z'));
      assertInert(text, `db status ${format}`);
      assert.match(text, /mirror\.example/);
    }
  });
});
