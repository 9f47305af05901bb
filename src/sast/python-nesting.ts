/**
 * How deeply a Python file nests, measured by one linear pass over its bytes before any parser
 * sees it. tree-sitter's Python scanner keeps its indentation and string stacks in a fixed
 * 1024-byte state and aborts the whole process (an assertion, exit 134) when they overflow it:
 * 511 indentation levels with a string open do it, 384 with 255 nested strings; past 256 nested
 * strings it silently misparses the rest of the file. ast-grep's relational rules also grow with
 * depth. Files past the limits below are set aside as not scanned, with the reason.
 *
 * The limits are CPython's own where it has one (a deeper file does not compile, so nothing that
 * can run is set aside), and the column guard is a proof rather than an estimate: the scanner's
 * indentation stack holds strictly increasing widths, so a file whose lines are all indented less
 * than 384 columns cannot overflow it, whatever brackets, strings or syntax errors it holds.
 *
 * Hand-written because it is not a parser: it only follows strings, brackets and indentation, must
 * itself be linear and unbreakable on any bytes, and costs a fraction of a parse (a JS Python
 * parser such as @lezer/python would double the scan's cost to answer a narrower question).
 */

import { ExpressionDepth, PRECEDENCE } from './expression-depth.ts';

export interface NestingLimits {
  /** Indentation levels (CPython's MAXINDENT). */
  indentLevels: number;
  /** Columns of leading whitespace on any line (tree-sitter's state overflows from 384). */
  indentColumns: number;
  /** Brackets open at once (CPython's MAXLEVEL). */
  brackets: number;
  /** Strings open at once, through f-string replacement fields (CPython 3.12's MAXFSTRINGLEVEL). */
  strings: number;
  /** Depth of one expression's tree (`a + b + …`, `not not …`, `f()()…` nest without brackets): CPython's compiler fails near 3,000. */
  chain: number;
}

export const NESTING_LIMITS: NestingLimits = {
  indentLevels: 100,
  indentColumns: 320,
  brackets: 200,
  strings: 150,
  chain: 1000,
};

/** Why a file nests too deeply to scan, or undefined. The reasons are fixed texts, so files group by them. */
export function nestingExcess(source: Buffer, limits: NestingLimits = NESTING_LIMITS): string | undefined {
  if (maxLeadingColumns(source) >= limits.indentColumns) {
    return `indented ${limits.indentColumns} columns or more (the Python parser's state would overflow)`;
  }
  return new NestingScan(source, limits).run();
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const FORM_FEED = 0x0c;
const SPACE = 0x20;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const HASH = 0x23;

/**
 * The widest leading whitespace as tree-sitter's scanner counts it after a newline: a space 1, a
 * tab 8, a form feed or carriage return back to 0, and a backslash-newline carries on counting.
 * Every line counts, inside strings and brackets too: in error recovery the scanner reads them so.
 */
export function maxLeadingColumns(source: Uint8Array): number {
  let max = 0;
  let width = 0;
  let counting = true;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] as number;
    if (byte === NEWLINE) {
      counting = true;
      width = 0;
    } else if (!counting) {
      continue;
    } else if (byte === SPACE) {
      width++;
    } else if (byte === TAB) {
      width += 8;
    } else if (byte === FORM_FEED || byte === CR) {
      width = 0;
    } else if (
      byte === BACKSLASH &&
      (source[i + 1] === NEWLINE || (source[i + 1] === CR && source[i + 2] === NEWLINE))
    ) {
      i += source[i + 1] === CR ? 2 : 1;
    } else {
      counting = false;
    }
    if (width > max) max = width;
  }
  return max;
}

type Context =
  | { kind: 'code'; close: number; call: boolean; depth: ExpressionDepth }
  | { kind: 'field'; spec: boolean; depth: ExpressionDepth }
  | { kind: 'string'; quote: number; triple: boolean; format: boolean; inner: number };

