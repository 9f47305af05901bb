// The depth pre-check that keeps tree-sitter's Python scanner from aborting the process: each way
// Python nests is measured, files past a limit are named with a fixed reason, and real code (deep
// but valid) passes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionDepth, PRECEDENCE } from '../../../src/sast/expression-depth.ts';
import { maxLeadingColumns, NESTING_LIMITS, nestingExcess } from '../../../src/sast/python-nesting.ts';
import { PYTHON_NESTING } from '../../helpers/bombs.ts';

const excess = (text: string) => nestingExcess(Buffer.from(text));

describe('each way of nesting has a limit', () => {
  const cases: [keyof typeof PYTHON_NESTING, number, RegExp][] = [
    ['indent', 600, /indented 320 columns or more/],
    ['unblocked', 600, /indented 320 columns or more/],
    ['parentheses', NESTING_LIMITS.brackets + 1, /brackets nested more than 200/],
    ['calls', NESTING_LIMITS.brackets + 1, /brackets nested more than 200/],
    ['fstrings', NESTING_LIMITS.strings + 1, /strings nested more than 150/],
  ];
  for (const shape of [
    'sum',
    'power',
    'not',
    'minus',
    'lambda',
    'conditional',
    'callChain',
    'attributes',
    'subscripts',
    'await',
  ] as const) {
    cases.push([shape, NESTING_LIMITS.chain + 1, /an expression nested more than 1000 levels deep/]);
  }
  for (const [shape, depth, reason] of cases) {
    it(`${shape}: ${depth} deep is set aside, much shallower is not`, () => {
      assert.match(excess(PYTHON_NESTING[shape](depth)) ?? '', reason);
      assert.equal(excess(PYTHON_NESTING[shape](Math.floor(depth / 8))), undefined);
    });
  }

  it('indentation levels as CPython counts them (tabs to the next multiple of 8)', () => {
    const levels = (count: number, unit: string) =>
      Array.from({ length: count + 1 }, (_, i) => `${unit.repeat(i)}if x:\n`).join('') +
      `${unit.repeat(count + 1)}pass\n`;
    assert.equal(excess(levels(99, ' ')), undefined, '100 levels');
    assert.equal(excess(levels(100, ' ')), "indented more than 100 levels (CPython's limit)");
    assert.equal(excess(levels(30, '\t')), undefined, '31 levels of tabs, 248 columns');
    assert.match(excess(levels(40, '\t')) ?? '', /indented 320 columns or more/);
  });

  it('strings nested through f-string fields, with either quote and format specs', () => {
    const alternating = (depth: number) =>
      `x = ${Array.from({ length: depth }, (_, i) => (i % 2 ? "f'{" : 'f"{')).join('')}1${Array.from(
        { length: depth },
        (_, i) => ((depth - 1 - i) % 2 ? "}'" : '}"'),
      ).join('')}\n`;
    assert.match(excess(alternating(151)) ?? '', /strings nested/);
    assert.equal(excess('x = f"{a:>{width}} {b!r:{fmt}}" + f"{{literal}}"\n'), undefined);
  });
});

describe('the column guard is the scanner’s own arithmetic', () => {
  it('counts spaces 1, tabs 8, resets on form feed and carriage return, carries over a backslash-newline', () => {
    assert.equal(maxLeadingColumns(Buffer.from('a\n    b\n\t\tc\n')), 16);
    assert.equal(maxLeadingColumns(Buffer.from('a\n    \fb\n')), 4);
    assert.equal(maxLeadingColumns(Buffer.from('a\n    \\\n    b\n')), 8);
    assert.equal(maxLeadingColumns(Buffer.from(`a = """\n${' '.repeat(400)}text\n"""\n`)), 400);
  });
});

describe('real code passes', () => {
  it('a long sum of products (sympy ships generated polynomials of this shape)', () => {
    const term = (i: number) => `${i}*x**${i % 7}*y**${i % 5}`;
    const polynomial = `p = ${Array.from({ length: 700 }, (_, i) => term(i)).join(' + ')}\n`;
    assert.equal(excess(polynomial), undefined);
  });

  it('long data: a list of 100,000 entries, adjacent strings, deep but valid blocks', () => {
    assert.equal(excess(`DATA = [${Array.from({ length: 100_000 }, (_, i) => i).join(', ')}]\n`), undefined);
    assert.equal(excess(`TEXT = (${'\n    "line"'.repeat(20_000)}\n)\n`), undefined);
    assert.equal(excess(PYTHON_NESTING.indent(60, 'pass')), undefined);
  });

  it('comments, strings and bytes that look like brackets do not count', () => {
    const text = `# ${'('.repeat(500)}\ns = "${'['.repeat(500)}"\nb = b'${'{'.repeat(500)}'\nr = r"\\"${'('.repeat(500)}"\n`;
    assert.equal(excess(text), undefined);
  });

  it('never throws on arbitrary bytes', () => {
    let seed = 42;
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.alloc(2000);
      for (let i = 0; i < bytes.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        bytes[i] = '()[]{}"\'\\\n #:,.+-*fbr=lambda not if else \t'.charCodeAt(seed % 44) || seed % 256;
      }
      nestingExcess(bytes);
    }
  });
});

describe('ExpressionDepth', () => {
  it('follows precedence: a sum of products is as deep as its sum, not its operator count', () => {
    const depth = new ExpressionDepth(10_000);
    for (let i = 0; i < 50; i++) {
      if (i > 0) depth.operator(PRECEDENCE.sum);
      depth.operand();
      depth.operator(PRECEDENCE.product);
      depth.operand();
    }
    assert.equal(depth.finish(), 51);
  });

  it('a right-associative chain and prefix operators add up when the expression ends', () => {
    const depth = new ExpressionDepth(10_000);
    depth.prefix(PRECEDENCE.not);
    depth.prefix(PRECEDENCE.not);
    depth.operand();
    depth.operator(PRECEDENCE.power, true);
    depth.operand();
    assert.equal(depth.finish(), 4);
  });
});
