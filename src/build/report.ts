/** The build's report: one section per stage, as a table for people or JSON for machines. */

import { TOOL } from '../report/report.ts';
import { renderTable } from '../report/text-table.ts';
import { toJson } from '../text/json.ts';
import { line } from '../text/plain.ts';
import type { BuildRun } from './pipeline.ts';

export function buildJson(run: BuildRun): string {
  return `${toJson({
    schemaVersion: 1,
    tool: { name: TOOL.name, version: TOOL.version },
    recipe: run.recipeFile,
    runDir: run.runDir,
    digest: run.digest,
    outcome: run.outcome,
    stages: run.stages.map((record) => ({
      stage: record.stage,
      outcome: record.outcome,
      ...(record.recorded ? { recorded: record.recorded } : {}),
      ms: record.ms,
      findings: record.findings.length,
      reason: record.reason ?? null,
      details: record.details ?? {},
      findingList: record.findings,
    })),
  })}\n`;
}

export function buildTable(run: BuildRun): string {
  const stages = renderTable(run.stages, [
    { header: 'STAGE', value: (record) => record.stage },
    {
      header: 'OUTCOME',
      value: (record) => (record.recorded ? `${record.outcome} (${record.recorded})` : record.outcome),
    },
    { header: 'MS', value: (record) => String(record.ms) },
    { header: 'FINDINGS', value: (record) => String(record.findings.length) },
    { header: 'REASON', value: (record) => record.reason ?? '', maxWidth: 100 },
  ]);
  const findings = run.stages.flatMap((record) =>
    record.findings.map((finding) => ({ stage: record.stage, ...finding })),
  );
  const sections = [line`recipe ${run.recipeFile}`, line`run    ${run.runDir}`, '', stages];
  if (findings.length > 0) {
    sections.push(
      '',
      renderTable(findings, [
        { header: 'STAGE', value: (row) => row.stage },
        { header: 'SEVERITY', value: (row) => `${row.severity.toUpperCase()}${row.blocking ? '' : ' (not blocking)'}` },
        { header: 'RULE', value: (row) => row.rule },
        {
          header: 'WHERE',
          value: (row) => row.package ?? (row.file ? `${row.file}${row.line ? `:${row.line}` : ''}` : ''),
        },
        { header: 'MESSAGE', value: (row) => row.message, maxWidth: 100 },
      ]),
    );
  }
  const pins = run.stages.flatMap((record) => (record.details?.safePins as string[] | undefined) ?? []);
  if (pins.length > 0) sections.push('', 'Safe pins for the recipe:', ...pins.map((pin) => line`  ${pin}`));
  const halted = run.stages.find((record) => record.outcome === 'halted');
  sections.push('', run.outcome === 'pass' ? 'PASS' : line`FAIL — halted at ${halted?.stage ?? '?'}`);
  return `${sections.join('\n')}\n`;
}
