/** A software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON) of a report's inventory. */
import type { ReportInput } from './report.ts';

export type SbomFormat = 'cyclonedx' | 'spdx';

export async function renderSbom(report: ReportInput, format: SbomFormat): Promise<string> {
  // loaded here, not at start: the CycloneDX library alone costs more than reading a lock
  if (format === 'spdx') return (await import('./spdx.ts')).renderSpdx(report);
  return (await import('./cyclonedx.ts')).renderCycloneDx(report, { vulnerabilities: false });
}
