/** Files: temporary names and directories, tar extraction, permissive modes. */

import { ACCESS, argumentsOf, call, kindOf, kwarg, NOT_DOCSTRING, STR_START } from './shared.ts';
import type { PythonRule } from './types.ts';

export const tempfileMktemp: PythonRule = {
  id: 'tempfile-mktemp',
  title: 'tempfile.mktemp',
  message: 'tempfile.mktemp returns a name another process can create first (race, symlink attack).',
  remedy: 'Use tempfile.mkstemp() or tempfile.NamedTemporaryFile().',
  help: 'mktemp only returns a file name; between choosing it and creating the file, another process can create it or plant a symlink. mkstemp and NamedTemporaryFile create the file atomically.',
  cwe: 'CWE-377',
  owasp: ACCESS,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B306',
  language: 'python',
  sg: call(),
  calls: ['tempfile.mktemp'],
  callsBeyondBandit: ['os.tempnam', 'os.tmpnam'],
};

export const hardcodedTmpDirectory: PythonRule = {
  id: 'hardcoded-tmp-directory',
  title: 'Hard-coded /tmp path',
  message: 'Hard-coded path in a shared temporary directory: predictable names invite races and symlink attacks.',
  remedy: 'Create temporary files with tempfile.mkstemp / TemporaryDirectory.',
  help: 'Files at fixed names under /tmp, /var/tmp or /dev/shm can be pre-created or replaced by other local users. The tempfile module creates unique, private files.',
  cwe: 'CWE-377',
  owasp: ACCESS,
  severity: 'medium',
  confidence: 'medium',
  bandit: 'B108',
  benchExcluded:
    'Bandit 1.6.2 never runs its string tests on Python ≥ 3.8 (it visits ast.Str, which became ast.Constant)',
  language: 'python',
  sg: { kind: 'string', regex: `${STR_START}(/tmp|/var/tmp|/dev/shm)`, ...NOT_DOCSTRING },
};

export const tarfileExtractallUnfiltered: PythonRule = {
  id: 'tarfile-extractall-unfiltered',
  title: 'tarfile extractall without filter=',
  message: 'tarfile extraction without filter=: a crafted archive can write outside the target directory.',
  remedy: "Pass filter='data' (Python 3.12+, backported to 3.8+ security releases) or check every member.",
  help: 'Tar members can have absolute paths, `..` components, or be links pointing outside the destination. The filter argument (filter="data") rejects such members; without it extraction can overwrite arbitrary files.',
  cwe: 'CWE-22',
  owasp: ACCESS,
  severity: 'medium',
  confidence: 'medium',
  bandit: 'B202',
  language: 'python',
  sg: call({
    has: { field: 'function', kind: 'attribute', has: { field: 'attribute', regex: '^(extractall|extract)$' } },
    not: kwarg('filter'),
  }),
  refine: (_node, context) => [...context.imports].some((name) => name === 'tarfile' || name.startsWith('tarfile.')),
  benchNote: 'B202 exists from Bandit 1.7.5 on, not in 1.6.2',
};

export const chmodPermissive: PythonRule = {
  id: 'chmod-permissive',
  title: 'Permissive file mode (world-writable / group-executable)',
  message: 'chmod with a permissive mask (world-writable or group-executable).',
  remedy: 'Use the narrowest mode that works (0o600 for secrets, 0o644/0o755 otherwise).',
  help: 'World-writable files can be replaced by any local user, and group-executable bits widen who can run a file. Grant only the permissions the file needs.',
  cwe: 'CWE-732',
  owasp: ACCESS,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B103',
  language: 'python',
  sg: call({ has: { field: 'function', regex: 'chmod' } }),
  refine: (node, context) => {
    if (!(context.qualname.split('.').at(-1) ?? '').includes('chmod')) return false;
    const { positional, keywords } = argumentsOf(node);
    if (positional.length + keywords.size !== 2) return false;
    const mode = positional[1];
    if (!mode || kindOf(mode) !== 'integer') return false;
    const value = pythonInt(mode.text());
    if (value === undefined) return false;
    if (value & 0o002) return { severity: 'high' };
    if (value & 0o010) return true;
    return false;
  },
};

function pythonInt(text: string): number | undefined {
  const clean = text.replace(/_/g, '').toLowerCase();
  if (/^0o[0-7]+$/.test(clean)) return Number.parseInt(clean.slice(2), 8);
  if (/^0x[0-9a-f]+$/.test(clean)) return Number.parseInt(clean.slice(2), 16);
  if (/^0b[01]+$/.test(clean)) return Number.parseInt(clean.slice(2), 2);
  if (/^0[0-7]+$/.test(clean)) return Number.parseInt(clean.slice(1), 8); // Python 2 octal
  if (/^[1-9][0-9]*$|^0$/.test(clean)) return Number.parseInt(clean, 10);
  return undefined;
}
