/** A run's report in the formats a client can read as a resource or through `final_report`. */

import { reportOf } from '../engine/report.ts';
import { CvebuildError } from '../errors.ts';
import { loadRenderer } from '../report/formats.ts';
import type { ToolHost } from './host.ts';

export const REPORT_FORMATS = ['json', 'sarif', 'md'] as const;
export type RunReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS = { json: 'json', sarif: 'sarif', md: 'markdown' } as const;
const MIME = { json: 'application/json', sarif: 'application/sarif+json', md: 'text/markdown' } as const;

export async function renderRunReport(
  host: ToolHost,
  runId: string,
  format: string,
): Promise<{ text: string; mimeType: string; format: RunReportFormat }> {
  const run = host.runs.get(runId);
  if (!run) throw new CvebuildError('USAGE', `no run ${JSON.stringify(runId)} on this server`);
  if (!(REPORT_FORMATS as readonly string[]).includes(format))
    throw new CvebuildError('USAGE', `no report format ${JSON.stringify(format)} (have: ${REPORT_FORMATS.join(', ')})`);
  const known = format as RunReportFormat;
  const report = reportOf(run.result, { target: run.target, root: host.reportRoot(run.target) });
  const text = (await loadRenderer(RENDERERS[known]))(report);
  return { text, mimeType: MIME[known], format: known };
}
