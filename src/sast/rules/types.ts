/** The shape of a SAST rule: what reports need (both packs) and how a Python rule matches. */
import type { Rule, SgNode } from '@ast-grep/napi';
import type { Confidence } from '../../code/types.ts';
import type { Severity } from '../../model/finding.ts';

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
