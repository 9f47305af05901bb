/** Text that becomes code elsewhere: SQL built from strings, HTML templates without autoescape. */
import type { SgNode } from '@ast-grep/napi';
import { argumentsOf, call, fieldOf, INJECTION, stringValue } from './shared.ts';
import type { PythonRule } from './types.ts';

/** Bandit's B608 regex. */
const SQL = /(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values\s|update\s.*set\s)/is;
const SQL_HINT = '(?i)(select|delete|insert|update)';

/** The SQL text of a string in a `+`/`%` chain, `.format()` receiver or f-string (Bandit's B608). */
function sqlStatement(node: SgNode): { statement: string; at: SgNode; wrapper: SgNode | null } | undefined {
  const parent = node.parent();
  if (!parent) return undefined;
  const kind = parent.kind();
  if (kind === 'binary_operator') {
    let top = parent;
    for (let up = top.parent(); up?.kind() === 'binary_operator'; up = up.parent()) top = up;
    const parts: string[] = [];
    const collect = (n: SgNode): void => {
      if (n.kind() === 'binary_operator') {
        const left = fieldOf(n, 'left');
        const right = fieldOf(n, 'right');
        if (left) collect(left);
        if (right) collect(right);
      } else if (n.kind() === 'string' || n.kind() === 'concatenated_string') parts.push(literalText(n));
    };
    collect(top);
    return { statement: parts.join(''), at: top, wrapper: callAround(top) };
  }
  if (kind === 'attribute' && fieldOf(parent, 'attribute')?.text() === 'format') {
    const formatted = parent.parent();
    return { statement: literalText(node), at: formatted ?? node, wrapper: callAround(formatted ?? node) };
  }
  if (node.kind() === 'string' && node.children().some((c) => c.kind() === 'interpolation')) {
    // Bandit checks each literal part of an f-string on its own.
    const parts = node.children().filter((c) => c.kind() === 'string_content');
    const statement = parts.map((p) => stringValue(`"${p.text()}"`)).find((s) => SQL.test(s)) ?? '';
    return { statement, at: node, wrapper: callAround(node) };
  }
  return undefined;
}

function literalText(node: SgNode): string {
  if (node.kind() === 'concatenated_string') return node.children().map(literalText).join('');
  if (node.children().some((c) => c.kind() === 'interpolation')) {
    return node
      .children()
      .filter((c) => c.kind() === 'string_content')
      .map((c) => c.text())
      .join('');
  }
  return stringValue(node.text());
}

/** The call a value is a direct argument of. */
function callAround(node: SgNode): SgNode | null {
  const list = node.parent();
  if (list?.kind() !== 'argument_list') return null;
  return list.parent();
}

export const jinja2AutoescapeFalse: PythonRule = {
  id: 'jinja2-autoescape-false',
  title: 'jinja2 Environment without autoescape',
  message: 'jinja2 Environment with autoescape off (the default): rendered values can inject HTML/JS.',
  remedy: 'Pass autoescape=True or autoescape=select_autoescape().',
  help: 'jinja2 does not escape values by default. Templates rendering user data to HTML then allow cross-site scripting; enable autoescape or use select_autoescape.',
  cwe: 'CWE-79',
  owasp: INJECTION,
  severity: 'high',
  confidence: 'high',
  bandit: 'B701',
  language: 'python',
  sg: call(),
  // Bandit: any qualname with a `jinja2` part ending in `Environment`.
  calls: ['jinja2.Environment', 'jinja2.environment.Environment', 'jinja2.sandbox.SandboxedEnvironment'],
  refine: (node) => {
    const value = argumentsOf(node).keywords.get('autoescape');
    if (!value) return true;
    const text = value.text();
    if (text === 'False') return true;
    if (text === 'True') return false;
    if (value.kind() === 'call' && fieldOf(value, 'function')?.text() === 'select_autoescape') {
      return false;
    }
    return {
      confidence: 'medium',
      message: 'jinja2 autoescape set from an expression: make sure it is on for HTML.',
    };
  },
};

export const sqlStringBuilt: PythonRule = {
  id: 'sql-string-built',
  title: 'SQL built from strings',
  message: 'SQL statement built by string formatting or concatenation: possible SQL injection.',
  remedy: 'Use the driver’s parameter binding (cursor.execute(sql, params)) instead of formatting values in.',
  help: 'Building SQL by concatenation, % formatting, .format() or f-strings lets a value change the statement’s structure. Pass values as query parameters so the driver keeps them as data.',
  cwe: 'CWE-89',
  owasp: INJECTION,
  severity: 'medium',
  confidence: 'low',
  bandit: 'B608',
  benchExcluded:
    'Bandit 1.6.2 never runs its string tests on Python ≥ 3.8 (it visits ast.Str, which became ast.Constant)',
  language: 'python',
  sg: {
    kind: 'string',
    regex: SQL_HINT,
    any: [
      { inside: { kind: 'binary_operator', stopBy: 'neighbor' } },
      {
        inside: {
          kind: 'attribute',
          stopBy: 'neighbor',
          has: { field: 'attribute', regex: '^format$' },
        },
      },
      { has: { kind: 'interpolation' } },
    ],
  },
  refine: (node) => {
    const found = sqlStatement(node);
    if (!found || !SQL.test(found.statement)) return false;
    const wrapper = found.wrapper;
    const name = wrapper?.kind() === 'call' ? (fieldOf(wrapper, 'function')?.text() ?? '') : '';
    const executed = /(^|\.)(execute|executemany)$/.test(name);
    return { at: found.at, confidence: executed ? 'medium' : 'low' };
  },
};
