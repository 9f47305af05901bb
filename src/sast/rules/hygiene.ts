/** Code hygiene with security effects: assert, swallowed exceptions, Flask's debugger. */
import type { SgNode } from '@ast-grep/napi';
import { call, DESIGN, kwarg, LOGGING, MISCONFIG } from './shared.ts';
import type { PythonRule } from './types.ts';

export const assertUsed: PythonRule = {
  id: 'assert-used',
  title: 'assert used',
  message: 'assert is removed under python -O: do not use it for checks that must hold at run time.',
  remedy: 'Raise an exception (if not cond: raise ...) for checks that guard security or data.',
  help: 'Assertions are compiled away when Python runs with -O, so any access check or validation written as assert silently disappears. Use explicit if/raise for checks that must always run.',
  cwe: 'CWE-703',
  owasp: DESIGN,
  severity: 'low',
  confidence: 'high',
  bandit: 'B101',
  language: 'python',
  sg: { kind: 'assert_statement' },
};

export const tryExceptPass: PythonRule = {
  id: 'try-except-pass',
  title: 'try / except: pass',
  message: 'Exception swallowed with pass: errors (including security failures) go unnoticed.',
  remedy: 'Catch the specific exception and log or handle it.',
  help: 'A bare or broad except whose body is only pass hides every failure in the block. Catch specific exceptions and at least log them.',
  cwe: 'CWE-703',
  owasp: LOGGING,
  severity: 'low',
  confidence: 'high',
  bandit: 'B110',
  language: 'python',
  sg: { kind: 'except_clause', has: { kind: 'block', has: { kind: 'pass_statement', nthChild: 1 } } },
  refine: (node) => broadSingleStatementHandler(node),
};

export const tryExceptContinue: PythonRule = {
  id: 'try-except-continue',
  title: 'try / except: continue',
  message: 'Exception swallowed with continue: errors go unnoticed.',
  remedy: 'Catch the specific exception and log or handle it.',
  help: 'A bare or broad except whose body is only continue skips failures silently. Catch specific exceptions and at least log them.',
  cwe: 'CWE-703',
  owasp: LOGGING,
  severity: 'low',
  confidence: 'high',
  bandit: 'B112',
  language: 'python',
  sg: { kind: 'except_clause', has: { kind: 'block', has: { kind: 'continue_statement', nthChild: 1 } } },
  refine: (node) => broadSingleStatementHandler(node),
};

export const flaskDebugTrue: PythonRule = {
  id: 'flask-debug-true',
  title: 'Flask app run with debug=True',
  message: 'Flask debug mode exposes the Werkzeug debugger, which runs arbitrary code.',
  remedy: 'Never pass debug=True in code that can reach production; use FLASK_DEBUG in development only.',
  help: 'The Werkzeug debugger lets anyone who can reach an error page execute Python code. Keep debug off outside local development.',
  cwe: 'CWE-94',
  owasp: MISCONFIG,
  severity: 'high',
  confidence: 'medium',
  bandit: 'B201',
  language: 'python',
  sg: call({ all: [{ has: { field: 'function', regex: '\\.run$' } }, kwarg('debug', '^True$')] }),
  refine: (_node, context) =>
    context.qualname.endsWith('.run') && [...context.imports].some((name) => name.includes('flask')),
};

/** `except:` / `except Exception[ as e]:` with exactly one statement (Bandit B110/B112). */
function broadSingleStatementHandler(node: SgNode): boolean {
  const block = node.children().find((c) => c.kind() === 'block');
  const statements = block?.children().filter((c) => c.isNamed() && c.kind() !== 'comment') ?? [];
  if (statements.length !== 1) return false;
  const type = node.children().find((c) => c.isNamed() && c.kind() !== 'block' && c.kind() !== 'comment');
  if (!type) return true;
  const name = type.kind() === 'as_pattern' ? type.children().find((c) => c.isNamed()) : type;
  return name?.kind() === 'identifier' && name.text() === 'Exception';
}
