/**
 * Stage 3: the environments the build will use. A pixi.lock beside the recipe is read as it is;
 * otherwise the build, host and run requirements are solved against the `--channel`s with
 * rattler's solver, and the solved packages are what the CVE audit and later stages see.
 *
 * Threat intel (stage 2) ran on the names the recipe wrote; the packages they pull in are known
 * only now, so the same malicious-package check runs here over everything solved and halts the
 * build on a malicious release, before anything is fetched or run.
 */
import { runEngineStage } from '../engine-stage.ts';
import type { SolvedEnvironment } from '../resolve/solved.ts';
import type { BuildContext, Stage, StageResult } from '../types.ts';

export const resolveStage: Stage = {
  name: 'resolve',
  async run(context) {
    if (context.lock) {
      const { file, inventory } = context.lock;
      const unused = context.channels.length > 0 ? '; the --channel(s) are not solved against: the lock wins' : '';
      return {
        outcome: 'passed',
        findings: [],
        reason: `read ${inventory.packages.length} package(s) from the lock as it is${unused}`,
        details: { lock: file, packages: inventory.packages.length },
      };
    }
    if (context.channels.length === 0)
      return {
        outcome: 'skipped',
        findings: [],
        reason:
          'no --channel to solve against and no pixi.lock beside the recipe: the requirements are audited as written',
      };
    // rattler's WebAssembly solver loads only in runs that solve
    const { resolveRequirements } = await import('../resolve/solve.ts');
    const resolution = await resolveRequirements({
      recipeFile: context.recipeFile,
      manifest: context.requirements.manifest,
      channels: context.channels,
      targetPlatform: context.targetPlatform,
    });
    const details = {
      channels: context.channels,
      environments: resolution.environments,
      virtualPackages: resolution.virtualPackages,
      ...(resolution.leftOut.length > 0 ? { leftOut: resolution.leftOut } : {}),
    };
    await adopt(context, details.environments);
    const counts = resolution.environments.map((environment) => `${environment.name} ${environment.records.length}`);
    const left =
      resolution.leftOut.length > 0
        ? `; ${resolution.leftOut.length} requirement(s) left out of the solve and audited as written (details.leftOut)`
        : '';
    const solved = `solved against ${context.channels.length} channel(s): ${counts.join(', ')} package(s)${left}`;
    const check = await maliciousCheck(context);
    if (check.outcome === 'skipped')
      return {
        outcome: 'passed',
        findings: check.findings,
        reason: `${solved}; not checked: ${check.reason}`,
        details,
      };
    return { ...check, reason: [solved, check.reason].filter(Boolean).join('; '), details };
  },
  async restore(record, context) {
    if (context.lock || context.channels.length === 0) return true;
    const { recordedEnvironments } = await import('../resolve/solved.ts');
    const environments = recordedEnvironments(record.details?.environments);
    if (!environments) return false;
    await adopt(context, environments);
    return true;
  },
};

async function adopt(context: BuildContext, environments: readonly SolvedEnvironment[]): Promise<void> {
  const { solvedInventory } = await import('../resolve/solved.ts');
  context.solved = solvedInventory(environments, context.requirements.manifest.dependencies, context.recipeFile);
}

/** The malicious-package check over the solved packages: its findings and outcome are the stage's. */
async function maliciousCheck(context: BuildContext): Promise<StageResult> {
  if (!context.solved || context.solved.packages.length === 0) return { outcome: 'passed', findings: [] };
  const { result: _result, ...stage } = await runEngineStage(context, {
    stage: 'resolve',
    checks: ['malicious'],
    inventory: context.solved,
    onFail: 'halt',
  });
  if (stage.outcome === 'halted')
    return { ...stage, reason: `a solved dependency is a malicious release: ${stage.reason ?? ''}`.trim() };
  return stage;
}
