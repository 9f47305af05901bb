/** Every report format, by name: the CLI's `--format` / `--output` choose from this list. */
import { renderAuditJson } from './audit-json.ts';
import { renderAuditTable } from './audit-table.ts';
import type { ReportInput } from './report.ts';

export type ReportFormat = 'table' | 'json';

export const REPORT_FORMATS: Record<ReportFormat, (report: ReportInput) => string> = {
  table: renderAuditTable,
  json: renderAuditJson,
};

export const FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormat[];

/** The format a file name implies (`report.sarif`, `bom.cdx.json`, `summary.md` ...). */
export function formatForFile(path: string): ReportFormat | undefined {
  const name = path.toLowerCase();
  const byExtension: [string, string][] = [
    ['.cdx.json', 'cyclonedx'],
    ['.sarif.json', 'sarif'],
    ['.sarif', 'sarif'],
    ['.html', 'html'],
    ['.htm', 'html'],
    ['.md', 'markdown'],
    ['.json', 'json'],
    ['.txt', 'table'],
  ];
  const found = byExtension.find(([extension]) => name.endsWith(extension))?.[1];
  return found && found in REPORT_FORMATS ? (found as ReportFormat) : undefined;
}
