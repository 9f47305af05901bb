/**
 * The Python SAST engine: runs the rule pack (rules/) over the files the walker selected.
 *
 * How (measured on the Debian Python 3.11 stdlib, 668 files, 13 MB, 2 cores; see bench/sast.ts):
 * - ast-grep's `findInFiles` parses and matches in Rust on a thread pool. It accepts an explicit
 *   list of files and scans exactly those (no .gitignore, hidden-file or extension filtering of
 *   its own: checked), so the walker's selection is respected. Parse + match of one combined rule
 *   took ~1.1 s there, against ~2.0 s for `parse` + `findAll` file by file on the main thread,
 *   and the gap grows with cores.
 * - All rules go into ONE combined `any` rule (one pass per file; ~8 separate rules cost 1.5×
 *   more in deps.md §7). Which rule matched is found afterwards: candidates are looked up by node
 *   kind, call rules by the callee's qualified name, and each rule's own conditions are read off
 *   metavariable marks the combined rule captured (`$R<i>`, see `marked`; `node.matches(config)`
 *   per rule recompiled the rule on every call and took 4 s instead of ~1.8 s). Nodes come back in document order, so imports are applied as they are
 *   met, like Bandit's visitor does (an alias only counts after its import).
 * - The combined rule also matches every `module` node, so each parsed file reports back at least
 *   once: a file that never reports was skipped by ast-grep (it silently skips non-UTF-8 files),
 *   and is returned in `skipped` with the reason.
 * - Before ast-grep sees a file, python-nesting.ts measures how deeply it nests: tree-sitter's
 *   Python scanner aborts the process past a fixed state size, so deeper files are set aside as
 *   not scanned. A file reports at most MAX_HITS_PER_FILE hits; snippets come from the source line,
 *   never from a node's text (which, for nested nodes, adds up to the file's size per level).
 * - Callees renamed by an import (`from os import system as run`, `import ftplib as f`) cannot be
 *   prefiltered by name; files with such aliases get a second, in-file pass for calls of them.
 */

import python from '@ast-grep/lang-python';
import {
  findInFiles,
  type NapiConfig,
  type Range,
  type Rule,
  registerDynamicLanguage,
  type SgNode,
} from '@ast-grep/napi';
import type { CodeFile, CodeHit, NotScanned } from '../code/types.ts';
import { reasonOf } from '../fs/errors.ts';
import { readRegularFile } from '../fs/regular-file.ts';
import { compareHits, snippetOf } from './hits.ts';
import { nestingExcess } from './python-nesting.ts';
import {
  escapeRegExp,
  fieldOf,
  kindOf,
  PYTHON_RULES,
  type PythonRule,
  type Refinement,
  type RuleContext,
} from './rules/index.ts';

export interface PythonScan {
  /** Sorted by file, line, column, rule. */
  hits: CodeHit[];
  skipped: NotScanned[];
}

let registered = false;

/** Registers tree-sitter Python with ast-grep (once per process; safe to call again). */
export function ensurePythonLanguage(): void {
  if (registered) return;
  registerDynamicLanguage({ python } as never);
  registered = true;
}

const LANG = 'python' as never;
const IMPORT_KINDS = new Set(['import_statement', 'import_from_statement']);

interface CompiledRule {
  rule: PythonRule;
  /** Position in the combined rule: its metavariable is `$R<index>` (first pass), `$S<index>` (alias pass). */
  index: number;
  kind: string;
  calls?: Set<string>;
  beyond?: Set<string>;
  /** `telnetlib.*` → `telnetlib.` */
  wildcards: string[];
  beyondWildcards: string[];
}

interface Engine {
  combined: NapiConfig;
  byKind: Map<string, CompiledRule[]>;
  callRules: CompiledRule[];
  importRules: CompiledRule[];
  /** Every qualified callee pattern, for deciding whether an alias needs the second pass. */
  patterns: string[];
}

let engine: Engine | undefined;

