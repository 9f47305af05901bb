// A lock's package list parsed in pieces gives exactly the document (or the error) of the whole-text parse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { loadLockInPieces } from '../../../src/readers/lock-list-chunks.ts';
import { loadYaml, lockSchema } from '../../../src/readers/yaml.ts';

const OPTIONS = { schema: lockSchema(), maxAliases: 0, maxDepth: 64 };
/** Cut before nearly every entry. */
const TINY = { minBytes: 0, pieceBytes: 1 };

function record(i: number): string {
  return [
    `- conda: https://conda.anaconda.org/conda-forge/linux-64/pkg${i}-1.${i}-h0_0.conda`,
    `  sha256: ${String(i).padStart(64, '0')}`,
    `  depends:`,
    `  - python >=3.10`,
    `  - "libfoo ${i}.*"`,
    `  license: 'MIT'`,
    `  noarch: ${i % 2 === 0 ? 'python' : 'false'}`,
    `  description: |`,
    `    line one of ${i}`,
    ``,
    `    - not a list entry, a line of the block scalar`,
    `  summary: "a quoted`,
    `    summary over two lines"`,
    `  size: ${1000 + i}`,
    `  timestamp: null`,
  ].join('\n');
}

function lock(records: number, tail = '', key = 'packages'): string {
  const body = Array.from({ length: records }, (_, i) => record(i)).join('\n');
  return `version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n${key}:\n${body}\n${tail}`;
}

/** The document or the one-line error of a parse, in pieces or whole. */
function outcome(text: string, pieces: boolean): unknown {
  try {
    return loadYaml(text, 'pixi.lock', {
      lockFile: true,
      subset: false,
      chunking: pieces ? TINY : { minBytes: Number.POSITIVE_INFINITY },
    });
  } catch (error) {
    return error instanceof CvebuildError ? error.toLine() : error;
  }
}

function assertSameAsWhole(text: string): void {
  assert.deepEqual(outcome(text, true), outcome(text, false));
}

describe('lock package lists parsed in pieces', () => {
  it('give the document of the whole-text parse: quoted, block and multi-line scalars, nulls, booleans', () => {
    const text = lock(40);
    const document = loadLockInPieces(text, OPTIONS, TINY);
    assert.ok(document !== undefined, 'the text is parsed in pieces');
    assert.deepEqual(document, outcome(text, false));
    assert.equal((document as { packages: unknown[] }).packages.length, 40);
  });

  it('read CRLF line endings and trailing comments the same way, and leave other list keys whole', () => {
    const condaLock = lock(30, '', 'package');
    assert.equal(loadLockInPieces(condaLock, OPTIONS, TINY), undefined);
    assertSameAsWhole(condaLock);
    const crlf = lock(30).replaceAll('\n', '\r\n');
    assert.notEqual(loadLockInPieces(crlf, OPTIONS, TINY), undefined);
    assertSameAsWhole(crlf);
    assertSameAsWhole(lock(30, '# a comment at the end\n'));
  });

  it('are not used without exactly one top-level list key, with keys after the list, or with document markers', () => {
    const none = 'version: 6\nenvironments: {}\n';
    assert.equal(loadLockInPieces(none, OPTIONS, TINY), undefined);
    const twice = `${lock(20)}packages:\n- conda: x\n`;
    assert.equal(loadLockInPieces(twice, OPTIONS, TINY), undefined);
    assert.match(String(outcome(twice, true)), /duplicated mapping key/);
    const trailingKey = lock(20, 'extra: value\n');
    assert.equal(loadLockInPieces(trailingKey, OPTIONS, TINY), undefined);
    assertSameAsWhole(trailingKey);
    // after `...` a cut would start a second document the whole-text parse refuses
    const ended = lock(20).replace(
      '\n- conda: https://conda.anaconda.org/conda-forge/linux-64/pkg7',
      '\n...\n- conda: x7',
    );
    assert.equal(loadLockInPieces(ended, OPTIONS, TINY), undefined);
    assert.match(String(outcome(ended, true)), /YAML syntax error/);
    const empty = lock(0).replace('packages:\n', 'packages: []\n');
    assert.equal(loadLockInPieces(empty, OPTIONS, TINY), undefined);
  });

  it('are not used below the size limit', () => {
    assert.equal(loadLockInPieces(lock(20), OPTIONS), undefined);
  });

  it('fall back to the whole-text parse when a quoted scalar runs across a cut', () => {
    // every record opens a double-quoted scalar whose second line starts at column 0 with `- `
    const text = lock(20).replaceAll('  summary: "a quoted\n    summary', '  summary: "a quoted\n- summary');
    assert.equal(loadLockInPieces(text, OPTIONS, TINY), undefined);
    assertSameAsWhole(text);
  });

  it('report a syntax error with the whole-text parse`s message and line', () => {
    const lines = lock(40).split('\n');
    lines[lines.length - 20] = '  size: [unclosed';
    const text = lines.join('\n');
    assert.match(String(outcome(text, false)), /^pixi\.lock:\d+: YAML syntax error/);
    assertSameAsWhole(text);
  });

  it('refuse an alias exactly as the whole-text parse does', () => {
    const text = lock(
      40,
      '- conda: https://example.com/a.conda\n  depends: &deps\n  - x\n- conda: b\n  depends: *deps\n',
    );
    assert.match(String(outcome(text, false)), /aliases are not allowed/);
    assertSameAsWhole(text);
  });
});
