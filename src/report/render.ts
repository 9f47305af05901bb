/** Any report format by name, loading only that format's renderer. */
import { loadRenderer, type ReportFormat } from './formats.ts';
import type { ReportInput } from './report.ts';

export async function render(format: ReportFormat, report: ReportInput): Promise<string> {
  return (await loadRenderer(format))(report);
}
