/**
 * The `sast` check: the project's own Python code and recipe scripts, matched against cvebuild's
 * rule pack (Bandit's families, each with CWE and OWASP category), optionally merged with Bandit
 * and Semgrep when the policy enables them. Findings are surfaced, never fixed.
 */
import { codeFindings, NOT_SCANNED_RULE, skippedFindings } from '../code/findings.ts';
import { applyCodeScanOptions, codeScanDefaults, codeScanShape } from '../code/options.ts';
import { walkForCheck } from '../code/scope.ts';
import type { CodeHit, CodeScanSettings, Confidence } from '../code/types.ts';
import { type Finding, type RuleText, withFlags } from '../model/finding.ts';
import { zod } from '../policy/zod.ts';
import { SAST_RULE_INFO } from '../sast/rules/index.ts';
import { type Check, checkOptions } from './check.ts';

const CHECK = { id: 'sast', version: 1 };
const ENGINES = ['bandit', 'semgrep'] as const;
const isPython = (path: string): boolean => /\.pyw?$/.test(path);
const CONFIDENCE_RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

export interface SastSettings extends CodeScanSettings {
  /** External engines to run as well when on PATH; enabled but missing fails closed. */
  engines: (typeof ENGINES)[number][];
  /** `semgrep --config` value (a registry name needs the network; a local rules file does not). */
  semgrepConfig?: string;
  /** Hits below this confidence are dropped. */
  minConfidence: Confidence;
}

export interface SastCheckSettings {
  /** What the SAST check scans and which external engines it merges in. */
  sast: SastSettings;
}

export const sastCheck: Check<SastCheckSettings> = {
  ...CHECK,
  title: 'Static analysis of the project’s Python code and recipe scripts',
  requires: { intel: false, network: false, tree: true },
  rules: {
    check: {
      title: 'Insecure code pattern',
      help: 'A static-analysis rule matched the project’s own code or recipe scripts. cvebuild reports it and never changes code: review the place, fix it, or accept it with an inline `# cvebuild: ignore[rule]` comment (Bandit’s `# nosec` is honoured too) or a waiver.',
      cwes: [],
      tags: ['security', 'sast', 'code'],
    },
    rule: sastRule,
  },
  options: checkOptions({
    defaults: (): SastCheckSettings => ({ sast: { ...codeScanDefaults(), engines: [], minConfidence: 'low' } }),
    shape: () => {
      const z = zod();
      return {
        ...codeScanShape(),
        engines: z.array(z.enum(ENGINES)),
        'semgrep-config': z.string().min(1),
        'min-confidence': z.enum(['low', 'medium', 'high']),
      };
    },
    apply(values, settings) {
      applyCodeScanOptions(values, settings.sast);
      if (values.engines) settings.sast.engines = [...new Set(values.engines)];
      if (values['semgrep-config'] !== undefined) settings.sast.semgrepConfig = values['semgrep-config'];
      if (values['min-confidence'] !== undefined) settings.sast.minConfidence = values['min-confidence'];
    },
  }),
  async run(_inventory, context) {
    const root = context.root;
    if (!root) return [];
    const settings = context.settings.sast;
    const walk = walkForCheck(context, root, settings);
    const python = walk.files.filter((file) => isPython(file.path));
    // Loaded on demand, and ast-grep (a native module) only when there is Python to parse
    const { recipeFilesOf, scanRecipeFiles } = await import('../sast/recipe.ts');
    const scanPython = python.length > 0 ? (await import('../sast/python.ts')).scanPython : undefined;
    const [ours, recipes] = await Promise.all([
      scanPython ? scanPython(python) : { hits: [], skipped: [] },
      scanRecipeFiles(walk.files),
    ]);
    let hits: CodeHit[] = [...ours.hits, ...recipes];
    const failures: Finding[] = [];
    const engines = python.length > 0 ? settings.engines : [];
    const { mergeHits, runExternal } = engines.length > 0 ? await import('../sast/external.ts') : {};
    for (const engine of engines) {
      if (!runExternal || !mergeHits) break;
      const result = await runExternal(engine, walk.root, python, { semgrepConfig: settings.semgrepConfig });
      if ('error' in result) failures.push(engineFailure(engine, result.error, root));
      else hits = mergeHits(hits, result.hits);
    }
    const minimum = CONFIDENCE_RANK[settings.minConfidence];
    hits = hits.filter((hit) => CONFIDENCE_RANK[hit.confidence] >= minimum);
    hits = hits.map(maskPasswordLiterals);
    const scope = { check: CHECK, root: walk.root, family: 'sast' as const };
    const relevant = [...walk.skipped.filter((file) => isPython(file.path)), ...recipeFilesOf(walk.skipped)];
    return [
      ...failures,
      ...(await codeFindings(hits, scope)),
      ...skippedFindings([...relevant, ...ours.skipped], { ...scope, what: 'SAST', maxFileSize: settings.maxFileSize }),
    ];
  },
};

const ENGINE_FAILED_RULE: Partial<RuleText> = {
  title: 'External SAST engine could not run',
  help: 'The policy enables an external engine (bandit or semgrep) that is not installed or failed, so the scan is incomplete and the gate fails closed. Install it, or remove it from [checks.sast] engines.',
  cwes: [],
};

/** A rule of cvebuild's pack has its own title and help; the check's own rules are about the run. */
function sastRule(id: string): Partial<RuleText> | undefined {
  if (id === `${CHECK.id}/not-scanned`) return NOT_SCANNED_RULE;
  if (id === `${CHECK.id}/engine-failed`) return ENGINE_FAILED_RULE;
  const rule = SAST_RULE_INFO.find((candidate) => candidate.id === id);
  return rule ? { title: rule.title, help: rule.help, cwes: [rule.cwe] } : undefined;
}

/** An engine the policy asked for that could not run: the scan is incomplete, so it fails closed. */
function engineFailure(engine: string, error: string, root: string): Finding {
  const finding: Finding = {
    check: CHECK.id,
    checkVersion: CHECK.version,
    rule: 'sast/engine-failed',
    severity: 'high',
    message: `${engine} could not run: ${error}`,
    evidence: { engine, error },
    remedy: `install ${engine} (or remove it from [checks.sast] engines)`,
    location: { file: root },
  };
  return withFlags(finding, { unchecked: true });
}

/**
 * A hard-coded-password hit quotes the password itself: every string literal of its snippet is
 * masked. (Every snippet is then masked for credentials by `codeFindings`.)
 */
function maskPasswordLiterals(hit: CodeHit): CodeHit {
  if (!hit.snippet || !hit.rule.startsWith('hardcoded-password')) return hit;
  return { ...hit, snippet: maskStringLiterals(hit.snippet) };
}

function maskStringLiterals(code: string): string {
  return code.replace(
    /([rbuRBUfF]{0,2})(['"])(?:\\.|(?!\2).)*\2/g,
    (_literal, prefix: string, quote: string) => `${prefix}${quote}****${quote}`,
  );
}
