/**
 * Stage 2: the recipe's requirements (and a pixi.lock beside it) against malicious-package reports.
 * A malicious release halts the build before anything is fetched or run. The packages they pull
 * in are known only once solved: the resolve stage runs the same check over those.
 */
import { runEngineStage } from '../engine-stage.ts';
import { auditedInventory } from '../inventories.ts';
import type { Stage } from '../types.ts';

export const threatIntelStage: Stage = {
  name: 'threat-intel',
  run: (context) =>
    runEngineStage(context, {
      stage: 'threat-intel',
      checks: ['malicious'],
      inventory: auditedInventory(context),
      onFail: 'halt',
    }),
};