const OPEN_TO_CLOSE = new Map([
  [0x28, 0x29],
  [0x5b, 0x5d],
  [0x7b, 0x7d],
]);
const CLOSERS = new Set([0x29, 0x5d, 0x7d]);
const STRING_PREFIX = /^(?:[rRbBuUfFtT]{1,2})$/;
const QUOTE = new Set([0x22, 0x27]);
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const COLON = 0x3a;
const DOT = 0x2e;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Words that are operators, with their precedence (`not` after an operand is `not in`). */
const WORD_OPERATORS = new Map<string, number>([
  ['or', PRECEDENCE.or],
  ['and', PRECEDENCE.and],
  ['not', PRECEDENCE.not],
  ['in', PRECEDENCE.comparison],
  ['is', PRECEDENCE.comparison],
  ['if', PRECEDENCE.conditional],
  ['await', PRECEDENCE.await],
]);
/** Words that start or split statements and clauses: the expression before them is complete. */
const SEPARATING_WORDS = new Set([
  'as',
  'assert',
  'async',
  'break',
  'case',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'import',
  'match',
  'nonlocal',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);
const LONGEST_WORD = 8;

/** Operator spellings, longest first, with their precedence (`.` is an attribute, handled apart). */
const OPERATORS: [string, number, boolean][] = [
  ['**=', PRECEDENCE.assignment, true],
  ['//=', PRECEDENCE.assignment, true],
  ['>>=', PRECEDENCE.assignment, true],
  ['<<=', PRECEDENCE.assignment, true],
  ['...', -1, false],
  ['->', PRECEDENCE.assignment, true],
  [':=', PRECEDENCE.assignment, true],
  ['**', PRECEDENCE.power, true],
  ['//', PRECEDENCE.product, false],
  ['<<', PRECEDENCE.shift, false],
  ['>>', PRECEDENCE.shift, false],
  ['<=', PRECEDENCE.comparison, false],
  ['>=', PRECEDENCE.comparison, false],
  ['==', PRECEDENCE.comparison, false],
  ['!=', PRECEDENCE.comparison, false],
  ...['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='].map((op): [string, number, boolean] => [
    op,
    PRECEDENCE.assignment,
    true,
  ]),
  ['<', PRECEDENCE.comparison, false],
  ['>', PRECEDENCE.comparison, false],
  ['=', PRECEDENCE.assignment, true],
  ['|', PRECEDENCE.bitOr, false],
  ['^', PRECEDENCE.bitXor, false],
  ['&', PRECEDENCE.bitAnd, false],
  ['+', PRECEDENCE.sum, false],
  ['-', PRECEDENCE.sum, false],
  ['*', PRECEDENCE.product, false],
  ['@', PRECEDENCE.product, false],
  ['/', PRECEDENCE.product, false],
  ['%', PRECEDENCE.product, false],
  ['~', PRECEDENCE.prefix, false],
  ['!', PRECEDENCE.comparison, false],
].map(([text, precedence, right]) => [text as string, precedence as number, right as boolean]);
const OPERATOR_START = new Set(OPERATORS.map(([text]) => text.charCodeAt(0)));

/** Bytes of names and numbers: ASCII letters, digits, `_`, and every non-ASCII byte (UTF-8 identifiers). */
const NAME_BYTE = new Uint8Array(256).map((_, byte) =>
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x5a) ||
  (byte >= 0x61 && byte <= 0x7a) ||
  byte === 0x5f ||
  byte >= 0x80
    ? 1
    : 0,
);

