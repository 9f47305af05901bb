import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { loadLockSubset } from '../../../src/readers/lock-yaml-subset.ts';
import { loadYaml, lockSchema } from '../../../src/readers/yaml.ts';

function jsYaml(text: string): unknown {
  return load(text, { schema: lockSchema(), maxAliases: 0 });
}

/** The subset reader either gives up or gives exactly js-yaml's document. */
function assertAgrees(text: string): unknown {
  const subset = loadLockSubset(text);
  if (subset !== undefined) assert.deepEqual(subset, jsYaml(text), JSON.stringify(text));
  return subset;
}

const LOCK = `version: 6
environments:
  default:
    channels:
    - url: https://conda.anaconda.org/conda-forge/
    indexes:
    - https://pypi.org/simple
    packages:
      linux-64:
      - conda: https://conda.anaconda.org/conda-forge/linux-64/python-3.12.1-h1_0.conda
      - pypi: https://files.pythonhosted.org/packages/x/requests-2.31.0-py3-none-any.whl
packages:
- conda: https://conda.anaconda.org/conda-forge/linux-64/python-3.12.1-h1_0.conda
  sha256: 0a1b
  md5: ff00
  depends:
  - __glibc >=2.17,<3.0.a0
  - libzlib >=1.2.13,<2.0.0a0
  constrains: []
  license: Python-2.0
  purls: []
  size: 31234
  timestamp: 1700000000000

- pypi: https://files.pythonhosted.org/packages/x/requests-2.31.0-py3-none-any.whl
  name: requests
  version: '2.31'
  sha256: 58cd
  requires_dist:
  - charset-normalizer<4,>=2
  - pysocks!=1.5.7,>=1.5.6 ; extra == 'socks'
  requires_python: '>=3.7'
  editable: false
  input:
    hash: abc
    globs:
      - pyproject.toml
`;

describe('lock YAML subset reader', () => {
  it('reads a pixi lock exactly as js-yaml does', () => {
    const document = assertAgrees(LOCK) as Record<string, unknown>;
    assert.ok(document, 'a plain pixi lock is inside the subset');
    const [, pypi] = document.packages as Record<string, unknown>[];
    assert.equal(pypi?.version, '2.31');
    assert.equal(pypi?.editable, false);
  });

  it('resolves only the lock schema’s nulls and booleans; every other scalar stays text', () => {
    const text = [
      'a: ~',
      'b: null',
      'c: Null',
      'd: true',
      'e: FALSE',
      "f: 'true'",
      'g: 1.10',
      'h: 010',
      'i: -1',
      'j: 1e3',
      'k:',
      'l: https://x.org/a.whl#sha256=00',
      'm: 3.8,<4',
      "n: 'it''s'",
      'o: "say \\"hi\\"\\n"',
      'p: {}',
      'q: a#b',
      'r: "\\u00e9t\\u00e9"',
      'trailing:    spaced',
    ].join('\n');
    const document = assertAgrees(`${text}\n`) as Record<string, unknown>;
    assert.ok(document);
    assert.equal(document.a, null);
    assert.equal(document.d, true);
    assert.equal(document.g, '1.10');
    assert.equal(document.k, null);
    assert.equal(document.n, "it's");
    assert.equal(document.o, 'say "hi"\n');
    assert.equal(document.r, 'été');
  });

  it('reads sequences at the key’s indent or deeper, inline mappings, bare dashes and blank lines', () => {
    for (const text of [
      'a:\n- 1\n- 2\nb: x\n',
      'a:\n  - 1\n  - 2\nb: x\n',
      'a:\n- k: 1\n  l: 2\n- k: 3\n',
      'a:\n-   k: 1\n    l: 2\n',
      'a:\n-\n  k: 1\n- \n- x\n',
      'a:\n\n\n  b: 1\n\nc: 2\n',
      '- a\n- b: c\n',
      'a:\n  b:\n    c:\n    - d\n  e: f\n',
    ]) {
      assert.notEqual(assertAgrees(text), undefined, JSON.stringify(text));
    }
  });

  it('keeps a value’s leading Unicode spaces, as js-yaml does: only spaces part a value from its key', () => {
    for (const text of ['a: \u00a0v\n', 'k: \u3000x\n', 'a: \u2028b\n', 'a: \u00a0\n', '- k: \u00a0v\n  l: 1\n']) {
      assert.notEqual(assertAgrees(text), undefined, JSON.stringify(text));
    }
    assert.deepEqual(loadLockSubset('a: \u00a0v\n'), { a: '\u00a0v' });
  });

  it('reads many bare `key:` lines with no `: ` after them', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `k${i}:\n- x${i}\n`).join('');
    const document = assertAgrees(text) as Record<string, unknown>;
    assert.equal(Object.keys(document).length, 2000);
  });

  it('gives up on everything outside the subset, so js-yaml reads it (or reports its error)', () => {
    for (const text of [
      '# comment\na: 1\n',
      'a: 1 # comment\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: [1, 2]\n',
      'a: {b: 1}\n',
      "'a': 1\n",
      '"a": 1\n',
      'a: x: y\n',
      'a: plain\n  continued\n',
      "a: 'open\n  quote'\n",
      "a: 'x' y\n",
      'a: "x" y\n',
      'a: "\\x41"\n',
      'a: 1\na: 2\n',
      '__proto__: 1\n',
      'a:\n- - 1\n',
      'a: 1\n  b: 2\n',
      'a:\tb\n',
      'a: 1\r\nb: 2\r\n',
      '---\na: 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: - b\n',
      'a: >=3.8\n',
      'a: trailing \n',
      'just a scalar\n',
      '',
      'a: ?b\n',
      'a: "\u0001"\n',
      'a: 😀\n',
    ]) {
      assert.equal(loadLockSubset(text), undefined, JSON.stringify(text));
    }
  });

  it('loadYaml still reports js-yaml’s error and line for a broken lock', () => {
    assert.throws(
      () => loadYaml('version: 6\npackages:\n- conda: x\n  a: 1\n  a: 2\n', 'pixi.lock', { lockFile: true }),
      (error: Error) => /duplicated mapping key/.test(error.message),
    );
  });

  it('agrees with js-yaml on thousands of generated documents in and around the subset', () => {
    const random = seeded('lock-yaml-subset');
    let accepted = 0;
    const total = 3000;
    for (let i = 0; i < total; i++) {
      const text = generateDocument(random);
      let expected: unknown;
      let jsYamlFailed = false;
      try {
        expected = jsYaml(text);
      } catch {
        jsYamlFailed = true;
      }
      const subset = loadLockSubset(text);
      if (subset === undefined) continue;
      accepted++;
      assert.ok(!jsYamlFailed, `accepted a text js-yaml refuses: ${JSON.stringify(text)}`);
      assert.deepEqual(subset, expected, JSON.stringify(text));
    }
    // the generator mostly stays inside the subset: a reader that gave up on everything would fail here
    assert.ok(accepted > total / 4, `only ${accepted} of ${total} generated documents were read`);
  });
});

