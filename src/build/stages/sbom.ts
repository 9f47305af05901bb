/** Stage 10: a CycloneDX SBOM of the built artifacts, from the same code as `cvebuild sbom`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inventoryReport } from '../../report/from-inventory.ts';
import { renderSbom } from '../../report/sbom.ts';
import type { Stage } from '../types.ts';
import { artifactInventory } from './artifact-scan.ts';

export const sbomStage: Stage = {
  name: 'sbom',
  async run(context) {
    const inventory = await artifactInventory(context);
    inventory.sources = context.artifacts.map(({ file }) => ({
      path: file,
      format: 'conda-archive',
      records: { conda: 1, pypi: 0, condaSource: 0 },
    }));
    const report = inventoryReport({
      inventory,
      target: context.recipeDir,
      root: context.runDir,
      generatedAt: context.now,
    });
    const file = join(context.runDir, 'sbom.cdx.json');
    writeFileSync(file, await renderSbom(report, 'cyclonedx'));
    return {
      outcome: 'passed',
      findings: [],
      reason: `CycloneDX of ${inventory.packages.length} package(s)`,
      details: { sbom: file },
    };
  },
};
