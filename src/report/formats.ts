/** Every report format, by name: the CLI's `--format` / `--output` choose from this list. */
import { renderAuditJson } from './audit-json.ts';
import { renderAuditTable } from './audit-table.ts';
import { renderCycloneDx } from './cyclonedx.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { ReportInput } from './report.ts';
import { renderSarif } from './sarif.ts';
import { renderSpdx } from './spdx.ts';

export type ReportFormat = 'table' | 'json' | 'sarif' | 'markdown' | 'html' | 'cyclonedx' | 'spdx';

export const REPORT_FORMATS: Record<ReportFormat, (report: ReportInput) => string> = {
  table: renderAuditTable,
  json: renderAuditJson,
  sarif: renderSarif,
  markdown: (report) => renderMarkdown(report),
  html: renderHtml,
  cyclonedx: (report) => renderCycloneDx(report, { vulnerabilities: true }),
  spdx: renderSpdx,
};

export const FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormat[];

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
