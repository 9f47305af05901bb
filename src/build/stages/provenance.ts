/** Stage 11: the build's SLSA provenance statement: a later slice, said rather than silently absent. */
import type { Stage } from '../types.ts';

export const provenanceStage: Stage = {
  name: 'provenance',
  async run() {
    return {
      outcome: 'skipped',
      findings: [],
      reason: 'SLSA provenance is not built yet: no build-level claim is made',
    };
  },
};
