/**
 * The Jinja pass conda-build runs over meta.yaml before it parses YAML, reduced to what an
 * inventory needs: `{% set %}` variables, `{{ expressions }}`, and `{% if %}` blocks whose tags are
 * dropped with both branches kept (the target platform is unknown), each line remembering the
 * condition it sat under. Line structure is preserved, so line N of the output is line N of the
 * recipe. See expression.ts for why this is not a Jinja engine, and budget.ts for its limits.
 */
import { type TemplateBudget, TemplateBudgetExceeded } from './budget.ts';
import { evaluate, isUnresolved, NOT_A_PACKAGE, type Value } from './expression.ts';
import { type Placeholders, parseTag, renderExpression } from './template.ts';

export interface RenderedRecipe {
  text: string;
  /** 1-based line → the `{% if %}` condition(s) it sits under. */
  conditions: Map<number, string>;
}

interface IfFrame {
  /** Conditions of earlier branches of this block, negated in later branches. */
  earlier: string[];
  current?: string;
}

const TAG = /\{%|\{\{|\{#/g;
const SET = /^set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([\s\S]+)$/;
const BLOCK_KEYWORDS = new Set(['if', 'elif', 'else', 'endif']);

export function renderCondaBuildTemplate(
  text: string,
  placeholders: Placeholders,
  budget: TemplateBudget,
): RenderedRecipe {
  const scope = new Map<string, Value>();
  const conditions = new Map<number, string>();
  const frames: IfFrame[] = [];
  /** The condition of the lines being emitted: rebuilt when a block tag changes it, shared by every line under it. */
  let condition: string | undefined;
  let output = '';
  let line = 1;
  let position = 0;

  const emit = (chunk: string) => {
    const lastLine = line + countNewlines(chunk);
    if (condition) for (let at = line; at <= lastLine; at++) conditions.set(at, condition);
    output += chunk;
    line = lastLine;
  };

  TAG.lastIndex = 0;
  for (let match = TAG.exec(text); match; match = TAG.exec(text)) {
    const start = match.index;
    const closer = match[0] === '{%' ? '%}' : match[0] === '{{' ? '}}' : '#}';
    const end = text.indexOf(closer, start + 2);
    if (end === -1) break;
    budget.step();
    emit(text.slice(position, start));
    const raw = text.slice(start, end + 2);
    const body = raw.slice(2, -2).replace(/^-/, '').replace(/-$/, '').trim();
    if (match[0] === '{{') {
      emit(renderExpression(raw, body, scope, placeholders, budget, line));
    } else {
      if (match[0] === '{%') {
        const keyword = applyStatement(body, scope, frames, budget, line);
        if (BLOCK_KEYWORDS.has(keyword)) condition = conditionOf(frames, budget, line);
      }
      // Dropped tags keep their newlines, so later lines keep their numbers.
      emit('\n'.repeat(countNewlines(raw)));
    }
    position = end + 2;
    TAG.lastIndex = position;
  }
  emit(text.slice(position));
  return { text: output, conditions };
}

/** Applies one `{% … %}` statement and returns its keyword. */
function applyStatement(
  statement: string,
  scope: Map<string, Value>,
  frames: IfFrame[],
  budget: TemplateBudget,
  line: number,
): string {
  budget.checkTag(statement.length, line);
  const [keyword = '', ...rest] = statement.split(/\s+/);
  const argument = rest.join(' ');
  switch (keyword) {
    case 'set': {
      const assignment = SET.exec(statement);
      if (!assignment?.[1] || !assignment[2]) break;
      const node = parseTag(assignment[2], budget, line);
      const value = node ? evaluate(node, scope, budget) : undefined;
      // An unresolvable value removes the variable, so later uses stay raw instead of going stale.
      if (value === undefined || isUnresolved(value) || value === NOT_A_PACKAGE) scope.delete(assignment[1]);
      else scope.set(assignment[1], value);
      break;
    }
    case 'if':
      if (frames.length >= budget.limits.maxIfDepth) {
        throw new TemplateBudgetExceeded(
          'maxIfDepth',
          `{% if %} blocks nested more than ${budget.limits.maxIfDepth} deep`,
          line,
        );
      }
      frames.push({ earlier: [], current: argument });
      break;
    case 'elif': {
      const frame = frames.at(-1);
      if (!frame) break;
      if (frame.current !== undefined) frame.earlier.push(frame.current);
      frame.current = argument;
      break;
    }
    case 'else': {
      const frame = frames.at(-1);
      if (!frame) break;
      if (frame.current !== undefined) frame.earlier.push(frame.current);
      frame.current = undefined;
      break;
    }
    case 'endif':
      frames.pop();
      break;
    default:
      // for/endfor, macro, raw, …: the tag is dropped and the body kept once.
      break;
  }
  return keyword;
}

function conditionOf(frames: IfFrame[], budget: TemplateBudget, line: number): string | undefined {
  const parts = frames.flatMap((frame) => [
    ...frame.earlier.map((condition) => `not (${condition})`),
    ...(frame.current === undefined ? [] : [frame.current]),
  ]);
  if (parts.length === 0) return undefined;
  const length = parts.reduce((sum, part) => sum + part.length + 5, 0);
  if (length > budget.limits.maxConditionLength) {
    throw new TemplateBudgetExceeded(
      'maxConditionLength',
      `the {% if %} conditions open here come to more than ${budget.limits.maxConditionLength} characters`,
      line,
    );
  }
  budget.build(length);
  return parts.join(' and ');
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
