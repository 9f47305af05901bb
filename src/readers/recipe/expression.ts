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

/** Longer results are refused, so `{% set a = a ~ a %}` repeated cannot exhaust memory. */
const MAX_TEXT_LENGTH = 65_536;
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

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const char = source[position] as string;
    if (/\s/.test(char)) {
      position++;
    } else if (char === '"' || char === "'") {
      let end = position + 1;
      let text = '';
      while (end < source.length && source[end] !== char) {
        if (source[end] === '\\' && end + 1 < source.length) end++;
        text += source[end];
        end++;
      }
      if (end >= source.length) return undefined;
      tokens.push({ kind: 'string', text, start: position });
      position = end + 1;
    } else if (/[0-9]/.test(char)) {
      const number = /^[0-9]+(?:\.[0-9]+)?/.exec(source.slice(position))?.[0] ?? char;
      tokens.push({ kind: 'number', text: number, start: position });
      position += number.length;
    } else if (/[A-Za-z_]/.test(char)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(position))?.[0] ?? char;
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
export function parseExpression(source: string): Node | undefined {
  const tokens = tokenize(source);
  if (!tokens) return undefined;
  const parser = new Parser(source, tokens);
  const node = parser.expression();
  return node && parser.atEnd() ? node : undefined;
}

class Parser {
  private position = 0;
  private depth = 0;
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
      if (!this.isName('else')) return { type: 'conditional', test, testSource, consequent: value };
      this.position++;
      const alternative = this.expression();
      return alternative && { type: 'conditional', test, testSource, consequent: value, alternative };
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
      return operand && { type: 'not', operand };
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
      left = { type: 'binary', operator, left, right };
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
      return operand && { type: 'negate', operand };
    }
    return this.postfix();
  }

  private postfix(): Node | undefined {
    let node = this.primary();
    while (node) {
      const token = this.peek();
      if (this.isOperator(token, '.') && this.peek(1).kind === 'name') {
        node = { type: 'attribute', target: node, name: this.peek(1).text };
        this.position += 2;
      } else if (this.isOperator(token, '[')) {
        this.position++;
        const index = this.expression();
        if (!index || !this.take(']')) return undefined;
        node = { type: 'index', target: node, index };
      } else if (this.isOperator(token, '(')) {
        this.position++;
        const call = this.callArguments();
        if (!call) return undefined;
        node = { type: 'call', callee: node, ...call };
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
        node = { type: 'filter', target: node, name, args };
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
      return this.take(']') ? { type: 'list', items } : undefined;
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
      left = { type: 'binary', operator, left, right };
    }
    return left;
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

export function evaluate(node: Node, scope: Scope): Result {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'variable': {
      const value = scope.get(node.name);
      return value === undefined ? unresolved(`unknown variable "${node.name}"`) : value;
    }
    case 'list': {
      const items = node.items.map((item) => evaluate(item, scope));
      const failed = items.find(isUnresolved);
      return failed ?? (items as Value[]);
    }
    case 'attribute':
      return unresolved(`attribute ".${node.name}"`);
    case 'index':
      return evaluateIndex(evaluate(node.target, scope), evaluate(node.index, scope));
    case 'call':
      return evaluateCall(node, scope);
    case 'filter':
      return evaluateFilter(node, scope);
    case 'not': {
      const operand = evaluate(node.operand, scope);
      return isUnresolved(operand) ? operand : !isTruthy(operand);
    }
    case 'negate': {
      const operand = evaluate(node.operand, scope);
      if (isUnresolved(operand)) return operand;
      return typeof operand === 'number' ? -operand : unresolved('"-" on a non-number');
    }
    case 'binary':
      return evaluateBinary(node.operator, node.left, node.right, scope);
    case 'conditional': {
      const test = evaluate(node.test, scope);
      if (isUnresolved(test)) return test;
      if (isTruthy(test)) return evaluate(node.consequent, scope);
      return node.alternative ? evaluate(node.alternative, scope) : '';
    }
  }
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

function evaluateIndex(target: Result, index: Result): Result {
  if (isUnresolved(target)) return target;
  if (isUnresolved(index)) return index;
  if (typeof index !== 'number' || !Number.isInteger(index)) return unresolved('non-integer index');
  if (typeof target !== 'string' && !Array.isArray(target)) return unresolved('index into a non-sequence');
  const item = index < 0 ? target[target.length + index] : target[index];
  return item === undefined ? unresolved('index out of range') : item;
}

/** Recipe functions that name packages or toolchains; anything else (env, load_setup_py_data, …) is unresolved. */
function evaluateCall(node: Extract<Node, { type: 'call' }>, scope: Scope): Result {
  if (node.callee.type === 'attribute') return evaluateMethod(node.callee, node.args, scope);
  if (node.callee.type !== 'variable') return unresolved('call of an expression');
  const name = node.callee.name;
  if (name === 'compiler' || name === 'stdlib') return NOT_A_PACKAGE;
  if (name === 'pin_subpackage' || name === 'pin_compatible') {
    const first = node.args[0] ? evaluate(node.args[0], scope) : unresolved(`${name}() without a package name`);
    if (isUnresolved(first)) return first;
    return typeof first === 'string' ? first : unresolved(`${name}() without a package name`);
  }
  return unresolved(`function ${name}()`);
}

function evaluateMethod(callee: Extract<Node, { type: 'attribute' }>, argNodes: Node[], scope: Scope): Result {
  const target = evaluate(callee.target, scope);
  if (isUnresolved(target)) return target;
  const args = argNodes.map((arg) => evaluate(arg, scope));
  const failed = args.find(isUnresolved);
  if (failed) return failed;
  return applyStringOperation(callee.name, target, args as Value[]) ?? unresolved(`method .${callee.name}()`);
}

function evaluateFilter(node: Extract<Node, { type: 'filter' }>, scope: Scope): Result {
  const target = evaluate(node.target, scope);
  const args = node.args.map((arg) => evaluate(arg, scope));
  if (node.name === 'default' || node.name === 'd') {
    const fallback = args[0] ?? '';
    return isUnresolved(target) || target === null ? fallback : target;
  }
  if (isUnresolved(target)) return target;
  const failed = args.find(isUnresolved);
  if (failed) return failed;
  return applyStringOperation(node.name, target, args as Value[]) ?? unresolved(`filter "${node.name}"`);
}

/** The string methods and filters recipes use on versions and names; undefined when not one of them. */
function applyStringOperation(name: string, target: Value, args: Value[]): Result | undefined {
  const [first, second] = args;
  if (Array.isArray(target)) {
    if (name === 'join') return target.map(valueToText).join(typeof first === 'string' ? first : '');
    if (name === 'first') return target[0] ?? unresolved('first of an empty list');
    if (name === 'last') return target.at(-1) ?? unresolved('last of an empty list');
    if (name === 'length' || name === 'count') return target.length;
    return undefined;
  }
  if (name === 'string') return limit(valueToText(target));
  if (name === 'int') {
    const number = Number.parseInt(valueToText(target), 10);
    return Number.isNaN(number) ? 0 : number;
  }
  if (typeof target !== 'string') return undefined;
  switch (name) {
    case 'lower':
      return target.toLowerCase();
    case 'upper':
      return target.toUpperCase();
    case 'strip':
    case 'trim':
      return target.trim();
    case 'length':
    case 'count':
      return target.length;
    case 'replace':
      return typeof first === 'string' && typeof second === 'string'
        ? limit(target.replaceAll(first, second))
        : undefined;
    case 'split':
      return target.split(typeof first === 'string' ? first : /\s+/);
    case 'startswith':
      return typeof first === 'string' ? target.startsWith(first) : undefined;
    case 'endswith':
      return typeof first === 'string' ? target.endsWith(first) : undefined;
    default:
      return undefined;
  }
}

function evaluateBinary(operator: string, leftNode: Node, rightNode: Node, scope: Scope): Result {
  const left = evaluate(leftNode, scope);
  if (operator === 'and' || operator === 'or') {
    if (isUnresolved(left)) return left;
    if (operator === 'and' ? !isTruthy(left) : isTruthy(left)) return left;
    return evaluate(rightNode, scope);
  }
  const right = evaluate(rightNode, scope);
  if (isUnresolved(left)) return left;
  if (isUnresolved(right)) return right;
  switch (operator) {
    case '~':
      return limit(valueToText(left) + valueToText(right));
    case '==':
      return valueToText(left) === valueToText(right) && typeof left === typeof right;
    case '!=':
      return !(valueToText(left) === valueToText(right) && typeof left === typeof right);
    case 'in':
    case 'not in': {
      const contained = containsValue(right, left);
      if (contained === undefined) return unresolved(`"${operator}" on a non-container`);
      return operator === 'in' ? contained : !contained;
    }
    case '+':
      if (typeof left === 'number' && typeof right === 'number') return left + right;
      if (typeof left === 'string' && typeof right === 'string') return limit(left + right);
      if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
      return unresolved('"+" on mixed types');
  }
  if (typeof left === 'number' && typeof right === 'number') return arithmetic(operator, left, right);
  if (typeof left === 'string' && typeof right === 'string' && ['<', '>', '<=', '>='].includes(operator)) {
    return arithmetic(operator, left < right ? -1 : left > right ? 1 : 0, 0);
  }
  return unresolved(`"${operator}" on these operands`);
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

function containsValue(container: Value, item: Value): boolean | undefined {
  if (typeof container === 'string') return typeof item === 'string' ? container.includes(item) : undefined;
  if (Array.isArray(container)) return container.some((entry) => valueToText(entry) === valueToText(item));
  return undefined;
}

function limit(text: string): Result {
  return text.length > MAX_TEXT_LENGTH ? unresolved('text too long') : text;
}
