/**
 * The Python rule pack, as data. Each rule is one Bandit family (`bandit` names the Bandit test
 * covering it) ported to ast-grep: `sg` is an ast-grep rule over the tree-sitter Python grammar
 * that selects candidate nodes, `calls` the qualified callee names a call must resolve to through
 * the file's imports (Bandit's resolution: `import pickle as p` → `p.loads` is `pickle.loads`,
 * `from subprocess import Popen` → `Popen` is `subprocess.Popen`), and `refine` the few checks
 * ast-grep cannot express (bit masks, string concatenation, keyword values that depend on others).
 *
 * Where we knowingly differ from Bandit 1.6.2 it is said at the rule. Callees listed under
 * `callsBeyondBandit` are ones Bandit 1.6.2 does not flag (newer Bandit does, or it is plainly the
 * same family): their hits carry `extra.beyondBandit` so the bench compares like with like.
 */
import type { Rule, SgNode } from '@ast-grep/napi';
import type { Confidence } from '../code/types.ts';
import type { Severity } from '../model/finding.ts';

/** What SARIF and reports need to know about a rule, for both packs (Python and recipes). */
export interface SastRuleInfo {
  /** Kebab-case, stable: waivers and SARIF refer to it. */
  id: string;
  title: string;
  /** One line, shown for every hit. */
  message: string;
  remedy: string;
  /** Two or three sentences: SARIF `help`. */
  help: string;
  cwe: string;
  /** OWASP Top 10 (2021). */
  owasp: string;
  severity: Severity;
  confidence: Confidence;
  /** The Bandit test of the same family, where one exists. */
  bandit?: string;
  /** Which files the rule reads: Python sources, or recipes and their build scripts. */
  language: 'python' | 'recipe';
}

/** What a rule's `refine` sees besides the node: the file's imports so far (Bandit's view). */
export interface RuleContext {
  /** Modules and `module.name`s imported so far in the file, as Bandit records them. */
  imports: ReadonlySet<string>;
  /** Local name → qualified name, from `import a as b` and `from a import b [as c]`. */
  aliases: ReadonlyMap<string, string>;
  /** The call's qualified callee name (calls only). */
  qualname: string;
  /** Resolves a dotted name the way Bandit does (first part through `aliases`). */
  resolve(dotted: string): string;
}

/** A refined hit: what differs from the rule's defaults at this place. */
export interface Refinement {
  severity?: Severity;
  confidence?: Confidence;
  message?: string;
  /** Report this node instead of the matched one (e.g. the whole concatenation). */
  at?: SgNode;
  /** Bandit 1.6.2 would not report this hit (kept out of the bench's comparison). */
  beyondBandit?: boolean;
}

