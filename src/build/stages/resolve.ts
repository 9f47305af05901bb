/**
 * Stage 3: the environments the build will use. Solving the requirements against channels
 * (rattler's `simpleSolve`) is a later slice; a pixi.lock beside the recipe is read as it is.
 */
import type { Stage } from '../types.ts';

export const resolveStage: Stage = {
  name: 'resolve',
  async run(context) {
    if (!context.lock)
      return {
        outcome: 'skipped',
        findings: [],
        reason:
          'solving against channels is not built yet (no pixi.lock beside the recipe); pinned requirements are audited as written',
      };
    const { file, inventory } = context.lock;
    return {
      outcome: 'passed',
      findings: [],
      reason: `read ${inventory.packages.length} package(s) from the lock as it is`,
      details: { lock: file, packages: inventory.packages.length },
    };
  },
};
