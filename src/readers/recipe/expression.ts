/**
 * The Jinja expression subset recipes use in `${{ … }}` / `{{ … }}` and `{% set %}`: literals,
 * variables, `~ + - * /`, comparisons, `and or not`, `x if c else y`, indexing, string methods,
 * filters (`lower`, `replace`, `default`, …) and the recipe functions (`compiler`, `pin_subpackage`, …).
 *
 * Written here rather than taken from a Jinja engine because a recipe is untrusted input: a real
 * engine executes template code (attribute access reaches into the host objects), while this
 * evaluator only computes values from literals and recipe variables. Anything outside the subset
 * evaluates to `Unresolved`, and the caller keeps the raw text.
 */

import type { TemplateBudget } from './budget.ts';

/** What `compiler('c')` / `stdlib('c')` evaluate to: a toolchain placeholder, not a package. */
export const NOT_A_PACKAGE: unique symbol = Symbol('not a package');

export type Value = string | number | boolean | null | Value[] | typeof NOT_A_PACKAGE;

export interface Unresolved {
  unresolved: string;
}

export type Result = Value | Unresolved;

export type Scope = ReadonlyMap<string, Value>;

export type Node =
  | { type: 'literal'; value: Value }
  | { type: 'variable'; name: string }
  | { type: 'list'; items: Node[] }
  | { type: 'attribute'; target: Node; name: string }
  | { type: 'index'; target: Node; index: Node }
  | { type: 'call'; callee: Node; args: Node[]; kwargs: Map<string, Node> }
  | { type: 'filter'; target: Node; name: string; args: Node[] }
  | { type: 'not'; operand: Node }
  | { type: 'negate'; operand: Node }
  | { type: 'binary'; operator: string; left: Node; right: Node }
  | { type: 'conditional'; test: Node; testSource: string; consequent: Node; alternative?: Node };

/** Deeper expressions (nesting, or chains such as `a ~ b ~ c …`) are outside the subset: evaluation recurses this deep at most. */
const MAX_DEPTH = 48;

export function isUnresolved(result: Result): result is Unresolved {
  return typeof result === 'object' && result !== null && !Array.isArray(result);
}

