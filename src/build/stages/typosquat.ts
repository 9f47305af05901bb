/** Stage 1: the recipe's requirement names against popular ones. A typosquat halts the build. */
import { runEngineStage } from '../engine-stage.ts';
import type { Stage } from '../types.ts';

export const typosquatStage: Stage = {
  name: 'typosquat',
  run: (context) =>
    runEngineStage(context, {
      stage: 'typosquat',
      checks: ['typosquat'],
      inventory: context.requirements,
      onFail: 'halt',
    }),
};