/** A deterministic stream of numbers in [0, 1) from sha256 in counter mode. */
function seeded(seed: string): () => number {
  let counter = 0;
  let pool: Buffer = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at + 4 > pool.length) {
      pool = createHash('sha256').update(`${seed}:${counter++}`).digest();
      at = 0;
    }
    const value = pool.readUInt32BE(at) / 2 ** 32;
    at += 4;
    return value;
  };
}

const SCALARS = [
  'x',
  '\u00a0x',
  'x\u00a0',
  '\u3000x',
  '1.10',
  '~',
  'null',
  'NULL',
  'true',
  'False',
  'yes',
  '-1',
  '- x',
  '>=1,<2',
  'a: b',
  'a:b',
  'a #b',
  'a#b',
  ':x',
  '?x',
  '[x]',
  '{}',
  '[]',
  '*x',
  '&x',
  '!x',
  '|',
  '%x',
  '@x',
  "it's",
  'say "hi"',
  'back\\slash',
  'tab\there',
  'new\nline',
  'é',
  ' lead',
  'trail ',
  '',
  '#',
  'pkg:pypi/requests',
  'https://x.org/a#sha256=1',
  '__proto__',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function renderScalar(random: () => number, value: string): string {
  const style = random();
  if (style < 0.5) return value;
  if (style < 0.75) return `'${value.replaceAll("'", random() < 0.9 ? "''" : "'")}'`;
  return JSON.stringify(value);
}

function generateDocument(random: () => number): string {
  const lines: string[] = [];
  const mapping = (indent: number, depth: number) => {
    const keys = 1 + Math.floor(random() * 4);
    for (let k = 0; k < keys; k++) {
      const key = random() < 0.95 ? `k${Math.floor(random() * 6)}` : pick(random, ['"q"', '__proto__', 'a b', '-x']);
      const pad = ' '.repeat(indent);
      const shape = random();
      if (shape < 0.55 || depth > 3) {
        lines.push(`${pad}${key}: ${renderScalar(random, pick(random, SCALARS))}`);
      } else if (shape < 0.65) {
        lines.push(`${pad}${key}:`);
      } else if (shape < 0.85) {
        lines.push(`${pad}${key}:`);
        sequence(indent + (random() < 0.6 ? 0 : 2), depth + 1);
      } else {
        lines.push(`${pad}${key}:`);
        mapping(indent + 2, depth + 1);
      }
      if (random() < 0.05) lines.push('');
    }
  };
  const sequence = (indent: number, depth: number) => {
    const items = 1 + Math.floor(random() * 3);
    const pad = ' '.repeat(indent);
    for (let i = 0; i < items; i++) {
      if (random() < 0.6 || depth > 3) {
        lines.push(`${pad}- ${renderScalar(random, pick(random, SCALARS))}`);
      } else {
        const start = lines.length;
        mapping(indent + 2, depth + 1);
        lines[start] = `${pad}- ${(lines[start] as string).slice(indent + 2)}`;
      }
    }
  };
  mapping(0, 0);
  return `${lines.join('\n')}\n`;
}
