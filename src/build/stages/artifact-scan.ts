/**
 * Stage 8: the built archives through the engine. Each archive's own `info/index.json` makes the
 * inventory (`readArtifactPackage`), and the output directory is the run's package directory, so
 * every check the registry has that reads package contents (link scripts, and whatever archive
 * checks join it) runs on them, along with the advisory checks on the package itself. A blocking
 * finding halts before anything is signed.
 */
import { dirname } from 'node:path';
import { readArtifactPackage } from '../../artifacts/artifact-package.ts';
import { CHECKS } from '../../checks/registry.ts';
import { settingsWithFlags } from '../../policy/flags.ts';
import { inventoryFromPackages } from '../../readers/packages.ts';
import { runEngineStage } from '../engine-stage.ts';
import type { BuildContext, Stage } from '../types.ts';

/** The checks that look at a built package: those that read archives, and known-bad releases. */
export function artifactCheckIds(): string[] {
  return CHECKS.filter(
    (check) => check.requires.archives === true || check.id === 'vulnerability' || check.id === 'malicious',
  ).map((check) => check.id);
}

export async function artifactInventory(context: BuildContext) {
  const packages = [];
  for (const { file } of context.artifacts)
    packages.push(await readArtifactPackage(file, { platform: context.targetPlatform }));
  return inventoryFromPackages(packages);
}

export const artifactScanStage: Stage = {
  name: 'artifact-scan',
  async run(context) {
    const inventory = await artifactInventory(context);
    const packageDirs = [...new Set(context.artifacts.map(({ file }) => dirname(file)))];
    const policy = {
      ...context.policy,
      settings: settingsWithFlags(context.policy.settings, { packages: packageDirs }),
    };
    const { result, ...stage } = await runEngineStage(context, {
      stage: 'artifact-scan',
      checks: artifactCheckIds(),
      inventory,
      policy,
      onFail: 'halt',
    });
    const checks = result?.checks.map((run) => ({ id: run.id, status: run.status, reason: run.reason }));
    return {
      ...stage,
      details: { packages: inventory.packages.map((pkg) => `${pkg.name} ${pkg.version} ${pkg.build}`), checks },
    };
  },
};
