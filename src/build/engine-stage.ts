/**
 * A stage that is one engine run: the checks it names (those the policy leaves enabled), over an
 * inventory and/or the recipe tree, and its outcome from the engine's verdict. A halting stage
 * halts when the verdict fails; a surfacing stage reports its findings and lets the build go on.
 */
import type { EngineResult } from '../engine/engine.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Policy } from '../policy/policy.ts';
import { type BuildContext, type StageName, type StageResult, stageFinding } from './types.ts';

export interface EngineStageRequest {
  stage: StageName;
  checks: readonly string[];
  inventory: Inventory;
  /** The tree the code checks scan. */
  root?: string;
  /** What a failing verdict does: stop the pipeline, or only report. */
  onFail: 'halt' | 'surface';
  policy?: Policy;
}

export interface EngineStageResult extends StageResult {
  result?: EngineResult;
}

export async function runEngineStage(context: BuildContext, request: EngineStageRequest): Promise<EngineStageResult> {
  const policy = request.policy ?? context.policy;
  const checks = request.checks.filter((id) => policy.checks.get(id)?.enabled !== false);
  if (checks.length === 0)
    return { outcome: 'skipped', findings: [], reason: `disabled by the policy (${request.checks.join(', ')})` };
  const result = await context.engine.audit(
    { inventory: request.inventory, policy, checks, offline: context.offline, root: request.root },
    { onEvent: (event) => context.emit({ stage: request.stage, ...event }) },
  );
  const findings = result.findings.map(stageFinding);
  const skipped = result.checks.filter((run) => run.status === 'skipped');
  if (skipped.length === result.checks.length) {
    const reasons = skipped.map((run) => `${run.id}: ${run.reason ?? 'skipped'}`).join('; ');
    return { outcome: 'skipped', findings, reason: reasons, result };
  }
  if (result.verdict.outcome === 'fail') {
    const reason = result.verdict.reasons.slice(0, 3).join('; ');
    return { outcome: request.onFail === 'halt' ? 'halted' : 'surfaced', findings, reason, result };
  }
  return { outcome: findings.length > 0 ? 'surfaced' : 'passed', findings, result };
}
