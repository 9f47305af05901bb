/** Hard-coded passwords and tokens: assigned, compared, passed as arguments, or parameter defaults. */

import { AUTH, argumentsOf, call, fieldOf, isStringLiteral, stringValue } from './shared.ts';
import type { PythonRule } from './types.ts';

/** Words Bandit takes for a password-like name (`RE_CANDIDATES`). */
export const PASSWORD_NAME =
  /(^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$)/i;
const PASSWORD_NAME_RUST =
  '(?i)(^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$)';

export const hardcodedPasswordString: PythonRule = {
  id: 'hardcoded-password-string',
  title: 'Hard-coded password (assignment or comparison)',
  message: 'Possible hard-coded password assigned to a password-like name.',
  remedy: 'Read secrets from the environment or a secret store at run time.',
  help: 'A password or token in source code is readable by everyone with the code and cannot be rotated without a release. Load it from the environment or a secret manager.',
  cwe: 'CWE-259',
  owasp: AUTH,
  severity: 'low',
  confidence: 'medium',
  bandit: 'B105',
  benchExcluded:
    'Bandit 1.6.2 never runs its string tests on Python ≥ 3.8 (it visits ast.Str, which became ast.Constant)',
  language: 'python',
  sg: {
    kind: 'string',
    any: [
      {
        inside: {
          kind: 'assignment',
          stopBy: 'neighbor',
          not: { has: { field: 'type', kind: 'type' } },
          has: { field: 'left', kind: 'identifier', regex: PASSWORD_NAME_RUST },
        },
      },
      {
        inside: {
          kind: 'comparison_operator',
          stopBy: 'neighbor',
          has: { nthChild: 1, kind: 'identifier', regex: PASSWORD_NAME_RUST },
        },
      },
      {
        inside: { kind: 'subscript', stopBy: 'neighbor' },
        regex: '(?i)(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)',
      },
    ],
  },
  refine: (node) => {
    if (!isStringLiteral(node)) return false;
    const parent = node.parent();
    if (parent?.kind() === 'comparison_operator') {
      // Bandit: `name == 'literal'` with the literal as the first comparator.
      return (
        parent
          .children()
          .filter((c) => c.isNamed())[1]
          ?.id() === node.id()
      );
    }
    if (parent?.kind() === 'assignment') return fieldOf(parent, 'right')?.id() === node.id();
    if (parent?.kind() === 'subscript') {
      // d['password'] = 'literal': report the assigned literal's statement.
      const assignment = parent.parent();
      if (assignment?.kind() !== 'assignment') return false;
      const right = fieldOf(assignment, 'right');
      if (fieldOf(assignment, 'left')?.id() !== parent.id()) return false;
      if (!PASSWORD_NAME.test(stringValue(node.text()))) return false;
      // Bandit 1.6.2 looks for `ast.Index`, which Python 3.9+ no longer produces.
      return isStringLiteral(right ?? undefined) ? { at: assignment, beyondBandit: true } : false;
    }
    return false;
  },
};

export const hardcodedPasswordFuncarg: PythonRule = {
  id: 'hardcoded-password-funcarg',
  title: 'Hard-coded password passed as an argument',
  message: 'Possible hard-coded password passed as a keyword argument.',
  remedy: 'Read secrets from the environment or a secret store at run time.',
  help: 'A password or token literal in a call ships with the code and cannot be rotated without a release. Load it from the environment or a secret manager.',
  cwe: 'CWE-259',
  owasp: AUTH,
  severity: 'low',
  confidence: 'medium',
  bandit: 'B106',
  language: 'python',
  sg: call({
    has: {
      field: 'arguments',
      has: {
        kind: 'keyword_argument',
        all: [{ has: { field: 'name', regex: PASSWORD_NAME_RUST } }, { has: { field: 'value', kind: 'string' } }],
      },
    },
  }),
  refine: (node) =>
    [...argumentsOf(node).keywords].some(([name, value]) => PASSWORD_NAME.test(name) && isStringLiteral(value)),
};

export const hardcodedPasswordDefault: PythonRule = {
  id: 'hardcoded-password-default',
  title: 'Hard-coded password as a parameter default',
  message: 'Possible hard-coded password as a function parameter default.',
  remedy: 'Default to None and read the secret at run time.',
  help: 'A password default ships with the code and is used whenever a caller forgets the argument. Default to None and obtain the secret from configuration.',
  cwe: 'CWE-259',
  owasp: AUTH,
  severity: 'low',
  confidence: 'medium',
  bandit: 'B107',
  language: 'python',
  sg: {
    kind: 'function_definition',
    has: {
      field: 'parameters',
      has: {
        any: [{ kind: 'default_parameter' }, { kind: 'typed_default_parameter' }],
        all: [{ has: { field: 'name', regex: PASSWORD_NAME_RUST } }, { has: { field: 'value', kind: 'string' } }],
      },
    },
  },
  refine: (node) => {
    const parameters = fieldOf(node, 'parameters');
    for (const param of parameters?.children() ?? []) {
      // Bandit 1.6.2 zips args with defaults and skips keyword-only parameters (kw_defaults).
      if (param.kind() === 'keyword_separator' || param.kind() === 'list_splat_pattern') break;
      if (param.kind() !== 'default_parameter' && param.kind() !== 'typed_default_parameter') continue;
      const name = fieldOf(param, 'name')?.text() ?? '';
      const value = fieldOf(param, 'value');
      if (PASSWORD_NAME.test(name) && isStringLiteral(value ?? undefined)) return true;
    }
    return false;
  },
};
