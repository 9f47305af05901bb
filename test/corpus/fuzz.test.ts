/**
 * Mutation fuzzing of real lock files: thousands of damaged variants of the corpus locks must each
 * read cleanly or be refused with a one-line CvebuildError — never an uncaught exception.
 * Cases are reproducible: the failing seed is in the assertion message.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../src/errors.ts';
import { readLockText } from '../../src/readers/lockfile.ts';
import { manifestLockRows } from '../helpers/manifest-table.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { pick, seededRandom } from '../helpers/random.ts';

const CASES = Number(process.env.CVEBUILD_FUZZ_CASES ?? 3000);
const MAX_SEED_FILE_BYTES = 400_000;

const HOSTILE_VALUES = [
  '[]',
  '{}',
  '-1',
  '1e400',
  'null',
  '~',
  '"x"',
  '*nope',
  '&a',
  '!!binary aGk=',
  '!!python/object:os.system',
  'x'.repeat(5000),
  '@@@',
  ': :',
  '\t',
  '"\\u0000"',
  "'unterminated",
  '[1, [2, [3',
  '{a: {b: {c: ',
  '0x1F',
  '.inf',
  '2025-01-01T00:00:00Z',
  'true',
  '"../../etc/passwd"',
  'https://evil.example/t/abc/linux-64/x-1-0.conda',
];

type Mutation = (lines: string[], random: () => number) => string[];

const MUTATIONS: Record<string, Mutation> = {
  truncate: (lines, r) => lines.slice(0, Math.floor(r() * lines.length)),
  deleteLine: (lines, r) => lines.filter((_, i) => i !== Math.floor(r() * lines.length)),
  duplicateLine: (lines, r) => {
    const i = Math.floor(r() * lines.length);
    return [...lines.slice(0, i + 1), lines[i] ?? '', ...lines.slice(i + 1)];
  },
  swapLines: (lines, r) => {
    const copy = [...lines];
    const a = Math.floor(r() * copy.length);
    const b = Math.floor(r() * copy.length);
    [copy[a], copy[b]] = [copy[b] ?? '', copy[a] ?? ''];
    return copy;
  },
  hostileValue: (lines, r) => {
    const copy = [...lines];
    const i = Math.floor(r() * copy.length);
    copy[i] = (copy[i] ?? '').replace(/:\s.*$|^(\s*-\s).*$/, (_match, dash) =>
      dash ? `${dash}${pick(r, HOSTILE_VALUES)}` : `: ${pick(r, HOSTILE_VALUES)}`,
    );
    return copy;
  },
  reindent: (lines, r) => {
    const copy = [...lines];
    const i = Math.floor(r() * copy.length);
    copy[i] = r() < 0.5 ? `  ${copy[i]}` : (copy[i] ?? '').replace(/^ {1,2}/, '');
    return copy;
  },
  flipCharacter: (lines, r) => {
    const copy = [...lines];
    const i = Math.floor(r() * copy.length);
    const line = copy[i] ?? '';
    const at = Math.floor(r() * (line.length + 1));
    copy[i] =
      line.slice(0, at) +
      pick(r, [
        ':',
        '-',
        '"',
        "'",
        '[',
        ']',
        '{',
        '}',
        '#',
        '&',
        '*',
        '!',
        '|',
        '>',
        '%',
        '@',
        '`',
        '\t',
        '\u00ff',
        '\uFFFD',
      ]) +
      line.slice(at + 1);
    return copy;
  },
  changeVersion: (lines, r) =>
    lines.map((line) =>
      line.startsWith('version:')
        ? `version: ${pick(r, ['0', '-1', '3', '4', '5', '6', '7', '8', '7.5', '"7"', 'seven', '[]'])}`
        : line,
    ),
  renameKey: (lines, r) => {
    const copy = [...lines];
    const i = Math.floor(r() * copy.length);
    copy[i] = (copy[i] ?? '').replace(
      /^(\s*-?\s*)[a-z_-]+:/,
      `$1${pick(r, ['conda', 'pypi', 'conda_source', 'kind', 'url', 'name', 'version', 'packages', 'environments', 'platforms', 'sha256', 'depends', 'bogus'])}:`,
    );
    return copy;
  },
};

describe('fuzzing the lock readers with mutated real locks', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  it(`${CASES} mutated locks: each reads or is refused with a one-line error`, () => {
    const seeds = manifestLockRows()
      .map((row) => row.path)
      .filter((path) => statSync(corpus(path)).size <= MAX_SEED_FILE_BYTES)
      .map((path) => ({ path, lines: readFileSync(corpus(path), 'utf8').split('\n') }));
    assert.ok(seeds.length >= 20, 'enough seed files');
    const outcomes = { read: 0, refused: 0 };
    const names = Object.keys(MUTATIONS);
    for (let seed = 1; seed <= CASES; seed++) {
      const random = seededRandom(seed);
      const source = pick(random, seeds);
      let lines = source.lines;
      const applied: string[] = [];
      const rounds = 1 + Math.floor(random() * 3);
      for (let round = 0; round < rounds; round++) {
        const name = pick(random, names);
        applied.push(name);
        lines = MUTATIONS[name]?.(lines, random) ?? lines;
      }
      try {
        readLockText(lines.join('\n'), 'fuzzed.lock');
        outcomes.read++;
      } catch (error) {
        if (!(error instanceof CvebuildError)) {
          assert.fail(
            `seed ${seed} (${source.path}; ${applied.join(' + ')}): uncaught ${String((error as Error)?.stack ?? error)}`,
          );
        }
        assert.ok(!error.toLine().includes('\n'), `seed ${seed}: multi-line message`);
        assert.ok(error.toLine().startsWith('fuzzed.lock'), `seed ${seed}: message names the file: ${error.toLine()}`);
        outcomes.refused++;
      }
    }
    console.log(`fuzz: ${CASES} cases, ${outcomes.read} read, ${outcomes.refused} refused with a clear error`);
    assert.equal(outcomes.read + outcomes.refused, CASES);
    assert.ok(outcomes.refused > CASES / 10, 'the mutations do damage');
  });
});