function spelledAt(source: Buffer, text: string, at: number): boolean {
  for (let k = 0; k < text.length; k++) if (source[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

class NestingScan {
  readonly #source: Buffer;
  readonly #limits: NestingLimits;
  /** The root is a code context with no closer; brackets and f-string fields push code contexts, strings their own. */
  readonly #stack: Context[];
  readonly #indents: number[] = [0];
  #brackets = 0;
  #strings = 0;
  #i = 0;

  constructor(source: Buffer, limits: NestingLimits) {
    this.#source = source;
    this.#limits = limits;
    this.#stack = [{ kind: 'code', close: -1, call: false, depth: this.#depth() }];
  }

  run(): string | undefined {
    const source = this.#source;
    const root = this.#stack[0] as Extract<Context, { kind: 'code' }>;
    let lineStart = true;
    while (this.#i < source.length) {
      if (lineStart && this.#stack.length === 1) {
        lineStart = false;
        const excess = this.#indentation();
        if (excess) return excess;
        continue;
      }
      const top = this.#stack.at(-1) as Context;
      const excess = top.kind === 'string' ? this.#inString(top) : this.#inCode(top);
      if (excess) return excess;
      if (this.#stack.length === 1 && source[this.#i - 1] === NEWLINE && !this.#continued()) {
        lineStart = true;
        if (root.depth.end()) return this.#tooDeep();
      }
    }
    return root.depth.end() ? this.#tooDeep() : undefined;
  }

  #depth(): ExpressionDepth {
    return new ExpressionDepth(this.#limits.chain);
  }

  #tooDeep(): string {
    return `an expression nested more than ${this.#limits.chain} levels deep`;
  }

  /** The byte before the newline just passed is a backslash: the logical line goes on. */
  #continued(): boolean {
    const source = this.#source;
    const before = source[this.#i - 2] === CR ? this.#i - 3 : this.#i - 2;
    return source[before] === BACKSLASH;
  }

  /** Leading whitespace of a logical line, as CPython's tokenizer stacks it (blank and comment lines do not count). */
  #indentation(): string | undefined {
    const source = this.#source;
    let width = 0;
    for (; this.#i < source.length; this.#i++) {
      const byte = source[this.#i];
      if (byte === SPACE) width++;
      else if (byte === TAB) width = (Math.floor(width / 8) + 1) * 8;
      else if (byte === FORM_FEED) width = 0;
      else break;
    }
    const next = source[this.#i];
    if (next === undefined || next === NEWLINE || next === CR || next === HASH) return undefined;
    const indents = this.#indents;
    if (width > (indents.at(-1) as number)) {
      indents.push(width);
      if (indents.length - 1 > this.#limits.indentLevels) {
        return `indented more than ${this.#limits.indentLevels} levels (CPython's limit)`;
      }
    } else {
      while (width < (indents.at(-1) as number)) indents.pop();
    }
    return undefined;
  }

  #inString(string: Extract<Context, { kind: 'string' }>): string | undefined {
    const source = this.#source;
    // Plain content in one loop: only backslashes, the quote, newlines and (in f-strings) braces matter.
    let at = this.#i;
    for (; at < source.length; at++) {
      const next = source[at];
      if (next === BACKSLASH || next === string.quote || next === NEWLINE || (string.format && next === OPEN_BRACE))
        break;
    }
    this.#i = at;
    if (at >= source.length) return undefined;
    const byte = source[at] as number;
    if (byte === BACKSLASH) {
      this.#i += 2;
    } else if (byte === string.quote) {
      const closes = !string.triple || (source[at + 1] === byte && source[at + 2] === byte);
      this.#i += closes && string.triple ? 3 : 1;
      if (closes) return this.#closeString();
    } else if (byte === OPEN_BRACE) {
      if (source[at + 1] === OPEN_BRACE) this.#i += 2;
      else return this.#push({ kind: 'field', spec: false, depth: this.#depth() });
    } else {
      // A newline ends an unterminated string, as Python's tokenizer reports it.
      this.#i++;
      if (!string.triple) return this.#closeString();
    }
    return undefined;
  }

  #inCode(code: Extract<Context, { kind: 'code' | 'field' }>): string | undefined {
    const source = this.#source;
    const byte = source[this.#i] as number;
    const depth = code.depth;
    if (code.kind === 'field' && code.spec) {
      // A format spec is text, except for nested fields and the field's end.
      if (byte === OPEN_BRACE) return this.#push({ kind: 'field', spec: false, depth: this.#depth() });
      if (byte === CLOSE_BRACE) return this.#closeCode();
      this.#i++;
      return undefined;
    }
    if (byte === SPACE || byte === TAB || byte === CR || byte === FORM_FEED) {
      let at = this.#i + 1;
      while (source[at] === SPACE || source[at] === TAB) at++;
      this.#i = at;
      return undefined;
    }
    if (byte === NEWLINE) {
      this.#i++;
      return undefined;
    }
    if (byte === HASH) {
      while (this.#i < source.length && source[this.#i] !== NEWLINE) this.#i++;
      return undefined;
    }
    if (byte === BACKSLASH) {
      this.#i++;
      return undefined;
    }
    if (QUOTE.has(byte)) return this.#openString('');
    if (NAME_BYTE[byte] === 1) return this.#word(depth);
    const close = OPEN_TO_CLOSE.get(byte);
    if (close !== undefined) {
      this.#brackets++;
      if (this.#brackets > this.#limits.brackets) {
        return `brackets nested more than ${this.#limits.brackets} deep (CPython's limit)`;
      }
      return this.#push({ kind: 'code', close, call: depth.afterOperand, depth: this.#depth() });
    }
    if (CLOSERS.has(byte)) {
      if ((code.kind === 'code' && code.close === byte) || (code.kind === 'field' && byte === CLOSE_BRACE)) {
        return this.#closeCode();
      }
      this.#i++;
      return undefined;
    }
    if (byte === COMMA || byte === SEMICOLON) {
      this.#i++;
      return (byte === COMMA ? depth.comma() : depth.end()) ? this.#tooDeep() : undefined;
    }
    if (byte === COLON && source[this.#i + 1] !== 0x3d) {
      this.#i++;
      // In a replacement field at its own level, a colon starts the format spec.
      if (code.kind === 'field' && !depth.hasLambda) {
        code.spec = true;
        return depth.end() ? this.#tooDeep() : undefined;
      }
      return depth.colon() ? this.#tooDeep() : undefined;
    }
    if (byte === DOT && source[this.#i + 1] === DOT && source[this.#i + 2] === DOT) {
      this.#i += 3;
      return depth.operand() ? this.#tooDeep() : undefined;
    }
    if (byte === DOT) {
      this.#i++;
      return depth.postfix() ? this.#tooDeep() : undefined;
    }
    if (OPERATOR_START.has(byte)) {
      const [text, precedence, right] = OPERATORS.find(([op]) => spelledAt(source, op, this.#i)) ?? ['', -1, false];
      this.#i += Math.max(1, text.length);
      if (precedence < 0) return undefined;
      return depth.operator(precedence, right) ? this.#tooDeep() : undefined;
    }
    this.#i++;
    return undefined;
  }

  /** A name, keyword or number; only short words can be keywords or string prefixes, so longer ones are not decoded. */
  #word(depth: ExpressionDepth): string | undefined {
    const source = this.#source;
    const start = this.#i;
    const number = source[start] !== undefined && (source[start] as number) <= 0x39;
    let at = start + 1;
    while (at < source.length && (NAME_BYTE[source[at] as number] === 1 || (number && source[at] === DOT))) at++;
    this.#i = at;
    if (at - start > LONGEST_WORD || number) return depth.operand() ? this.#tooDeep() : undefined;
    const word = source.toString('latin1', start, at);
    if (QUOTE.has(source[at] as number) && STRING_PREFIX.test(word)) return this.#openString(word);
    if (word === 'lambda') return depth.lambda() ? this.#tooDeep() : undefined;
    if (word === 'else') return undefined;
    if (SEPARATING_WORDS.has(word)) return depth.end() ? this.#tooDeep() : undefined;
    const precedence = WORD_OPERATORS.get(word);
    if (precedence === undefined) return depth.operand() ? this.#tooDeep() : undefined;
    // `not` after an operand is the first half of `not in`, one comparison.
    if (word === 'not' && depth.afterOperand)
      return depth.operator(PRECEDENCE.comparison) ? this.#tooDeep() : undefined;
    if (word === 'in' && !depth.afterOperand) return undefined;
    return depth.operator(precedence, precedence === PRECEDENCE.conditional) ? this.#tooDeep() : undefined;
  }

  #openString(prefix: string): string | undefined {
    const source = this.#source;
    const quote = source[this.#i] as number;
    const triple = source[this.#i + 1] === quote && source[this.#i + 2] === quote;
    this.#i += triple ? 3 : 1;
    this.#strings++;
    if (this.#strings > this.#limits.strings) {
      return `strings nested more than ${this.#limits.strings} deep (CPython's limit)`;
    }
    this.#stack.push({ kind: 'string', quote, triple, format: /[fFtT]/.test(prefix), inner: 0 });
    return undefined;
  }

  #push(context: Context): string | undefined {
    this.#i++;
    this.#stack.push(context);
    return undefined;
  }

  /** A string ends: an operand in the code around it, as deep as its deepest replacement field. */
  #closeString(): string | undefined {
    const string = this.#stack.pop() as Extract<Context, { kind: 'string' }>;
    this.#strings--;
    return this.#into(string.inner + 1, false);
  }

  /** A bracket or replacement field ends: its depth goes to what encloses it. */
  #closeCode(): string | undefined {
    const code = this.#stack.pop() as Extract<Context, { kind: 'code' | 'field' }>;
    this.#i++;
    const inner = code.depth.finish();
    if (code.kind === 'code') {
      this.#brackets--;
      return this.#into(code.call ? inner : inner + 1, code.call);
    }
    const string = this.#stack.at(-1);
    if (string?.kind === 'string') string.inner = Math.max(string.inner, inner);
    return inner > this.#limits.chain ? this.#tooDeep() : undefined;
  }

  /** An operand of `depth` (or, for a call, one around the last operand) in the enclosing code. */
  #into(depth: number, call: boolean): string | undefined {
    const outer = this.#stack.at(-1);
    if (!outer || outer.kind === 'string') return undefined;
    const crossed = call ? outer.depth.postfix(depth) : outer.depth.operand(depth);
    return crossed ? this.#tooDeep() : undefined;
  }
}