/** Function-text regex of a call rule's callees: `(^|\.)(loads|load)$`, `(^|\.)ftplib\.\w+$`. */
function calleeRegex(patterns: readonly string[]): string {
  const names = new Set<string>();
  const modules = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.endsWith('.*')) modules.add(escapeRegExp(pattern.slice(0, -2).split('.').at(-1) ?? ''));
    else if (!pattern.includes('.')) names.add(`^${escapeRegExp(pattern)}$`);
    else names.add(`(^|\\.)${escapeRegExp(pattern.split('.').at(-1) ?? '')}$`);
  }
  const alternatives = [...names];
  if (modules.size) alternatives.push(`(^|\\.)(${[...modules].join('|')})\\.[A-Za-z_][A-Za-z0-9_]*$`);
  return alternatives.join('|');
}

/**
 * Marks which of `rules` hold at a node, in one rule: `all` of one optional clause per rule,
 * `any: [<rule> + capture $<prefix><index>, <the kind itself>]`. `any` stops at the first clause
 * that holds and `all` merges the captures, so `getMatch('R7')` afterwards says whether rule 7
 * matched. (Asking `node.matches(rule)` per rule instead recompiles the rule on every call:
 * ~0.2 ms each, seconds on the stdlib.)
 */
function marked(
  kind: string,
  rules: readonly CompiledRule[],
  prefix: string,
  ruleOf: (c: CompiledRule) => Rule,
): Rule[] {
  return rules.map((compiled) => ({
    any: [{ all: [ruleOf(compiled), { pattern: `$${prefix}${compiled.index}` }] }, { kind }],
  }));
}

function compile(): Engine {
  const byKind = new Map<string, CompiledRule[]>();
  const importRules: CompiledRule[] = [];
  const patterns: string[] = [];
  PYTHON_RULES.forEach((rule, index) => {
    const all = [...(rule.calls ?? []), ...(rule.callsBeyondBandit ?? [])];
    patterns.push(...all);
    const compiled: CompiledRule = {
      rule,
      index,
      kind: String(rule.sg.kind ?? ''),
      calls: rule.calls ? new Set(rule.calls.filter((c) => !c.endsWith('.*'))) : undefined,
      beyond: rule.callsBeyondBandit ? new Set(rule.callsBeyondBandit.filter((c) => !c.endsWith('.*'))) : undefined,
      wildcards: (rule.calls ?? []).filter((c) => c.endsWith('.*')).map((c) => c.slice(0, -1)),
      beyondWildcards: (rule.callsBeyondBandit ?? []).filter((c) => c.endsWith('.*')).map((c) => c.slice(0, -1)),
    };
    if (rule.imports) importRules.push(compiled);
    else byKind.set(compiled.kind, [...(byKind.get(compiled.kind) ?? []), compiled]);
  });
  const candidate = (compiled: CompiledRule): Rule => {
    const all = [...(compiled.rule.calls ?? []), ...(compiled.rule.callsBeyondBandit ?? [])];
    return all.length
      ? { all: [{ kind: 'call', has: { field: 'function', regex: calleeRegex(all) } }, compiled.rule.sg] }
      : compiled.rule.sg;
  };
  const alternatives: Rule[] = [{ kind: 'module' }, { kind: 'import_statement' }, { kind: 'import_from_statement' }];
  for (const [kind, rules] of byKind) {
    alternatives.push({ all: [{ any: rules.map(candidate) }, ...marked(kind, rules, 'R', candidate)] });
  }
  return {
    combined: { rule: { any: alternatives } },
    byKind,
    callRules: byKind.get('call') ?? [],
    importRules,
    patterns,
  };
}

/** Hits one file may report: past this, the rest of the file is reported as not examined. */
export const MAX_HITS_PER_FILE = 1000;

/**
 * ast-grep hands back every matched node of a file at once, and each costs memory in Rust and in
 * JavaScript: 100,000 lines of calls peak near 400 MB, 400,000 at 1.4 GB and 22 s. Real sources
 * stay far below (the largest files of popular projects hold a few tens of thousands of lines);
 * a file past this is reported as not scanned instead.
 */
