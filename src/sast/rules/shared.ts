/** Building blocks the rule families share: OWASP categories, ast-grep rule snippets, node helpers. */
import type { Rule, SgNode } from '@ast-grep/napi';

export const INJECTION = 'A03:2021-Injection';
export const CRYPTO = 'A02:2021-Cryptographic Failures';
export const INTEGRITY = 'A08:2021-Software and Data Integrity Failures';
export const AUTH = 'A07:2021-Identification and Authentication Failures';
export const ACCESS = 'A01:2021-Broken Access Control';
export const MISCONFIG = 'A05:2021-Security Misconfiguration';
export const DESIGN = 'A04:2021-Insecure Design';
export const LOGGING = 'A09:2021-Security Logging and Monitoring Failures';

export const escapeText = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
export function kwargNot(name: string, falsy: string): Rule {
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

export const call = (extra: Rule = {}): Rule => ({ kind: 'call', ...extra });

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

/** A string node Bandit visits (`visit_Str`): not a docstring / bare expression statement. */
export const NOT_DOCSTRING: Rule = { not: { inside: { kind: 'expression_statement', stopBy: 'neighbor' } } };
/** Text-level prefix of a non-bytes string literal (`'`, `r"`, `u'''`, `f"`). */
export const STR_START = `^(?:[rRuUfF]{0,2})(?:'''|"""|'|")`;
