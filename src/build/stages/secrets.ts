/** Stage 6: secrets committed in the recipe directory. A leaked credential halts before the build runs. */
import { emptyInventory } from '../../model/inventory.ts';
import { runEngineStage } from '../engine-stage.ts';
import type { Stage } from '../types.ts';

export const secretsStage: Stage = {
  name: 'secrets',
  async run(context) {
    const { result: _result, ...stage } = await runEngineStage(context, {
      stage: 'secrets',
      checks: ['secrets'],
      inventory: emptyInventory(),
      root: context.recipeDir,
      onFail: 'halt',
    });
    return stage;
  },
};
