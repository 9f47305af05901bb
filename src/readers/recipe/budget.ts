/**
 * What rendering one recipe's templates may cost. A recipe is untrusted input, and its template
 * language, small as it is, multiplies: `{% set a = a + a %}` doubles a value per line, `replace`
 * and `join` build strings far larger than their inputs, and every line under 20,000 nested
 * `{% if %}` blocks would carry 20,000 conditions. One budget per recipe counts the work (steps) and
 * the characters built across all of its templates; crossing a limit stops the read with a
 * RECIPE_INVALID error naming the limit, the file and, where known, the line.
 */
import { CvebuildError } from '../../errors.ts';

export interface TemplateLimits {
  /** Expression nodes evaluated, tokens parsed and tags applied, over the whole recipe. */
  maxSteps: number;
  /** Characters of strings and list items the templates build, over the whole recipe. */
  maxBuiltChars: number;
  /** One value: a string's length, a list's rendered length. A larger value is unresolved, not built. */
  maxValueLength: number;
  /** Lists nested in lists: a larger nesting is unresolved. */
  maxListDepth: number;
  /** Characters between one tag's delimiters (`{{ … }}`, `{% … %}`, `${{ … }}`). */
  maxTagLength: number;
  /** `{% if %}` blocks open at once. */
  maxIfDepth: number;
  /** The condition text one line sits under (all open `{% if %}` blocks joined). */
  maxConditionLength: number;
}

/**
 * Real recipes stay far inside these: conda-forge's are a few hundred lines with a few dozen
 * templates, values of tens of characters, and `{% if %}` nested two or three deep.
 */
export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  maxSteps: 1_000_000,
  maxBuiltChars: 16 * 1024 * 1024,
  maxValueLength: 65_536,
  maxListDepth: 16,
  maxTagLength: 16_384,
  maxIfDepth: 32,
  maxConditionLength: 4096,
};

/** Thrown inside the template machinery; the reader turns it into a RECIPE_INVALID naming the file. */
export class TemplateBudgetExceeded extends Error {
  readonly limit: keyof TemplateLimits;
  readonly line: number | undefined;

  constructor(limit: keyof TemplateLimits, message: string, line?: number) {
    super(`${message} (limit ${limit})`);
    this.name = 'TemplateBudgetExceeded';
    this.limit = limit;
    this.line = line;
  }
}

export class TemplateBudget {
  readonly limits: TemplateLimits;
  #steps = 0;
  #built = 0;

  constructor(limits: Partial<TemplateLimits> = {}) {
    this.limits = { ...DEFAULT_TEMPLATE_LIMITS, ...limits };
  }

  step(count = 1): void {
    this.#steps += count;
    if (this.#steps > this.limits.maxSteps) {
      throw new TemplateBudgetExceeded('maxSteps', `templates take more than ${this.limits.maxSteps} steps`);
    }
  }

  /** Charged before a string or list of `chars` characters is built. */
  build(chars: number): void {
    this.#built += chars;
    if (this.#built > this.limits.maxBuiltChars) {
      throw new TemplateBudgetExceeded(
        'maxBuiltChars',
        `templates build more than ${this.limits.maxBuiltChars} characters`,
      );
    }
  }

  /** A tag's body, before it is parsed. */
  checkTag(length: number, line?: number): void {
    if (length > this.limits.maxTagLength) {
      throw new TemplateBudgetExceeded(
        'maxTagLength',
        `template tag of ${length} characters is longer than ${this.limits.maxTagLength}`,
        line,
      );
    }
  }
}

/** Runs a recipe read, turning a crossed template limit into the one-line error the CLI prints. */
export function withinTemplateBudget<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof TemplateBudgetExceeded)) throw error;
    throw new CvebuildError('RECIPE_INVALID', error.message, error.line ? { file, line: error.line } : { file });
  }
}
