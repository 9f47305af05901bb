/** Stage 5: SAST over the recipe directory (build scripts, Python). Findings are surfaced. */
import { emptyInventory } from '../../model/inventory.ts';
import { runEngineStage } from '../engine-stage.ts';
import type { Stage } from '../types.ts';

export const sastStage: Stage = {
  name: 'sast',
  async run(context) {
    const { result: _result, ...stage } = await runEngineStage(context, {
      stage: 'sast',
      checks: ['sast'],
      inventory: emptyInventory(),
      root: context.recipeDir,
      onFail: 'surface',
    });
    return stage;
  },
};
