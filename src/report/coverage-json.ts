/** `cvebuild coverage --format json`: every package's mapping and the counts, for tools. */
import type { MappingCoverage } from '../intel/mapping-coverage.ts';
import { shareOf } from '../intel/mapping-coverage.ts';
import { toJson } from '../text/json.ts';

export function renderCoverageJson(coverage: MappingCoverage, intelLabel: string): string {
  const { summary } = coverage;
  const document = {
    intel: intelLabel,
    summary: {
      ...summary,
      condaNames: { ...summary.condaNames, share: Number(shareOf(summary.condaNames).toFixed(4)) },
    },
    packages: coverage.packages.map(({ package: pkg, kinds, targets, reason }) => ({
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      version: pkg.version,
      platform: pkg.platform,
      mappedBy: kinds,
      targets,
      reason: reason ?? null,
    })),
  };
  return `${toJson(document)}\n`;
}
