/**
 * Rendering `${{ … }}` (rattler-build) and `{{ … }}` (conda-build) expressions inside recipe text.
 * An expression that cannot be evaluated is swapped for a placeholder token made of Unicode
 * private-use characters: the text stays valid YAML and a valid MatchSpec, and the raw template
 * comes back (with a warning) wherever a placeholder reaches an extracted value.
 */
import type { TemplateBudget } from './budget.ts';
import {
  evaluate,
  isUnresolved,
  NOT_A_PACKAGE,
  type Node,
  parseExpression,
  renderValue,
  type Scope,
  type Value,
} from './expression.ts';

export type TemplateOpener = '${{' | '{{';

interface Placeholder {
  raw: string;
  /** `compiler('c')` and friends: resolved, but to "no package". */
  notAPackage: boolean;
}

const TOKEN = /\uE000(\d+)\uE001/g;
const WHOLE_TOKEN = /^\s*\uE000(\d+)\uE001\s*$/;

export class Placeholders {
  private readonly entries: Placeholder[] = [];

  add(raw: string, notAPackage: boolean): string {
    this.entries.push({ raw, notAPackage });
    return `\uE000${this.entries.length - 1}\uE001`;
  }

  /** The text with every placeholder replaced by the template it stands for. */
  restore(text: string): string {
    return text.replace(TOKEN, (token, index: string) => this.entries[Number(index)]?.raw ?? token);
  }

  /** Raw templates in `text` that could not be evaluated. */
  unresolvedIn(text: string): string[] {
    return [...text.matchAll(TOKEN)]
      .map((match) => this.entries[Number(match[1])])
      .filter((entry): entry is Placeholder => entry !== undefined && !entry.notAPackage)
      .map((entry) => entry.raw);
  }

  /** True when `text` holds any placeholder, resolved-to-nothing ones included. */
  holdsAny(text: string): boolean {
    return /\uE000\d+\uE001/.test(text);
  }

  /** True when `text` is nothing but a `compiler()` / `stdlib()` call. */
  isNotAPackage(text: string): boolean {
    const index = WHOLE_TOKEN.exec(text)?.[1];
    return index !== undefined && this.entries[Number(index)]?.notAPackage === true;
  }
}

/** Recipe text must not carry the placeholder characters itself, or it could pass for a placeholder. */
export function withoutPlaceholderCharacters(text: string): string {
  return text.replace(/[\uE000\uE001]/g, '\uFFFD');
}

export interface ExpressionSpan {
  start: number;
  end: number;
  /** The expression between the delimiters, trimmed, without Jinja's `-` whitespace markers. */
  source: string;
}

/** `{{ … }}` spans in order; a closing `}}` inside a string literal does not end the expression. */
export function* expressionSpans(text: string, opener: TemplateOpener, from = 0): Generator<ExpressionSpan> {
  let position = text.indexOf(opener, from);
  while (position !== -1) {
    const end = closingBraces(text, position + opener.length);
    if (end === -1) return;
    const source = text
      .slice(position + opener.length, end)
      .replace(/^-/, '')
      .replace(/-$/, '')
      .trim();
    yield { start: position, end: end + 2, source };
    position = text.indexOf(opener, end + 2);
  }
}

function closingBraces(text: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < text.length - 1; index++) {
    const char = text[index];
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '}' && text[index + 1] === '}') {
      return index;
    }
  }
  return -1;
}

/** The tree of a tag's expression, once the tag is known to be of a size the budget allows. */
export function parseTag(source: string, budget: TemplateBudget, line?: number): Node | undefined {
  budget.checkTag(source.length, line);
  return parseExpression(source, budget);
}

/**
 * The value of one expression's source, or the placeholder text for it. The text is charged to
 * the budget: `{{ a }}` repeated would otherwise copy a long `a` into the output at every use.
 */
export function renderExpression(
  raw: string,
  source: string,
  scope: Scope,
  placeholders: Placeholders,
  budget: TemplateBudget,
  line?: number,
): string {
  const node = parseTag(source, budget, line);
  const value = node ? evaluate(node, scope, budget) : undefined;
  if (value === undefined || isUnresolved(value)) return placeholders.add(raw, false);
  if (value === NOT_A_PACKAGE) return placeholders.add(raw, true);
  return renderValue(value, budget) ?? placeholders.add(raw, false);
}

export function renderTemplate(
  text: string,
  opener: TemplateOpener,
  scope: Scope,
  placeholders: Placeholders,
  budget: TemplateBudget,
): string {
  let rendered = '';
  let position = 0;
  for (const span of expressionSpans(text, opener)) {
    rendered += text.slice(position, span.start);
    rendered += renderExpression(text.slice(span.start, span.end), span.source, scope, placeholders, budget);
    position = span.end;
  }
  return rendered + text.slice(position);
}

/** One way a list entry can turn out: its rendered text, and the condition it depends on. */
export interface Alternative {
  text: string;
  condition?: string;
}

/**
 * A list entry that is one inline conditional (`${{ "python" if win }}`) whose condition depends
 * on the target platform yields each branch with its condition; anything else renders as usual.
 */
export function renderAlternatives(
  text: string,
  opener: TemplateOpener,
  scope: Scope,
  placeholders: Placeholders,
  budget: TemplateBudget,
): Alternative[] {
  const source = wholeExpressionSource(text, opener);
  const node = source === undefined ? undefined : parseTag(source, budget);
  if (node?.type !== 'conditional' || !isUnresolved(evaluate(node.test, scope, budget))) {
    return [{ text: renderTemplate(text, opener, scope, placeholders, budget) }];
  }
  const branch = (branchNode: Node | undefined, condition: string): Alternative[] => {
    if (!branchNode) return [];
    const value = evaluate(branchNode, scope, budget);
    if (isUnresolved(value)) return [{ text: placeholders.add(text, false), condition }];
    if (value === NOT_A_PACKAGE) return [];
    const rendered = renderValue(value, budget);
    return [{ text: rendered ?? placeholders.add(text, false), condition }];
  };
  return [...branch(node.consequent, node.testSource), ...branch(node.alternative, `not (${node.testSource})`)];
}

/** The value of a text that is exactly one expression (`${{ version.split('.') }}`), when it resolves. */
export function evaluateWhole(
  text: string,
  opener: TemplateOpener,
  scope: Scope,
  budget: TemplateBudget,
): Value | undefined {
  const source = wholeExpressionSource(text, opener);
  const node = source === undefined ? undefined : parseTag(source, budget);
  const value = node ? evaluate(node, scope, budget) : undefined;
  return value === undefined || isUnresolved(value) ? undefined : value;
}

function wholeExpressionSource(text: string, opener: TemplateOpener): string | undefined {
  const spans = [...expressionSpans(text, opener)];
  const only = spans.length === 1 ? spans[0] : undefined;
  if (!only || text.slice(0, only.start).trim() !== '' || text.slice(only.end).trim() !== '') return undefined;
  return only.source;
}
