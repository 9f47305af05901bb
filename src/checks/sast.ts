/**
 * The `sast` check: the project's own Python code and recipe scripts, matched against cvebuild's
 * rule pack (Bandit's families, each with CWE and OWASP category), optionally merged with Bandit
 * and Semgrep when the policy enables them. Findings are surfaced, never fixed.
 */
import { z } from 'zod';
import { codeFindings, skippedFindings } from '../code/findings.ts';
import { applyCodeScanOptions, codeScanShape } from '../code/options.ts';
import { walkForCheck } from '../code/scope.ts';
import type { CodeHit, Confidence } from '../code/types.ts';
import type { Finding } from '../model/finding.ts';
import type { Check, SastSettings } from './check.ts';

const CHECK = { id: 'sast', version: 1 };
const ENGINES = ['bandit', 'semgrep'] as const;
const isPython = (path: string): boolean => /\.pyw?$/.test(path);
const CONFIDENCE_RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

export const sastCheck: Check = {
  ...CHECK,
  title: 'Static analysis of the project’s Python code and recipe scripts',
  requires: { intel: false, network: false, tree: true },
  options: {
    shape: {
      ...codeScanShape,
      engines: z.array(z.enum(ENGINES)),
      'semgrep-config': z.string().min(1),
      'min-confidence': z.enum(['low', 'medium', 'high']),
    },
    apply(values, settings) {
      applyCodeScanOptions(values, settings.sast);
      if (Array.isArray(values.engines))
        settings.sast.engines = [...new Set(values.engines as SastSettings['engines'])];
      if (typeof values['semgrep-config'] === 'string') settings.sast.semgrepConfig = values['semgrep-config'];
      const confidence = values['min-confidence'];
      if (confidence === 'low' || confidence === 'medium' || confidence === 'high')
        settings.sast.minConfidence = confidence;
    },
  },
  async run(_inventory, context) {
    const root = context.root;
    if (!root) return [];
    const settings = context.settings.sast;
    // Loaded on demand: the ast-grep native module costs start-up time every other command would pay.
    const [{ scanPython }, { recipeFilesOf, scanRecipeFiles }, { mergeHits, runExternal }] = await Promise.all([
      import('../sast/python.ts'),
      import('../sast/recipe.ts'),
      import('../sast/external.ts'),
    ]);
    const walk = walkForCheck(context, root, settings);
    const python = walk.files.filter((file) => isPython(file.path));
    const [ours, recipes] = await Promise.all([scanPython(python), scanRecipeFiles(walk.files)]);
    let hits: CodeHit[] = [...ours.hits, ...recipes];
    const failures: Finding[] = [];
    for (const engine of python.length > 0 ? settings.engines : []) {
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

/** An engine the policy asked for that could not run: the scan is incomplete, so it fails closed. */
function engineFailure(engine: string, error: string, root: string): Finding {
  return {
    check: CHECK.id,
    checkVersion: CHECK.version,
    rule: 'sast/engine-failed',
    severity: 'high',
    message: `${engine} could not run: ${error}`,
    evidence: { engine, error, unchecked: true },
    remedy: `install ${engine} (or remove it from [checks.sast] engines)`,
    location: { file: root },
  };
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