export interface PythonRule extends SastRuleInfo {
  language: 'python';
  /** ast-grep rule selecting candidates; its top level names the node `kind` (or an `any` of kinds). */
  sg: Rule;
  /** Qualified callee names (a trailing `.*` matches any member); calls only. */
  calls?: readonly string[];
  /** Callees of the same family that Bandit 1.6.2 does not flag. */
  callsBeyondBandit?: readonly string[];
  /** Imported module prefixes (Bandit's import blacklist: `import x`, `from x import y`); import rules only. */
  imports?: readonly string[];
  /** False drops the candidate; an object adjusts the hit. */
  refine?: (node: SgNode, context: RuleContext) => boolean | Refinement;
  /** A known, deliberate difference from Bandit 1.6.2 that the bench prints. */
  benchNote?: string;
  /** Why the bench keeps this rule out of the overall agreement goal, if it does. */
  benchExcluded?: string;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

const INJECTION = 'A03:2021-Injection';
const CRYPTO = 'A02:2021-Cryptographic Failures';
const INTEGRITY = 'A08:2021-Software and Data Integrity Failures';
const AUTH = 'A07:2021-Identification and Authentication Failures';
const ACCESS = 'A01:2021-Broken Access Control';
const MISCONFIG = 'A05:2021-Security Misconfiguration';
const DESIGN = 'A04:2021-Insecure Design';
const LOGGING = 'A09:2021-Security Logging and Monitoring Failures';

const escapeText = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword argument `name=value` with the value's text matching `value` (a Rust regex). */
export function kwarg(name: string, value = '.'): Rule {
  return {
    has: {
      field: 'arguments',
      kind: 'argument_list',
      has: {
        kind: 'keyword_argument',
        all: [{ has: { field: 'name', regex: `^${name}$` } }, { has: { field: 'value', regex: value } }],
      },
    },
  };
}

/** A keyword argument `name=` whose value is NOT one of the given texts. */
function kwargNot(name: string, falsy: string): Rule {
  return {
    has: {
      field: 'arguments',
      kind: 'argument_list',
      has: {
        kind: 'keyword_argument',
        all: [{ has: { field: 'name', regex: `^${name}$` } }, { not: { has: { field: 'value', regex: falsy } } }],
      },
    },
  };
}

const call = (extra: Rule = {}): Rule => ({ kind: 'call', ...extra });

/** A field of a node (tree-sitter field names), or null. */
export function fieldOf(node: SgNode | null | undefined, name: string): SgNode | null {
  return node ? (node.field(name as never) as unknown as SgNode | null) : null;
}

/** A node's kind name, as a plain string. */
export const kindOf = (node: SgNode): string => String(node.kind());

/** Arguments of a call, without punctuation and comments. */
export function argumentsOf(node: SgNode): { positional: SgNode[]; keywords: Map<string, SgNode> } {
  const positional: SgNode[] = [];
  const keywords = new Map<string, SgNode>();
  const list = fieldOf(node, 'arguments');
  for (const arg of list?.children() ?? []) {
    if (!arg.isNamed()) continue;
    const kind = arg.kind();
    if (kind === 'comment' || kind === 'dictionary_splat') continue;
    if (kind === 'keyword_argument') {
      const name = fieldOf(arg, 'name')?.text();
      const value = fieldOf(arg, 'value');
      if (name && value) keywords.set(name, value);
    } else positional.push(arg);
  }
  return { positional, keywords };
}

/** A plain string literal (no f-string interpolation), as Bandit's `ast.Str`. */
export function isStringLiteral(node: SgNode | undefined): boolean {
  if (!node) return false;
  const kind = node.kind();
  if (kind === 'concatenated_string') return node.children().every((part) => isStringLiteral(part));
  if (kind !== 'string') return false;
  return !node.children().some((part) => part.kind() === 'interpolation') && !/^[a-zA-Z]*[bB]/.test(node.text());
}

/** The value of a simple string literal's text: prefix and quotes removed, common escapes decoded. */
export function stringValue(text: string): string {
  const match = /^([a-zA-Z]*)('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!match) return text;
  const body = match[3] ?? '';
  if (/r/i.test(match[1] ?? '')) return body;
  return body.replace(/\\(n|t|r|\\|'|"|\n)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '\n' ? '' : c,
  );
}

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

/** Words Bandit takes for a password-like name (`RE_CANDIDATES`). */
export const PASSWORD_NAME =
  /(^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$)/i;
const PASSWORD_NAME_RUST =
  '(?i)(^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$)';

/** A string node Bandit visits (`visit_Str`): not a docstring / bare expression statement. */
const NOT_DOCSTRING: Rule = { not: { inside: { kind: 'expression_statement', stopBy: 'neighbor' } } };
/** Text-level prefix of a non-bytes string literal (`'`, `r"`, `u'''`, `f"`). */
const STR_START = `^(?:[rRuUfF]{0,2})(?:'''|"""|'|")`;

/** Bandit's B608 regex. */
const SQL = /(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values\s|update\s.*set\s)/is;
const SQL_HINT = '(?i)(select|delete|insert|update)';

const HTTP_VERBS = ['get', 'options', 'head', 'post', 'put', 'patch', 'delete'];

const BAD_TLS = [
  'PROTOCOL_SSLv2',
  'SSLv2_METHOD',
  'SSLv23_METHOD',
  'PROTOCOL_SSLv3',
  'PROTOCOL_TLSv1',
  'SSLv3_METHOD',
  'TLSv1_METHOD',
];
const BAD_TLS_VALUE = `(^|\\.)(${BAD_TLS.join('|')})$`;

/** A few statements up: the text around a call, to tell a token generator from a dice roll. */
function statementText(node: SgNode): string {
  let current: SgNode | null = node;
  for (let i = 0; current && i < 6; i++) {
    const kind = current.kind();
    if (kind === 'expression_statement' || kind === 'return_statement' || String(kind).endsWith('_statement')) break;
    current = current.parent();
  }
  const enclosing = node.ancestors().find((a) => a.kind() === 'function_definition');
  const fn = fieldOf(enclosing ?? null, 'name')?.text() ?? '';
  return `${(current ?? node).text()} ${fn}`;
}

const SECURITY_WORDS = /token|secret|passw|nonce|salt|otp|csrf|session|api_?key|auth|crypt/i;

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

// ---------------------------------------------------------------------------------------------
// The rules

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

interface XmlFamily {
  id: string;
  bandit: string;
  calls: string[];
}
const XML_FAMILIES: XmlFamily[] = [
  {
    id: 'xml-celementtree',
    bandit: 'B313',
    calls: ['parse', 'iterparse', 'fromstring', 'XMLParser'].map((f) => `xml.etree.cElementTree.${f}`),
  },
  {
    id: 'xml-elementtree',
    bandit: 'B314',
    calls: ['parse', 'iterparse', 'fromstring', 'XMLParser'].map((f) => `xml.etree.ElementTree.${f}`),
  },
  { id: 'xml-expatreader', bandit: 'B315', calls: ['xml.sax.expatreader.create_parser'] },
  { id: 'xml-expatbuilder', bandit: 'B316', calls: ['xml.dom.expatbuilder.parse', 'xml.dom.expatbuilder.parseString'] },
  { id: 'xml-sax', bandit: 'B317', calls: ['xml.sax.parse', 'xml.sax.parseString', 'xml.sax.make_parser'] },
  { id: 'xml-minidom', bandit: 'B318', calls: ['xml.dom.minidom.parse', 'xml.dom.minidom.parseString'] },
  { id: 'xml-pulldom', bandit: 'B319', calls: ['xml.dom.pulldom.parse', 'xml.dom.pulldom.parseString'] },
  {
    id: 'lxml-etree',
    bandit: 'B320',
    calls: ['parse', 'fromstring', 'RestrictedElement', 'GlobalParserTLS', 'getDefaultParser', 'check_docinfo'].map(
      (f) => `lxml.etree.${f}`,
    ),
  },
];

const xmlRules: PythonRule[] = XML_FAMILIES.map(
  (family): PythonRule => ({
    id: family.id,
    title: `XML parsed with ${family.calls[0]?.split('.').slice(0, -1).join('.')}`,
    message: 'XML parser that expands entities: untrusted XML can exhaust memory (billion laughs) or read files.',
    remedy: 'Parse untrusted XML with defusedxml (defusedxml.ElementTree etc.), or call defusedxml.defuse_stdlib().',
    help: 'The standard library XML parsers (and lxml with default settings) expand entities. Untrusted XML can then trigger entity-expansion denial of service or, with lxml, external entity (XXE) reads. Use the defusedxml equivalent for any input you do not control.',
    cwe: 'CWE-611',
    owasp: MISCONFIG,
    severity: 'medium',
    confidence: 'high',
    bandit: family.bandit,
    language: 'python',
    sg: call(),
    calls: family.calls,
  }),
);

export const PYTHON_RULES: readonly PythonRule[] = [
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    id: 'pickle-load',
    title: 'Deserialization with pickle (or cPickle, dill, shelve)',
    message: 'Unpickling runs code chosen by whoever wrote the data: never load untrusted pickles.',
    remedy: 'Use json or another data-only format for untrusted data; sign pickles you must exchange (hmac).',
    help: 'pickle (and cPickle, dill, shelve, which wrap it) can instantiate arbitrary objects and call arbitrary functions while loading. Loading data from an untrusted source is remote code execution.',
    cwe: 'CWE-502',
    owasp: INTEGRITY,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B301',
    language: 'python',
    sg: call(),
    calls: [
      'pickle.loads',
      'pickle.load',
      'pickle.Unpickler',
      'cPickle.loads',
      'cPickle.load',
      'cPickle.Unpickler',
      'dill.loads',
      'dill.load',
      'dill.Unpickler',
    ],
    // shelve is B301 from Bandit 1.7.5 on; `_pickle` is pickle's C twin.
    callsBeyondBandit: [
      'shelve.open',
      'shelve.DbfilenameShelf',
      '_pickle.loads',
      '_pickle.load',
      '_pickle.Unpickler',
      'pandas.read_pickle',
      'jsonpickle.decode',
    ],
  },
  {
    id: 'marshal-load',
    title: 'Deserialization with marshal',
    message: 'marshal.load(s) is not safe against erroneous or malicious data.',
    remedy: 'Use json or another data-only format for data that crosses a trust boundary.',
    help: 'The marshal format is an internal CPython format; the documentation warns it is not secure against malicious data. Use it only for data you wrote yourself.',
    cwe: 'CWE-502',
    owasp: INTEGRITY,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B302',
    language: 'python',
    sg: call(),
    calls: ['marshal.load', 'marshal.loads'],
  },
  {
    id: 'yaml-load',
    title: 'yaml.load without a safe Loader',
    message: 'yaml.load without SafeLoader can instantiate arbitrary Python objects.',
    remedy: 'Use yaml.safe_load(...) or pass Loader=yaml.SafeLoader.',
    help: 'PyYAML’s full and unsafe loaders build arbitrary Python objects from tags in the document, which is code execution for untrusted YAML. safe_load only builds plain data.',
    cwe: 'CWE-502',
    owasp: INTEGRITY,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B506',
    language: 'python',
    // Bandit: `yaml` imported exactly, callee `…yaml….load`, Loader not (C)SafeLoader. We also accept
    // a safe loader passed positionally (Bandit flags `yaml.load(f, yaml.SafeLoader)`).
    sg: call({ not: kwarg('Loader', '(^|\\.)C?SafeLoader$') }),
    calls: ['yaml.load'],
    callsBeyondBandit: ['yaml.load_all', 'yaml.unsafe_load', 'yaml.unsafe_load_all'],
    refine: (node, context) => {
      if (!context.imports.has('yaml')) return false;
      const second = argumentsOf(node).positional[1];
      if (second && /(^|\.)C?SafeLoader$/.test(second.text())) return false;
      return true;
    },
  },
  {
    id: 'weak-hash',
    title: 'MD5 / SHA-1 (or MD2/MD4) hash',
    message: 'Weak hash function (MD5/SHA-1): do not use it for signatures, passwords or integrity.',
    remedy: 'Use hashlib.sha256 (or blake2b); if the hash is not for security, say so with usedforsecurity=False.',
    help: 'MD5 and SHA-1 have practical collision attacks, so they cannot protect integrity or authenticity. Non-security uses (cache keys, checksums of trusted data) should pass usedforsecurity=False, which also documents the intent.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B303',
    language: 'python',
    // Deliberately different: Bandit 1.6.2 ignores usedforsecurity=False (newer Bandit honours it).
    sg: call({ not: kwarg('usedforsecurity', '^False$') }),
    calls: [
      'hashlib.md5',
      'hashlib.sha1',
      'Crypto.Hash.MD2.new',
      'Crypto.Hash.MD4.new',
      'Crypto.Hash.MD5.new',
      'Crypto.Hash.SHA.new',
      'Cryptodome.Hash.MD2.new',
      'Cryptodome.Hash.MD4.new',
      'Cryptodome.Hash.MD5.new',
      'Cryptodome.Hash.SHA.new',
      'cryptography.hazmat.primitives.hashes.MD5',
      'cryptography.hazmat.primitives.hashes.SHA1',
    ],
    benchNote: 'we honour usedforsecurity=False (Bandit 1.6.2 does not)',
  },
  {
    id: 'hashlib-new-weak',
    title: "hashlib.new('md5') and other weak hash names",
    message: 'Weak hash function requested by name (MD4/MD5/SHA-1).',
    remedy: "Use hashlib.new('sha256'); pass usedforsecurity=False for non-security uses.",
    help: 'hashlib.new with md4, md5 or sha1 selects a hash with practical collision attacks. Use a SHA-2 or BLAKE2 hash, or mark non-security uses with usedforsecurity=False.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B324',
    language: 'python',
    sg: call({ not: kwarg('usedforsecurity', '^False$') }),
    calls: ['hashlib.new'],
    refine: (node) => {
      const { positional, keywords } = argumentsOf(node);
      const name = positional[0] ?? keywords.get('name');
      if (!name || !isStringLiteral(name)) return false;
      const value = stringValue(name.text()).toLowerCase();
      if (value === 'md4' || value === 'md5') return true;
      // SHA-1 by name is B324 from Bandit 1.7.x on.
      if (value === 'sha1' || value === 'sha') return { beyondBandit: true };
      return false;
    },
  },
  {
    id: 'weak-cipher',
    title: 'Weak cipher (DES, RC2, RC4, Blowfish, IDEA, XOR)',
    message: 'Insecure cipher: broken or too small a block/key size.',
    remedy: 'Use AES-GCM or ChaCha20-Poly1305 (cryptography.hazmat.primitives.ciphers.aead).',
    help: 'DES, RC2, RC4, Blowfish, IDEA and XOR are broken or have block or key sizes too small for modern use. Use an authenticated modern cipher such as AES-GCM.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'high',
    confidence: 'high',
    bandit: 'B304',
    language: 'python',
    sg: call(),
    calls: [
      ...['ARC2', 'ARC4', 'Blowfish', 'DES', 'XOR'].flatMap((c) => [
        `Crypto.Cipher.${c}.new`,
        `Cryptodome.Cipher.${c}.new`,
      ]),
      ...['ARC4', 'Blowfish', 'IDEA'].map((c) => `cryptography.hazmat.primitives.ciphers.algorithms.${c}`),
    ],
  },
  {
    id: 'weak-cipher-mode',
    title: 'ECB cipher mode',
    message: 'ECB mode encrypts equal blocks to equal ciphertext and leaks patterns.',
    remedy: 'Use an authenticated mode (GCM) or CTR/CBC with a MAC.',
    help: 'ECB encrypts each block independently, so identical plaintext blocks produce identical ciphertext. Use GCM, or another mode with an IV and authentication.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B305',
    language: 'python',
    sg: call(),
    calls: ['cryptography.hazmat.primitives.ciphers.modes.ECB'],
  },
  {
    id: 'tls-verify-disabled',
    title: 'HTTP request with verify=False',
    message: 'HTTPS request with certificate verification disabled (verify=False): open to interception.',
    remedy: 'Remove verify=False; point verify= at a CA bundle if the server uses a private CA.',
    help: 'verify=False turns off TLS certificate checks, so anyone on the network path can impersonate the server and read or change the traffic. Use the default verification or a private CA bundle.',
    cwe: 'CWE-295',
    owasp: AUTH,
    severity: 'high',
    confidence: 'high',
    bandit: 'B501',
    language: 'python',
    sg: call({
      all: [
        {
          has: {
            field: 'function',
            regex: `(^|\\.)(${HTTP_VERBS.join('|')}|request|stream|Client|AsyncClient|Session)$`,
          },
        },
        kwarg('verify', '^False$'),
      ],
    }),
    // Bandit: `'requests' in qualname` (a substring test) and the last name an HTTP verb. We also
    // flag httpx and session objects (`session.get(url, verify=False)`), which Bandit misses.
    refine: (_node, context) => {
      const last = context.qualname.split('.').at(-1) ?? '';
      if (context.qualname.includes('requests') && HTTP_VERBS.includes(last)) return true;
      return { beyondBandit: true };
    },
  },
  {
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
  },
  {
    id: 'bind-all-interfaces',
    title: 'Binding to all interfaces (0.0.0.0)',
    message: "'0.0.0.0' binds on every network interface: the service may be reachable from outside.",
    remedy: 'Bind to 127.0.0.1 or a configured address unless the service is meant to be public.',
    help: 'A socket bound to 0.0.0.0 accepts connections on every interface, including public ones. Bind to localhost or make the address configurable.',
    cwe: 'CWE-605',
    owasp: MISCONFIG,
    severity: 'medium',
    confidence: 'medium',
    bandit: 'B104',
    benchExcluded:
      'Bandit 1.6.2 never runs its string tests on Python ≥ 3.8 (it visits ast.Str, which became ast.Constant)',
    language: 'python',
    sg: { kind: 'string', regex: `${STR_START}0\\.0\\.0\\.0['"]{1,3}$`, ...NOT_DOCSTRING },
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    id: 'ssl-insecure-version',
    title: 'Insecure SSL/TLS protocol version',
    message: 'SSLv2/SSLv3/TLSv1.0 requested: these protocol versions are broken.',
    remedy: 'Use ssl.PROTOCOL_TLS_CLIENT / create_default_context() and a minimum_version of TLSv1.2.',
    help: 'SSLv2, SSLv3 and TLS 1.0 have known practical attacks (DROWN, POODLE, BEAST). Let the library negotiate with ssl.create_default_context() and set minimum_version to TLS 1.2 or later.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'high',
    confidence: 'high',
    bandit: 'B502',
    language: 'python',
    sg: call({
      any: [
        kwarg('ssl_version', BAD_TLS_VALUE),
        kwarg('method', BAD_TLS_VALUE),
        { has: { field: 'arguments', regex: BAD_TLS.join('|') } },
      ],
    }),
    refine: (node, context) => {
      const { positional, keywords } = argumentsOf(node);
      const bad = (value: SgNode | undefined) => value !== undefined && new RegExp(BAD_TLS_VALUE).test(value.text());
      if (bad(keywords.get('ssl_version')) || bad(keywords.get('method'))) {
        return context.qualname === 'ssl.wrap_socket' ? true : { severity: 'medium', confidence: 'medium' };
      }
      // Positional protocol: ssl.SSLContext(ssl.PROTOCOL_TLSv1), OpenSSL.SSL.Context(SSL.TLSv1_METHOD).
      if (/(^|\.)(SSLContext|Context)$/.test(context.qualname) && bad(positional[0])) return { beyondBandit: true };
      return false;
    },
  },
  {
    id: 'ssl-insecure-version-default',
    title: 'Function defaulting to an insecure SSL/TLS version',
    message: 'Function parameter defaults to an insecure SSL/TLS protocol version.',
    remedy: 'Default to ssl.PROTOCOL_TLS_CLIENT and require TLS 1.2+.',
    help: 'A default argument of SSLv2/SSLv3/TLSv1.0 makes every caller that relies on the default use a broken protocol. Default to a negotiated, modern protocol.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'medium',
    confidence: 'medium',
    bandit: 'B503',
    language: 'python',
    sg: {
      kind: 'function_definition',
      has: {
        field: 'parameters',
        has: {
          any: [{ kind: 'default_parameter' }, { kind: 'typed_default_parameter' }],
          has: { field: 'value', regex: BAD_TLS_VALUE },
        },
      },
    },
  },
  {
    id: 'ssl-wrap-socket-no-version',
    title: 'ssl.wrap_socket without a protocol version',
    message: 'ssl.wrap_socket without ssl_version (deprecated, removed in Python 3.12; no hostname checks).',
    remedy: 'Use ssl.create_default_context().wrap_socket(sock, server_hostname=...).',
    help: 'ssl.wrap_socket neither checks hostnames nor certificates by default and was removed in Python 3.12. An SSLContext from create_default_context() does both.',
    cwe: 'CWE-327',
    owasp: CRYPTO,
    severity: 'low',
    confidence: 'medium',
    bandit: 'B504',
    language: 'python',
    sg: call({ not: kwarg('ssl_version') }),
    calls: ['ssl.wrap_socket'],
  },
  {
    id: 'ssl-unverified-context',
    title: 'ssl._create_unverified_context',
    message: 'Unverified SSL context: no certificate or hostname checks.',
    remedy: 'Use ssl.create_default_context(); load a private CA with cafile= if needed.',
    help: 'ssl._create_unverified_context disables certificate and hostname verification, so any network attacker can impersonate the server. Use create_default_context and trust a specific CA file if the server uses a private CA.',
    cwe: 'CWE-295',
    owasp: AUTH,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B323',
    language: 'python',
    sg: call(),
    calls: ['ssl._create_unverified_context'],
    callsBeyondBandit: ['ssl._create_stdlib_context'],
  },
  {
    id: 'ssl-verification-disabled',
    title: 'TLS hostname / certificate check turned off',
    message: 'TLS verification turned off (check_hostname = False or verify_mode = CERT_NONE).',
    remedy: 'Leave check_hostname True and verify_mode CERT_REQUIRED (the create_default_context defaults).',
    help: 'Setting check_hostname to False or verify_mode to CERT_NONE lets any certificate through, so the connection can be intercepted. Keep the defaults of ssl.create_default_context.',
    cwe: 'CWE-295',
    owasp: AUTH,
    severity: 'medium',
    confidence: 'medium',
    language: 'python',
    sg: {
      kind: 'assignment',
      any: [
        {
          all: [{ has: { field: 'left', regex: '\\.check_hostname$' } }, { has: { field: 'right', regex: '^False$' } }],
        },
        {
          all: [
            { has: { field: 'left', regex: '\\.verify_mode$' } },
            { has: { field: 'right', regex: '(^|\\.)CERT_NONE$' } },
          ],
        },
      ],
    },
  },
  {
    id: 'paramiko-auto-add-policy',
    title: 'paramiko accepts unknown host keys',
    message: 'SSH client trusts unknown host keys (AutoAddPolicy/WarningPolicy): open to man-in-the-middle.',
    remedy: 'Load known hosts (load_system_host_keys) and keep the default RejectPolicy.',
    help: 'AutoAddPolicy and WarningPolicy accept any host key on first contact, so an attacker on the path can impersonate the server. Verify host keys against a known_hosts file.',
    cwe: 'CWE-295',
    owasp: AUTH,
    severity: 'high',
    confidence: 'medium',
    bandit: 'B507',
    language: 'python',
    sg: call({
      has: { field: 'function', regex: '(^|\\.)set_missing_host_key_policy$' },
      all: [{ has: { field: 'arguments', regex: '(AutoAddPolicy|WarningPolicy)' } }],
    }),
    refine: (node, context) => {
      if (![...context.imports].some((name) => name.includes('paramiko'))) return false;
      const first = argumentsOf(node).positional[0];
      if (!first) return false;
      // Bandit 1.6.2 only recognises the class (`AutoAddPolicy`), not an instance (`AutoAddPolicy()`).
      if (/(^|\.)(AutoAddPolicy|WarningPolicy)$/.test(first.text())) return true;
      if (/(^|\.)(AutoAddPolicy|WarningPolicy)\(\)$/.test(first.text())) return { beyondBandit: true };
      return false;
    },
  },
  {
    id: 'random-for-security',
    title: 'random module used where a secret may be needed',
    message: 'random is predictable: not suitable for tokens, passwords, salts or keys.',
    remedy: 'Use the secrets module (secrets.token_hex, secrets.choice) for anything secret.',
    help: 'The random module is a Mersenne Twister whose state can be recovered from its output. Anything that must be unguessable (tokens, passwords, nonces, salts) must come from secrets or os.urandom.',
    cwe: 'CWE-330',
    owasp: CRYPTO,
    severity: 'low',
    confidence: 'low',
    bandit: 'B311',
    language: 'python',
    sg: call(),
    calls: ['random', 'randrange', 'randint', 'choice', 'uniform', 'triangular'].map((f) => `random.${f}`),
    callsBeyondBandit: ['choices', 'sample', 'getrandbits', 'randbytes', 'shuffle'].map((f) => `random.${f}`),
    // Bandit flags every call; we do too, but rate it up only near security words.
    refine: (node) =>
      SECURITY_WORDS.test(statementText(node))
        ? {
            severity: 'medium',
            confidence: 'medium',
            message: 'random used for what looks like a secret (token, password, salt…).',
          }
        : true,
  },
  ...xmlRules,
  {
    id: 'urllib-urlopen',
    title: 'urlopen with an unchecked scheme',
    message: 'urllib urlopen/urlretrieve accepts file:// and custom schemes: check the URL before opening it.',
    remedy: 'Allow only http(s) URLs (check urlparse(url).scheme) or use a client that does.',
    help: 'urllib’s openers follow file:// and other schemes, so a URL from outside can read local files. Validate the scheme before opening a URL you did not write.',
    cwe: 'CWE-22',
    owasp: ACCESS,
    severity: 'medium',
    confidence: 'high',
    bandit: 'B310',
    language: 'python',
    sg: call(),
    calls: [
      'urllib.urlopen',
      'urllib.request.urlopen',
      'urllib.urlretrieve',
      'urllib.request.urlretrieve',
      'urllib.URLopener',
      'urllib.request.URLopener',
      'urllib.FancyURLopener',
      'urllib.request.FancyURLopener',
      'urllib2.urlopen',
      'urllib2.Request',
      'six.moves.urllib.request.urlopen',
      'six.moves.urllib.request.urlretrieve',
      'six.moves.urllib.request.URLopener',
      'six.moves.urllib.request.FancyURLopener',
    ],
  },
  {
    id: 'telnet-call',
    title: 'Telnet used',
    message: 'Telnet sends everything, including passwords, in clear text.',
    remedy: 'Use SSH (paramiko, asyncssh) instead.',
    help: 'Telnet has no encryption or server authentication. Credentials and data can be read and altered on the network.',
    cwe: 'CWE-319',
    owasp: CRYPTO,
    severity: 'high',
    confidence: 'high',
    bandit: 'B312',
    language: 'python',
    sg: call(),
    calls: ['telnetlib.*'],
  },
  {
    id: 'ftp-call',
    title: 'FTP used',
    message: 'FTP sends credentials and data in clear text.',
    remedy: 'Use SFTP/SCP (paramiko) or HTTPS.',
    help: 'Plain FTP has no encryption: passwords and files can be read and altered on the network. Use SFTP or HTTPS.',
    cwe: 'CWE-319',
    owasp: CRYPTO,
    severity: 'high',
    confidence: 'high',
    bandit: 'B321',
    language: 'python',
    sg: call(),
    calls: ['ftplib.*'],
  },
  {
    id: 'telnet-import',
    title: 'telnetlib imported',
    message: 'telnetlib imported: Telnet is unencrypted.',
    remedy: 'Use SSH instead of Telnet.',
    help: 'Telnet has no encryption or server authentication. Importing telnetlib usually means credentials travel in clear text.',
    cwe: 'CWE-319',
    owasp: CRYPTO,
    severity: 'high',
    confidence: 'high',
    bandit: 'B401',
    language: 'python',
    sg: { any: [{ kind: 'import_statement' }, { kind: 'import_from_statement' }], regex: 'telnetlib' },
    imports: ['telnetlib'],
  },
  {
    id: 'ftp-import',
    title: 'ftplib imported',
    message: 'ftplib imported: FTP is unencrypted.',
    remedy: 'Use SFTP or HTTPS.',
    help: 'Plain FTP has no encryption. Importing ftplib usually means credentials and files travel in clear text.',
    cwe: 'CWE-319',
    owasp: CRYPTO,
    severity: 'high',
    confidence: 'high',
    bandit: 'B402',
    language: 'python',
    sg: { any: [{ kind: 'import_statement' }, { kind: 'import_from_statement' }], regex: 'ftplib' },
    imports: ['ftplib'],
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
];

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

function pythonInt(text: string): number | undefined {
  const clean = text.replace(/_/g, '').toLowerCase();
  if (/^0o[0-7]+$/.test(clean)) return Number.parseInt(clean.slice(2), 8);
  if (/^0x[0-9a-f]+$/.test(clean)) return Number.parseInt(clean.slice(2), 16);
  if (/^0b[01]+$/.test(clean)) return Number.parseInt(clean.slice(2), 2);
  if (/^0[0-7]+$/.test(clean)) return Number.parseInt(clean.slice(1), 8); // Python 2 octal
  if (/^[1-9][0-9]*$|^0$/.test(clean)) return Number.parseInt(clean, 10);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Recipe rules (matched line by line in recipe.ts)

const SUPPLY = 'A08:2021-Software and Data Integrity Failures';

export const RECIPE_RULES: readonly SastRuleInfo[] = [
  {
    id: 'recipe-pipe-to-shell',
    title: 'Download piped into an interpreter',
    message: 'Downloaded script runs unverified (curl/wget piped into a shell or interpreter).',
    remedy:
      'Download to a file, verify its sha256 against a pinned value, then run it; better, make it a recipe source.',
    help: 'Piping a download straight into sh/bash/python runs whatever the server (or anyone on the path) sends at build time, with no record of what ran. Fetch it as a recipe source with a sha256, or download, verify and then execute.',
    cwe: 'CWE-494',
    owasp: SUPPLY,
    severity: 'high',
    confidence: 'high',
    language: 'recipe',
  },
  {
    id: 'recipe-source-no-checksum',
    title: 'Recipe source without a checksum',
    message: 'Recipe source downloads a url without a sha256: the archive is not verified.',
    remedy: 'Add sha256: <hash of the archive> to the source entry.',
    help: 'Without a checksum the build uses whatever the URL serves at build time, so a compromised or changed upstream goes unnoticed. A sha256 in the recipe pins the exact archive.',
    cwe: 'CWE-494',
    owasp: SUPPLY,
    severity: 'high',
    confidence: 'high',
    language: 'recipe',
  },
  {
    id: 'recipe-source-weak-checksum',
    title: 'Recipe source verified with md5/sha1 only',
    message: 'Recipe source is verified with md5/sha1 only: collisions are practical, use sha256.',
    remedy: 'Replace md5:/sha1: with sha256: <hash of the archive>.',
    help: 'MD5 and SHA-1 have practical collision attacks, so a prepared archive can match the recorded hash. sha256 pins the archive reliably.',
    cwe: 'CWE-328',
    owasp: SUPPLY,
    severity: 'low',
    confidence: 'high',
    language: 'recipe',
  },
  {
    id: 'recipe-script-download-unverified',
    title: 'Build script downloads without verifying',
    message: 'Build script downloads a file and never checks a checksum (sha256sum, shasum -a 256, openssl dgst).',
    remedy:
      'Make the file a recipe source with sha256, or check it with `echo "<sha256>  file" | sha256sum -c` before use.',
    help: 'A file fetched during the build is whatever the server sends at that moment. Declare it as a recipe source with a sha256, or verify it in the script before using it.',
    cwe: 'CWE-494',
    owasp: SUPPLY,
    severity: 'medium',
    confidence: 'medium',
    language: 'recipe',
  },
];

/** Every rule of both packs, for SARIF `rules[]` help text (no native code is loaded by importing this). */
export const SAST_RULE_INFO: readonly SastRuleInfo[] = [...PYTHON_RULES, ...RECIPE_RULES];

export { escapeText as escapeRegExp };