export const MAX_PYTHON_LINES = 50_000;

/** Scans Python files; files nested too deeply, non-UTF-8 and otherwise unparsable ones come back in `skipped`. */
export async function scanPython(files: readonly CodeFile[]): Promise<PythonScan> {
  const skipped: NotScanned[] = [];
  const parseable = files.filter((file) => {
    const excess = whyUnscannable(file);
    if (excess) skipped.push({ path: file.path, reason: excess });
    return !excess;
  });
  // ast-grep's walker refuses an empty path list ("paths cannot be empty").
  if (parseable.length === 0) return { hits: [], skipped };
  ensurePythonLanguage();
  engine ??= compile();
  const current = engine;
  const byAbsolute = new Map(parseable.map((file) => [file.absolute, file]));
  const hits: CodeHit[] = [];
  const seen = new Set<string>();
  const errors: string[] = [];
  let reported = 0;
  const expected = await findInFiles(
    LANG,
    { paths: [...byAbsolute.keys()], matcher: current.combined },
    (err, nodes) => {
      reported++;
      if (err) {
        errors.push(err.message);
        return;
      }
      const first = nodes[0];
      if (!first) return;
      const filename = first.getRoot().filename();
      const file = byAbsolute.get(filename);
      if (!file) return;
      seen.add(filename);
      try {
        const scanned = scanNodes(current, file, nodes);
        for (const hit of scanned.hits) hits.push(hit);
        if (scanned.truncated) {
          skipped.push({ path: file.path, reason: `more than ${MAX_HITS_PER_FILE} hits (the rest was not examined)` });
        }
      } catch (error) {
        errors.push(`${file.path}: ${(error as Error).message}`);
      }
    },
  );
  // The promise can settle before the last callbacks ran; wait for them.
  while (reported < expected) await new Promise((resolve) => setImmediate(resolve));
  for (const [absolute, file] of byAbsolute) {
    if (!seen.has(absolute)) skipped.push({ path: file.path, reason: whySkipped(absolute) });
  }
  for (const error of errors) skipped.push({ path: '', reason: `ast-grep: ${error}` });
  hits.sort(compareHits);
  return { hits, skipped };
}

/** Why a file is too long or too deeply nested for the parser, or cannot be read; undefined when it can be parsed. */
function whyUnscannable(file: CodeFile): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file.absolute, { input: false });
  } catch (error) {
    return `unreadable: ${reasonOf(error)}`;
  }
  if (lineCount(bytes) > MAX_PYTHON_LINES) return `more than ${MAX_PYTHON_LINES.toLocaleString('en-US')} lines`;
  return nestingExcess(bytes);
}

function lineCount(bytes: Buffer): number {
  let lines = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? 1 : 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

function whySkipped(absolute: string): string {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(absolute, { input: false });
  } catch (error) {
    return `unreadable: ${reasonOf(error)}`;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'not valid UTF-8 (Python sources must be UTF-8 to be scanned)';
  }
  return 'not parsed by ast-grep';
}

/** Bandit's import tracking: aliases and imported names, as the visitor meets them. */
class Imports {
  readonly imports = new Set<string>();
  readonly aliases = new Map<string, string>();