function unresolved(reason: string): Unresolved {
  return { unresolved: reason };
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface Token {
  kind: 'string' | 'number' | 'name' | 'operator' | 'end';
  text: string;
  start: number;
}

const OPERATORS = [
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '~',
  '+',
  '-',
  '*',
  '/',
  '%',
  '|',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '=',
  ':',
];

// Sticky patterns matched in place: slicing the rest of the source per token would be quadratic.
const SPACE = /\s+/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function matchAt(pattern: RegExp, source: string, position: number): string | undefined {
  pattern.lastIndex = position;
  return pattern.exec(source)?.[0];
}

function tokenize(source: string, budget: TemplateBudget): Token[] | undefined {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    budget.step();
    const char = source[position] as string;
    const space = matchAt(SPACE, source, position);
    if (space) {
      position += space.length;
    } else if (char === '"' || char === "'") {
      const parts: string[] = [];
      let end = position + 1;
      let from = end;
      while (end < source.length && source[end] !== char) {
        if (source[end] === '\\' && end + 1 < source.length) {
          parts.push(source.slice(from, end));
          end++;
          from = end;
        }
        end++;
      }
      if (end >= source.length) return undefined;
      parts.push(source.slice(from, end));
      tokens.push({ kind: 'string', text: parts.join(''), start: position });
      position = end + 1;
    } else if (/[0-9]/.test(char)) {
      const number = matchAt(NUMBER, source, position) ?? char;
      tokens.push({ kind: 'number', text: number, start: position });
      position += number.length;
    } else if (/[A-Za-z_]/.test(char)) {
      const name = matchAt(NAME, source, position) ?? char;
      tokens.push({ kind: 'name', text: name, start: position });
      position += name.length;
    } else {
      const operator = OPERATORS.find((op) => source.startsWith(op, position));
      if (!operator) return undefined;
      tokens.push({ kind: 'operator', text: operator, start: position });
      position += operator.length;
    }
  }
  tokens.push({ kind: 'end', text: '', start: source.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent, Jinja's precedence (conditional < or < and < not < compare < ~ < + < * < unary < postfix)

/** The expression tree, or undefined when the text is outside the supported subset. */
export function parseExpression(source: string, budget: TemplateBudget): Node | undefined {
  const tokens = tokenize(source, budget);
  if (!tokens) return undefined;
  const parser = new Parser(source, tokens);
  const node = parser.expression();
  return node && parser.atEnd() ? node : undefined;
}

class Parser {
  private position = 0;
  /** Parser recursion (parentheses, `not`, unary minus), bounded so the parser's own stack is. */
  private depth = 0;
  /** Height of each node built: chains (`a ~ b ~ …`, `x|f|f …`) nest without recursing here, but evaluation recurses. */
  private readonly heights = new WeakMap<Node, number>();
  private readonly source: string;
  private readonly tokens: Token[];

  constructor(source: string, tokens: Token[]) {
    this.source = source;
    this.tokens = tokens;
  }

  atEnd(): boolean {
    return this.peek().kind === 'end';
  }

  expression(): Node | undefined {
    if (++this.depth > MAX_DEPTH) return undefined;
    try {
      const value = this.or();
      if (!value || !this.isName('if')) return value;
      this.position++;
      const testStart = this.peek().start;
      const test = this.or();
      if (!test) return undefined;
      const testSource = this.source.slice(testStart, this.peek().start).trim();
      if (!this.isName('else'))
        return this.made({ type: 'conditional', test, testSource, consequent: value }, [test, value]);
      this.position++;
      const alternative = this.expression();
      return (
        alternative &&
        this.made({ type: 'conditional', test, testSource, consequent: value, alternative }, [test, value, alternative])
      );
    } finally {
      this.depth--;
    }
  }

  private or(): Node | undefined {
    return this.leftAssociative(
      () => this.and(),
      (token) => token.kind === 'name' && token.text === 'or',
    );
  }

  private and(): Node | undefined {
    return this.leftAssociative(
      () => this.not(),
      (token) => token.kind === 'name' && token.text === 'and',
    );
  }

  private not(): Node | undefined {
    if (this.isName('not')) {
      this.position++;
      if (++this.depth > MAX_DEPTH) return undefined;
      const operand = this.not();
      this.depth--;
      return operand && this.made({ type: 'not', operand }, [operand]);
    }
    return this.comparison();
  }

  private comparison(): Node | undefined {
    let left = this.concat();
    while (left) {
      const token = this.peek();
      let operator: string | undefined;
      if (token.kind === 'operator' && ['==', '!=', '<', '>', '<=', '>='].includes(token.text)) operator = token.text;
      else if (this.isName('in')) operator = 'in';
      else if (this.isName('not') && this.peek(1).kind === 'name' && this.peek(1).text === 'in') operator = 'not in';
      if (!operator) break;
      this.position += operator === 'not in' ? 2 : 1;
      const right = this.concat();
      if (!right) return undefined;
      left = this.made({ type: 'binary', operator, left, right }, [left, right]);
    }
    return left;
  }

  private concat(): Node | undefined {
    return this.leftAssociative(
      () => this.additive(),
      (token) => this.isOperator(token, '~'),
    );
  }

  private additive(): Node | undefined {
    return this.leftAssociative(
      () => this.multiplicative(),
      (token) => this.isOperator(token, '+', '-'),
    );
  }

  private multiplicative(): Node | undefined {
    return this.leftAssociative(
      () => this.unary(),
      (token) => this.isOperator(token, '*', '/', '//', '%'),
    );
  }

  private unary(): Node | undefined {
    if (this.isOperator(this.peek(), '-')) {
      this.position++;
      if (++this.depth > MAX_DEPTH) return undefined;
      const operand = this.unary();
      this.depth--;
      return operand && this.made({ type: 'negate', operand }, [operand]);
    }
    return this.postfix();
  }

  private postfix(): Node | undefined {
    let node = this.primary();
    while (node) {
      const token = this.peek();
      if (this.isOperator(token, '.') && this.peek(1).kind === 'name') {
        node = this.made({ type: 'attribute', target: node, name: this.peek(1).text }, [node]);
        this.position += 2;
      } else if (this.isOperator(token, '[')) {
        this.position++;
        const index = this.expression();
        if (!index || !this.take(']')) return undefined;
        node = this.made({ type: 'index', target: node, index }, [node, index]);
      } else if (this.isOperator(token, '(')) {
        this.position++;
        const call = this.callArguments();
        if (!call) return undefined;
        node = this.made({ type: 'call', callee: node, ...call }, [node, ...call.args, ...call.kwargs.values()]);
      } else if (this.isOperator(token, '|') && this.peek(1).kind === 'name') {
        const name = this.peek(1).text;
        this.position += 2;
        let args: Node[] = [];
        if (this.isOperator(this.peek(), '(')) {
          this.position++;
          const call = this.callArguments();
          if (!call) return undefined;
          args = call.args;
        }
        node = this.made({ type: 'filter', target: node, name, args }, [node, ...args]);
      } else {
        break;
      }
    }
    return node;
  }

  private primary(): Node | undefined {
    const token = this.peek();
    this.position++;
    if (token.kind === 'string') return { type: 'literal', value: token.text };
    if (token.kind === 'number') return { type: 'literal', value: Number(token.text) };
    if (token.kind === 'name') {
      const constant = CONSTANTS.get(token.text);
      return constant === undefined ? { type: 'variable', name: token.text } : { type: 'literal', value: constant };
    }
    if (this.isOperator(token, '(')) {
      const inner = this.expression();
      return inner && this.take(')') ? inner : undefined;
    }
    if (this.isOperator(token, '[')) {
      const items: Node[] = [];
      while (!this.isOperator(this.peek(), ']')) {
        const item = this.expression();
        if (!item) return undefined;
        items.push(item);
        if (!this.take(',')) break;
      }
      return this.take(']') ? this.made({ type: 'list', items }, items) : undefined;
    }
    return undefined;
  }

  /** `(a, b, key=value)` after the opening parenthesis. */
  private callArguments(): { args: Node[]; kwargs: Map<string, Node> } | undefined {
    const args: Node[] = [];
    const kwargs = new Map<string, Node>();
    while (!this.isOperator(this.peek(), ')')) {
      if (this.peek().kind === 'name' && this.isOperator(this.peek(1), '=')) {
        const name = this.peek().text;
        this.position += 2;
        const value = this.expression();
        if (!value) return undefined;
        kwargs.set(name, value);
      } else {
        const value = this.expression();
        if (!value) return undefined;
        args.push(value);
      }
      if (!this.take(',')) break;
    }
    return this.take(')') ? { args, kwargs } : undefined;
  }

  private leftAssociative(operand: () => Node | undefined, isOperator: (token: Token) => boolean): Node | undefined {
    let left = operand();
    while (left && isOperator(this.peek())) {
      const operator = this.peek().text;
      this.position++;
      const right = operand();
      if (!right) return undefined;
      left = this.made({ type: 'binary', operator, left, right }, [left, right]);
    }
    return left;
  }

  /** `node`, one higher than its highest child; undefined (outside the subset) past MAX_DEPTH. */
  private made<N extends Node>(node: N, children: readonly Node[]): N | undefined {
    let height = 0;
    for (const child of children) height = Math.max(height, this.heights.get(child) ?? 1);
    if (height + 1 > MAX_DEPTH) return undefined;
    this.heights.set(node, height + 1);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }

  private isName(name: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.text === name;
  }

  private isOperator(token: Token, ...operators: string[]): boolean {
    return token.kind === 'operator' && operators.includes(token.text);
  }

  private take(operator: string): boolean {
    if (!this.isOperator(this.peek(), operator)) return false;
    this.position++;
    return true;
  }
}

const CONSTANTS = new Map<string, Value>([
  ['true', true],
  ['True', true],
  ['false', false],
  ['False', false],
  ['none', null],
  ['None', null],
]);

// ---------------------------------------------------------------------------------------------
// Evaluation
//
// Every value an operation builds is sized before it is built (a replace or join is computed from
// its parts' lengths first), refused as unresolved past maxValueLength, and charged to the
// recipe's budget; each node evaluated is a step.

export function evaluate(node: Node, scope: Scope, budget: TemplateBudget): Result {
  return new Evaluator(scope, budget).evaluate(node);
}

export function isTruthy(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== '' && value !== 0 && value !== false && value !== null;
}

/** Jinja's rendering of a value: Python's `str()`. */
export function valueToText(value: Value): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === NOT_A_PACKAGE) return '';
  if (Array.isArray(value))
    return `[${value.map((item) => (typeof item === 'string' ? `'${item}'` : valueToText(item))).join(', ')}]`;
  return String(value);
}

interface Measure {
  /** Length of the value's text (`valueToText`). */
  length: number;
  /** Lists nested in it. */
  depth: number;
}

/** Lists are measured once: a list may be shared many times over (`[a, a]`), its text never built to size it. */
const measured = new WeakMap<readonly Value[], Measure>();

/** The value's text length and list depth, without building its text (lists past `depthLimit` stop the count). */
function measure(value: Value, depthLimit: number): Measure {
  if (!Array.isArray(value))
    return { length: typeof value === 'string' ? value.length : valueToText(value).length, depth: 0 };
  const known = measured.get(value);
  if (known) return known;
  let length = 2 + 2 * Math.max(0, value.length - 1);
  let depth = 1;
  for (const item of value) {
    if (depth > depthLimit) break;
    const inner = measure(item, depthLimit - 1);
    length += inner.length + (typeof item === 'string' ? 2 : 0);
    depth = Math.max(depth, inner.depth + 1);
  }
  const result = { length, depth };
  measured.set(value, result);
  return result;
}

/** The length of `valueToText(value)`, or Infinity for lists nested deeper than the budget allows. */
export function textLength(value: Value, budget: TemplateBudget): number {
  const { length, depth } = measure(value, budget.limits.maxListDepth + 1);
  return depth > budget.limits.maxListDepth ? Number.POSITIVE_INFINITY : length;
}

/** `valueToText` of a value the budget allows to render, charged; undefined for one it does not. */
export function renderValue(value: Value, budget: TemplateBudget): string | undefined {
  const length = textLength(value, budget);
  if (length > budget.limits.maxValueLength) return undefined;
  budget.build(length);
  return valueToText(value);
}

class Evaluator {
  readonly #scope: Scope;
  readonly #budget: TemplateBudget;

  constructor(scope: Scope, budget: TemplateBudget) {
    this.#scope = scope;
    this.#budget = budget;
  }

  evaluate(node: Node): Result {
    this.#budget.step();
    switch (node.type) {
      case 'literal':
        return node.value;
      case 'variable': {
        const value = this.#scope.get(node.name);
        return value === undefined ? unresolved(`unknown variable "${node.name}"`) : value;
      }
      case 'list': {
        const items = node.items.map((item) => this.evaluate(item));
        const failed = items.find(isUnresolved);
        return failed ?? this.list(items as Value[]);
      }
      case 'attribute':
        return unresolved(`attribute ".${node.name}"`);
      case 'index':
        return evaluateIndex(this.evaluate(node.target), this.evaluate(node.index));
      case 'call':
        return this.call(node);
      case 'filter':
        return this.filter(node);
      case 'not': {
        const operand = this.evaluate(node.operand);
        return isUnresolved(operand) ? operand : !isTruthy(operand);
      }
      case 'negate': {
        const operand = this.evaluate(node.operand);
        if (isUnresolved(operand)) return operand;
        return typeof operand === 'number' ? -operand : unresolved('"-" on a non-number');
      }
      case 'binary':
        return this.binary(node.operator, node.left, node.right);
      case 'conditional': {
        const test = this.evaluate(node.test);
        if (isUnresolved(test)) return test;
        if (isTruthy(test)) return this.evaluate(node.consequent);
        return node.alternative ? this.evaluate(node.alternative) : '';
      }
    }
  }

  /**
   * The length of `value`'s text, charged (reading a value's characters is work too); Infinity for
   * a list nested deeper than allowed, whose text is never built (nor recursed into).
   */
  #length(value: Value): number {
    const length = textLength(value, this.#budget);
    if (Number.isFinite(length)) this.#budget.build(length);
    return length;
  }

  /** A string of `length` characters about to be built by `build`, or unresolved when too long. */
  #text(length: number, build: () => string): Result {
    if (length > this.#budget.limits.maxValueLength) return unresolved('text too long');
    this.#budget.build(length);
    return build();
  }

  list(items: Value[]): Result {
    const length = textLength(items, this.#budget);
    if (!Number.isFinite(length)) return unresolved('lists nested too deeply');
    if (length > this.#budget.limits.maxValueLength) return unresolved('list too long');
    this.#budget.build(length);
    return items;
  }

  /** Recipe functions that name packages or toolchains; anything else (env, load_setup_py_data, …) is unresolved. */
  call(node: Extract<Node, { type: 'call' }>): Result {
    if (node.callee.type === 'attribute') return this.method(node.callee, node.args);
    if (node.callee.type !== 'variable') return unresolved('call of an expression');
    const name = node.callee.name;
    if (name === 'compiler' || name === 'stdlib') return NOT_A_PACKAGE;
    if (name === 'pin_subpackage' || name === 'pin_compatible') {
      const first = node.args[0] ? this.evaluate(node.args[0]) : unresolved(`${name}() without a package name`);
      if (isUnresolved(first)) return first;
      return typeof first === 'string' ? first : unresolved(`${name}() without a package name`);
    }
    return unresolved(`function ${name}()`);
  }

  method(callee: Extract<Node, { type: 'attribute' }>, argNodes: Node[]): Result {
    const target = this.evaluate(callee.target);
    if (isUnresolved(target)) return target;
    const args = argNodes.map((arg) => this.evaluate(arg));
    const failed = args.find(isUnresolved);
    if (failed) return failed;
    return this.stringOperation(callee.name, target, args as Value[]) ?? unresolved(`method .${callee.name}()`);
  }

  filter(node: Extract<Node, { type: 'filter' }>): Result {
    const target = this.evaluate(node.target);
    const args = node.args.map((arg) => this.evaluate(arg));
    if (node.name === 'default' || node.name === 'd') {
      const fallback = args[0] ?? '';
      return isUnresolved(target) || target === null ? fallback : target;
    }
    if (isUnresolved(target)) return target;
    const failed = args.find(isUnresolved);
    if (failed) return failed;
    return this.stringOperation(node.name, target, args as Value[]) ?? unresolved(`filter "${node.name}"`);
  }

  /** The string methods and filters recipes use on versions and names; undefined when not one of them. */
  stringOperation(name: string, target: Value, args: Value[]): Result | undefined {
    const [first, second] = args;
    if (Array.isArray(target)) {
      if (name === 'join') {
        const separator = typeof first === 'string' ? first : '';
        const texts: { item: Value; length: number }[] = target.map((item: Value) => ({
          item,
          length: this.#length(item),
        }));
        const length =
          texts.reduce((sum, text) => sum + text.length, 0) + separator.length * Math.max(0, target.length - 1);
        return this.#text(length, () => texts.map(({ item }) => valueToText(item)).join(separator));
      }
      if (name === 'first') return target[0] ?? unresolved('first of an empty list');
      if (name === 'last') return target.at(-1) ?? unresolved('last of an empty list');
      if (name === 'length' || name === 'count') return target.length;
      return undefined;
    }
    if (name === 'string') return this.#text(this.#length(target), () => valueToText(target));
    if (name === 'int') {
      const number = Number.parseInt(valueToText(target), 10);
      return Number.isNaN(number) ? 0 : number;
    }
    if (typeof target !== 'string') return undefined;
    this.#budget.build(target.length);
    switch (name) {
      case 'lower':
        return this.#text(target.length, () => target.toLowerCase());
      case 'upper':
        // Case mapping can lengthen a string (ß → SS), up to three times.
        return this.#text(3 * target.length, () => target.toUpperCase());
      case 'strip':
      case 'trim':
        return target.trim();
      case 'length':
      case 'count':
        return target.length;
      case 'replace':
        return typeof first === 'string' && typeof second === 'string'
          ? this.#text(replacedLength(target, first, second), () => target.replaceAll(first, second))
          : undefined;
      case 'split': {
        const parts = target.split(typeof first === 'string' ? first : /\s+/);
        return this.list(parts);
      }
      case 'startswith':
        return typeof first === 'string' ? target.startsWith(first) : undefined;
      case 'endswith':
        return typeof first === 'string' ? target.endsWith(first) : undefined;
      default:
        return undefined;
    }
  }

  binary(operator: string, leftNode: Node, rightNode: Node): Result {
    const left = this.evaluate(leftNode);
    if (operator === 'and' || operator === 'or') {
      if (isUnresolved(left)) return left;
      if (operator === 'and' ? !isTruthy(left) : isTruthy(left)) return left;
      return this.evaluate(rightNode);
    }
    const right = this.evaluate(rightNode);
    if (isUnresolved(left)) return left;
    if (isUnresolved(right)) return right;
    switch (operator) {
      case '~':
        return this.#text(this.#length(left) + this.#length(right), () => valueToText(left) + valueToText(right));
      case '==':
      case '!=': {
        const length = this.#length(left);
        if (!Number.isFinite(length) || !Number.isFinite(this.#length(right)))
          return unresolved('lists nested too deeply');
        const equal =
          length === this.#length(right) && typeof left === typeof right && valueToText(left) === valueToText(right);
        return operator === '==' ? equal : !equal;
      }
      case 'in':
      case 'not in': {
        const contained = this.#contains(right, left);
        if (contained === undefined) return unresolved(`"${operator}" on a non-container`);
        return operator === 'in' ? contained : !contained;
      }
      case '+':
        if (typeof left === 'number' && typeof right === 'number') return left + right;
        if (typeof left === 'string' && typeof right === 'string') {
          return this.#text(left.length + right.length, () => left + right);
        }
        if (Array.isArray(left) && Array.isArray(right)) {
          const length = this.#length(left) + this.#length(right);
          if (length > this.#budget.limits.maxValueLength) return unresolved('list too long');
          return this.list([...left, ...right]);
        }
        return unresolved('"+" on mixed types');
    }
    if (typeof left === 'number' && typeof right === 'number') return arithmetic(operator, left, right);
    if (typeof left === 'string' && typeof right === 'string' && ['<', '>', '<=', '>='].includes(operator)) {
      this.#budget.build(left.length + right.length);
      return arithmetic(operator, left < right ? -1 : left > right ? 1 : 0, 0);
    }
    return unresolved(`"${operator}" on these operands`);
  }

  #contains(container: Value, item: Value): boolean | undefined {
    if (typeof container === 'string') {
      if (typeof item !== 'string') return undefined;
      this.#budget.build(container.length + item.length);
      return container.includes(item);
    }
    if (Array.isArray(container)) {
      const wanted = this.#length(item);
      if (!Number.isFinite(wanted) || !Number.isFinite(this.#length(container))) return undefined;
      return container.some((entry) => this.#length(entry) === wanted && valueToText(entry) === valueToText(item));
    }
    return undefined;
  }
}

/** Length of `target.replaceAll(search, replacement)`, counted before it is built. */
function replacedLength(target: string, search: string, replacement: string): number {
  let count = 0;
  if (search === '') count = target.length + 1;
  else for (let at = target.indexOf(search); at !== -1; at = target.indexOf(search, at + search.length)) count++;
  return target.length + count * (replacement.length - search.length);
}

function evaluateIndex(target: Result, index: Result): Result {
  if (isUnresolved(target)) return target;
  if (isUnresolved(index)) return index;
  if (typeof index !== 'number' || !Number.isInteger(index)) return unresolved('non-integer index');
  if (typeof target !== 'string' && !Array.isArray(target)) return unresolved('index into a non-sequence');
  const item = index < 0 ? target[target.length + index] : target[index];
  return item === undefined ? unresolved('index out of range') : item;
}

function arithmetic(operator: string, left: number, right: number): Result {
  switch (operator) {
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    case '>=':
      return left >= right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0 ? unresolved('division by zero') : left / right;
    case '//':
      return right === 0 ? unresolved('division by zero') : Math.floor(left / right);
    case '%':
      return right === 0 ? unresolved('division by zero') : left % right;
    default:
      return unresolved(`operator "${operator}"`);
  }
}
