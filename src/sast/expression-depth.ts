/**
 * The depth of the syntax tree a run of Python expression tokens makes, by operator precedence
 * (shunting-yard, keeping only depths instead of building the tree). Chains deepen a tree without
 * any bracket: `a + b + …` and `f()()…` nest to the left, `a ** b ** …`, `not not …` and
 * `x if c else y if …` to the right. Counting every operator instead would call a long sum of
 * products as deep as its length (sympy ships such generated polynomials).
 */

interface Operator {
  precedence: number;
  right: boolean;
  unary: boolean;
}

/** Python's precedence, loosest first; a prefix `-` binds tighter than `*`, `**` tighter still. */
export const PRECEDENCE = {
  assignment: 0,
  lambda: 1,
  conditional: 2,
  or: 3,
  and: 4,
  not: 5,
  comparison: 6,
  bitOr: 7,
  bitXor: 8,
  bitAnd: 9,
  shift: 10,
  sum: 11,
  product: 12,
  prefix: 13,
  power: 14,
  await: 15,
} as const;

export class ExpressionDepth {
  readonly #limit: number;
  readonly #operands: number[] = [];
  readonly #operators: Operator[] = [];
  #afterOperand = false;
  /** `lambda`s whose parameter list (commas) and `:` are still to come. */
  #lambdas = 0;
  /** The deepest expression finished here. */
  #deepest = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Whether a lambda's `:` is still to come (so a colon is not a separator). */
  get hasLambda(): boolean {
    return this.#lambdas > 0;
  }

  /** Whether the last token ended an operand (so `(` calls, `-` subtracts, a string concatenates). */
  get afterOperand(): boolean {
    return this.#afterOperand;
  }

  /** A name, number or literal of the given depth; adjacent operands (`"a" "b"`) are one. Returns whether the limit was crossed. */
  operand(depth = 1): boolean {
    if (this.#afterOperand) this.#replaceTop(Math.max(this.#operands.at(-1) ?? 0, depth));
    else this.#operands.push(depth);
    this.#afterOperand = true;
    return depth > this.#limit;
  }

  /** A call, subscript or attribute applied to the last operand, around an inner expression of `inner` depth. */
  postfix(inner = 0): boolean {
    const depth = Math.max(this.#operands.at(-1) ?? 0, inner) + 1;
    if (this.#afterOperand) this.#replaceTop(depth);
    else this.#operands.push(depth);
    this.#afterOperand = true;
    return depth > this.#limit;
  }

  /** A binary operator after an operand, else a prefix one (`-x`, `not x`, `*args`). */
  operator(precedence: number, right = false): boolean {
    if (!this.#afterOperand) return this.prefix(precedence);
    this.#reduceWhile(precedence, right);
    this.#operators.push({ precedence, right, unary: false });
    this.#afterOperand = false;
    return this.#crossed();
  }

  prefix(precedence: number): boolean {
    this.#operators.push({ precedence, right: true, unary: true });
    this.#afterOperand = false;
    return this.#crossed();
  }

  lambda(): boolean {
    this.#lambdas++;
    return this.prefix(PRECEDENCE.lambda);
  }

  /** A comma: it separates expressions, except between a lambda's parameters. */
  comma(): boolean {
    if (this.#lambdas > 0) {
      this.#afterOperand = false;
      return false;
    }
    return this.end();
  }

  /** A colon: a lambda's body follows, or it separates (dict, slice, annotation, block). */
  colon(): boolean {
    if (this.#lambdas > 0) {
      this.#lambdas--;
      this.#afterOperand = false;
      return false;
    }
    return this.end();
  }

  /** The expression ends (separator, end of line): its depth is final. */
  end(): boolean {
    this.#reduceWhile(-1, false);
    let depth = 0;
    for (const operand of this.#operands) depth = Math.max(depth, operand);
    this.#operands.length = 0;
    this.#afterOperand = false;
    this.#lambdas = 0;
    this.#deepest = Math.max(this.#deepest, depth);
    return depth > this.#limit;
  }

  /** Ends the last expression and gives the deepest one seen. */
  finish(): number {
    this.end();
    return this.#deepest;
  }

  /** Pending operators will each add a level once their operands are in. */
  #crossed(): boolean {
    return this.#operators.length + (this.#operands.at(-1) ?? 0) > this.#limit;
  }

  #replaceTop(depth: number): void {
    this.#operands[this.#operands.length - 1] = depth;
  }

  #reduceWhile(precedence: number, right: boolean): void {
    const operators = this.#operators;
    for (let top = operators.at(-1); top; top = operators.at(-1)) {
      if (top.precedence < precedence || (top.precedence === precedence && right)) return;
      operators.pop();
      const last = this.#operands.pop() ?? 0;
      const depth = top.unary ? last + 1 : Math.max(this.#operands.pop() ?? 0, last) + 1;
      this.#operands.push(depth);
    }
  }
}