  /** Applies one import statement; returns the names Bandit's import blacklist tests. */
  apply(node: SgNode): string[] {
    const text = node
      .text()
      .replace(/#[^\n]*/g, '')
      .replace(/\\\r?\n/g, ' ')
      .replace(/[()]/g, ' ');
    const tested: string[] = [];
    if (node.kind() === 'import_statement') {
      for (const [name, alias] of importList(text.replace(/^\s*import\s+/, ''))) {
        if (alias) this.aliases.set(alias, name);
        this.imports.add(name);
        tested.push(name);
      }
      return tested;
    }
    const match = /^\s*from\s+(\S+)\s+import\s+([\s\S]*)$/.exec(text);
    if (!match) return tested;
    const module = (match[1] ?? '').replace(/^\.+/, '');
    for (const [name, alias] of importList(match[2] ?? '')) {
      if (!module) {
        // `from . import x`: Bandit treats it as `import x`.
        if (alias) this.aliases.set(alias, name);
        this.imports.add(name);
        tested.push(name);
        continue;
      }
      this.aliases.set(alias ?? name, `${module}.${name}`);
      this.imports.add(`${module}.${name}`);
      tested.push(`${module}.${name}`);
    }
    return tested;
  }

  /** Bandit's `_get_attr_qual_name`: the first name through the aliases, then each prefix. */
  resolve(dotted: string): string {
    const parts = dotted.split('.');
    let name = parts[0] ?? '';
    name = this.aliases.get(name) ?? name;
    for (const part of parts.slice(1)) {
      name = `${name}.${part}`;
      name = this.aliases.get(name) ?? name;
    }
    return name;
  }
}

function importList(text: string): [string, string | undefined][] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const match = /^([\w.*]+)(?:\s+as\s+(\w+))?$/.exec(item.replace(/\s+/g, ' ').replace(/\s*\.\s*/g, '.'));
      return [match?.[1] ?? item, match?.[2]];
    });
}

const DOTTED = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;
const TRAILING = /((?:\.[A-Za-z_]\w*)+)$/;

/** The qualified callee name of a call, as Bandit computes it (`''`-rooted when the base is not a name). */
function qualnameOf(call: SgNode, imports: Imports): string {
  const fn = fieldOf(call, 'function');
  if (!fn) return '';
  const text = fn.text().replace(/\\\r?\n|\s+/g, '');
  if (DOTTED.test(text)) return imports.resolve(text);
  return TRAILING.exec(text)?.[1] ?? '';
}

function callMatch(compiled: CompiledRule, qualname: string): 'bandit' | 'beyond' | undefined {
  if (compiled.calls?.has(qualname) || compiled.wildcards.some((prefix) => qualname.startsWith(prefix))) {
    return 'bandit';
  }
  if (compiled.beyond?.has(qualname) || compiled.beyondWildcards.some((prefix) => qualname.startsWith(prefix))) {
    return 'beyond';
  }
  return undefined;
}

/** Calls of names that an import renamed, which the by-name prefilter cannot see. */
function renamedCallees(current: Engine, nodes: readonly SgNode[]): string[] {
  const imports = new Imports();
  for (const node of nodes) if (IMPORT_KINDS.has(kindOf(node))) imports.apply(node);
  const locals: string[] = [];
  for (const [local, target] of imports.aliases) {
    const relevant = current.patterns.some((pattern) =>
      pattern.endsWith('.*')
        ? target === pattern.slice(0, -2) || target.startsWith(pattern.slice(0, -1))
        : pattern === target && local !== pattern.split('.').at(-1),
    );
    if (relevant) locals.push(local);
  }
  return locals;
}

