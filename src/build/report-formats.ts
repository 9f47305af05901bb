/**
 * The build report's formats, by name: `cvebuild build --format` / `--output` choose from this
 * list. The gate's formats less the SBOMs (the run directory holds the build's: sbom.cdx.json).
 * HTML and SARIF load on demand, as the gate's renderers do.
 */
import type { BuildRenderer } from './report.ts';

const LOADERS = {
  table: async (): Promise<BuildRenderer> => (await import('./report.ts')).buildTable,
  json: async (): Promise<BuildRenderer> => (await import('./report.ts')).buildJson,
  markdown: async (): Promise<BuildRenderer> => (await import('./report.ts')).buildMarkdown,
  html: async (): Promise<BuildRenderer> => (await import('./report-html.ts')).buildHtml,
  sarif: async (): Promise<BuildRenderer> => (await import('./report-sarif.ts')).buildSarif,
} satisfies Record<string, () => Promise<BuildRenderer>>;

export type BuildFormat = keyof typeof LOADERS;

export const BUILD_FORMATS = Object.keys(LOADERS) as BuildFormat[];

export function loadBuildRenderer(format: BuildFormat): Promise<BuildRenderer> {
  return LOADERS[format]();
}
