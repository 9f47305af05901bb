/**
 * Stage 10: two CycloneDX documents from the same renderer as `cvebuild sbom`: the built artifacts
 * (payload files with sha256, vendored native libraries, run requirements) and the environment
 * they were built in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactSbom, buildEnvironmentSbom } from '../build-sbom.ts';
import { auditedInventory } from '../inventories.ts';
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
    const subject = { target: context.recipeDir, root: context.runDir, generatedAt: context.now };
    const artifact = await artifactSbom({ ...subject, inventory });
    const sbom = join(context.runDir, 'sbom.cdx.json');
    writeFileSync(sbom, artifact.text);
    const environment = auditedInventory(context);
    const buildEnvironment = join(context.runDir, 'build-env.cdx.json');
    writeFileSync(buildEnvironment, buildEnvironmentSbom({ ...subject, inventory: environment }));
    return {
      outcome: 'passed',
      findings: [],
      reason: `CycloneDX of ${inventory.packages.length} package(s) (${artifact.files} file(s), ${artifact.vendored} vendored librar${artifact.vendored === 1 ? 'y' : 'ies'}) and of the build environment (${environment.packages.length} package(s))`,
      details: { sbom, buildEnvironmentSbom: buildEnvironment },
    };
  },
};