function scanNodes(current: Engine, file: CodeFile, found: SgNode[]): { hits: CodeHit[]; truncated: boolean } {
  let nodes = found;
  /** Nodes of the alias pass, by id: their marks are `$S<i>` (rule conditions without the callee-name prefilter). */
  const aliased = new Map<number, SgNode>();
  const renamed = renamedCallees(current, nodes);
  if (renamed.length && current.callRules.length) {
    const root = found[0]?.getRoot().root();
    const extra =
      root?.findAll({
        rule: {
          all: [
            {
              kind: 'call',
              has: {
                field: 'function',
                regex: `^(${renamed.map(escapeRegExp).join('|')})(\\.[A-Za-z_][A-Za-z0-9_]*)*$`,
              },
            },
            ...marked('call', current.callRules, 'S', (compiled) => compiled.rule.sg),
          ],
        },
      }) ?? [];
    const ids = new Set(nodes.map((node) => node.id()));
    for (const node of extra) aliased.set(node.id(), node);
    const added = extra.filter((node) => !ids.has(node.id()));
    if (added.length) {
      nodes = [...nodes, ...added].sort((a, b) => {
        const ra = a.range();
        const rb = b.range();
        return ra.start.index - rb.start.index || rb.end.index - ra.end.index;
      });
    }
  }

  const imports = new Imports();
  const hits: CodeHit[] = [];
  const reported = new Set<string>();
  const lines = new SourceLines(found[0]);
  const report = (compiled: CompiledRule, node: SgNode, refinement: Refinement, beyond: boolean): void => {
    const at = refinement.at ?? node;
    const range = at.range();
    const key = `${compiled.rule.id}:${range.start.index}:${range.end.index}`;
    if (reported.has(key)) return;
    reported.add(key);
    hits.push(toHit(compiled.rule, file, at, lines, refinement, beyond || refinement.beyondBandit === true));
  };

  for (const node of nodes) {
    if (hits.length >= MAX_HITS_PER_FILE) return { hits, truncated: true };
    const kind = kindOf(node);
    if (kind === 'module') continue;
    if (IMPORT_KINDS.has(kind)) {
      const names = imports.apply(node);
      for (const compiled of current.importRules) {
        if (names.some((name) => compiled.rule.imports?.some((prefix) => name.startsWith(prefix)))) {
          report(compiled, node, {}, false);
        }
      }
      continue;
    }
    const candidates = current.byKind.get(kind);
    if (!candidates) continue;
    const qualname = kind === 'call' ? qualnameOf(node, imports) : '';
    const context: RuleContext = {
      imports: imports.imports,
      aliases: imports.aliases,
      qualname,
      resolve: (dotted) => imports.resolve(dotted),
    };
    const alias = aliased.get(node.id());
    for (const compiled of candidates) {
      let beyond = false;
      if (compiled.calls || compiled.beyond) {
        const matched = callMatch(compiled, qualname);
        if (!matched) continue;
        beyond = matched === 'beyond';
      }
      const holds =
        node.getMatch(`R${compiled.index}`) !== null || (alias?.getMatch(`S${compiled.index}`) ?? null) !== null;
      if (!holds) continue;
      const refined = compiled.rule.refine ? compiled.rule.refine(node, context) : true;
      if (refined === false) continue;
      report(compiled, node, refined === true ? {} : refined, beyond);
    }
  }
  return { hits: hits.slice(0, MAX_HITS_PER_FILE), truncated: hits.length > MAX_HITS_PER_FILE };
}

/** The file's lines, split once when a first snippet needs them. */
class SourceLines {
  readonly #root: SgNode | undefined;
  #lines: string[] | undefined;

  constructor(node: SgNode | undefined) {
    this.#root = node?.getRoot().root();
  }

  /** The first line of a node's text, cut from the source instead of building the node's text. */
  firstLine({ start, end }: Range): string {
    this.#lines ??= this.#root?.text().split(/\r?\n/) ?? [];
    const line = this.#lines[start.line] ?? '';
    return line.slice(start.column, end.line === start.line ? end.column : line.length);
  }
}

function toHit(
  rule: PythonRule,
  file: CodeFile,
  node: SgNode,
  lines: SourceLines,
  refinement: Refinement,
  beyond: boolean,
): CodeHit {
  const { start, end } = node.range();
  const hit: CodeHit = {
    engine: 'cvebuild',
    rule: rule.id,
    message: refinement.message ?? rule.message,
    severity: refinement.severity ?? rule.severity,
    confidence: refinement.confidence ?? rule.confidence,
    cwe: rule.cwe,
    owasp: rule.owasp,
    ...(rule.bandit ? { bandit: rule.bandit } : {}),
    file: file.path,
    line: start.line + 1,
    column: start.column + 1,
    endLine: end.line + 1,
    endColumn: end.column + 1,
    snippet: snippetOf(lines.firstLine({ start, end })),
    remedy: rule.remedy,
  };
  if (beyond) hit.extra = { beyondBandit: true };
  return hit;
}
