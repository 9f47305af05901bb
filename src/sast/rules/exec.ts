/** Command and code execution: shells (subprocess, os.system and kin), eval and exec. */
import type { SgNode } from '@ast-grep/napi';
import { argumentsOf, call, INJECTION, isStringLiteral, kwargNot } from './shared.ts';
import type { PythonRule, Refinement } from './types.ts';

const SUBPROCESS = [
  'subprocess.Popen',
  'subprocess.call',
  'subprocess.check_call',
  'subprocess.check_output',
  'subprocess.run',
];
const SHELL_FALSY = '^(False|None|0|\\[\\]|\\{\\})$';

const SHELL_CALLS = [
  'os.system',
  'os.popen',
  'os.popen2',
  'os.popen3',
  'os.popen4',
  'popen2.popen2',
  'popen2.popen3',
  'popen2.popen4',
  'popen2.Popen3',
  'popen2.Popen4',
  'commands.getoutput',
  'commands.getstatusoutput',
];

/**
 * Needs a positional argument (Bandit's `len(call.args) > 0`; `*args` counts); lower severity when
 * the command is a literal string (Bandit's `_evaluate_shell_call`).
 */
function literalCommandIsLow(node: SgNode): boolean | Refinement {
  const first = argumentsOf(node).positional[0];
  if (!first) return false;
  return isStringLiteral(first)
    ? { severity: 'low', message: 'Shell command is a literal string: safe today, but one edit away from injection.' }
    : {};
}

export const subprocessShellTrue: PythonRule = {
  id: 'subprocess-shell-true',
  title: 'subprocess call with shell=True',
  message: 'subprocess call with shell=True: the command runs through /bin/sh, so input in it can inject commands.',
  remedy:
    'Pass the command as a list with shell=False (the default); quote with shlex.quote only if a shell is unavoidable.',
  help: 'With shell=True the command string is interpreted by the system shell, so any untrusted text in it can run arbitrary commands. Pass an argument list instead and let subprocess execute the program directly.',
  cwe: 'CWE-78',
  owasp: INJECTION,
  severity: 'high',
  confidence: 'high',
  bandit: 'B602',
  language: 'python',
  sg: call(kwargNot('shell', SHELL_FALSY)),
  calls: SUBPROCESS,
  refine: literalCommandIsLow,
};

export const shellTrueOtherCall: PythonRule = {
  id: 'shell-true-other-call',
  title: 'shell=True passed to a non-subprocess function',
  message: 'Function call with shell=True: possibly runs a command through the shell.',
  remedy: 'Check what the function does with shell=True; prefer an argument list without a shell.',
  help: 'A shell=True argument usually means the callee runs a command through the system shell. If any part of that command comes from outside, it can inject commands.',
  cwe: 'CWE-78',
  owasp: INJECTION,
  severity: 'medium',
  confidence: 'low',
  bandit: 'B604',
  language: 'python',
  sg: call(kwargNot('shell', SHELL_FALSY)),
  refine: (_node, context) => !SUBPROCESS.includes(context.qualname),
};

export const osShellCall: PythonRule = {
  id: 'os-shell-call',
  title: 'Process started through a shell (os.system, os.popen, …)',
  message: 'Command run through a shell: input in the command string can inject commands.',
  remedy: 'Use subprocess.run([...]) with an argument list instead of os.system / os.popen.',
  help: 'os.system, os.popen and their relatives pass the whole string to /bin/sh. Any untrusted text in it can run arbitrary commands; subprocess with an argument list avoids the shell.',
  cwe: 'CWE-78',
  owasp: INJECTION,
  severity: 'high',
  confidence: 'high',
  bandit: 'B605',
  language: 'python',
  sg: call(),
  calls: SHELL_CALLS,
  refine: literalCommandIsLow,
};

export const evalCall: PythonRule = {
  id: 'eval',
  title: 'Use of eval',
  message: 'eval() runs arbitrary Python code from a string.',
  remedy: 'Use ast.literal_eval for literals, json for data, or an explicit parser.',
  help: 'eval executes its argument as Python code with the caller’s privileges. If any part of the string comes from outside, it is remote code execution; ast.literal_eval covers the common use of reading literals.',
  cwe: 'CWE-95',
  owasp: INJECTION,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B307',
  language: 'python',
  sg: call(),
  calls: ['eval'],
};

export const execCall: PythonRule = {
  id: 'exec',
  title: 'Use of exec',
  message: 'exec() runs arbitrary Python code from a string.',
  remedy: 'Avoid exec; dispatch through a dict of functions or import modules explicitly.',
  help: 'exec executes its argument as Python statements. Code built from untrusted input becomes remote code execution; there is almost always a structured alternative.',
  cwe: 'CWE-95',
  owasp: INJECTION,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B102',
  language: 'python',
  sg: call(),
  calls: ['exec'],
};
