/**
 * Every report format, by name: the CLI's `--format` / `--output` choose from this list. Renderers
 * load on demand: the CycloneDX and HTML renderers (and their libraries) cost a CLI start more
 * than reading a lock does, so a run pays only for the formats it writes.
 */
import type { Paint } from '../terminal/colour.ts';
import type { ReportInput } from './report.ts';

export interface RenderOptions {
  /** Colours for a terminal: only the table uses them, and only the command line passes them. */
  paint?: Paint;
}

export type Renderer = (report: ReportInput, options?: RenderOptions) => string;

const LOADERS = {
  table: async () => (await import('./audit-table.ts')).renderAuditTable,
  json: async () => (await import('./audit-json.ts')).renderAuditJson,
  sarif: async () => (await import('./sarif.ts')).renderSarif,
  markdown: async (): Promise<Renderer> => {
    const { renderMarkdown } = await import('./markdown.ts');
    return (report) => renderMarkdown(report);
  },
  html: async () => (await import('./html.ts')).renderHtml,
  cyclonedx: async (): Promise<Renderer> => {
    const { renderCycloneDx } = await import('./cyclonedx.ts');
    return (report) => renderCycloneDx(report, { vulnerabilities: true });
  },
  spdx: async () => (await import('./spdx.ts')).renderSpdx,
} satisfies Record<string, () => Promise<Renderer>>;

export type ReportFormat = keyof typeof LOADERS;

export const FORMAT_NAMES = Object.keys(LOADERS) as ReportFormat[];

export function loadRenderer(format: ReportFormat): Promise<Renderer> {
  return LOADERS[format]();
}

/** The format a file name implies (`report.sarif`, `bom.cdx.json`, `summary.md` ...). */
export function formatForFile(path: string): ReportFormat | undefined {
  const name = path.toLowerCase();
  const byExtension: [string, ReportFormat][] = [
    ['.cdx.json', 'cyclonedx'],
    ['.spdx.json', 'spdx'],
    ['.sarif.json', 'sarif'],
    ['.sarif', 'sarif'],
    ['.html', 'html'],
    ['.htm', 'html'],
    ['.md', 'markdown'],
    ['.json', 'json'],
    ['.txt', 'table'],
  ];
  return byExtension.find(([extension]) => name.endsWith(extension))?.[1];
}
