/**
 * The build's report: one section per stage, as a table for people, Markdown for a pull request or
 * job summary, or JSON for machines; HTML (`report-html.ts`) and SARIF (`report-sarif.ts`) are
 * their own modules, loaded only by a run that writes them (`report-formats.ts`).
 */

import { code, markdownDocument, row, text } from '../report/markdown-text.ts';
import { TOOL } from '../report/report.ts';
import { renderTable } from '../report/text-table.ts';
import { toJson } from '../text/json.ts';
import { line } from '../text/plain.ts';
import { type LevelClaims, runClaims } from './levels.ts';
import type { BuildRun } from './pipeline.ts';
import { findingWhere, haltedStage, safePins, stageFindingRows } from './report-view.ts';

/** What a report knows besides the run. */
export interface BuildReportContext {
  /** The run's "now": the HTML's date, the SARIF's end time. */
  generatedAt: Date;
  /** The directory SARIF locations are relative to: the recipe's git work tree, as the gate's. */
  root: string;
}

export type BuildRenderer = (run: BuildRun, context: BuildReportContext) => string;

export function buildJson(run: BuildRun): string {
  return `${toJson({
    schemaVersion: 1,
    tool: { name: TOOL.name, version: TOOL.version },
    recipe: run.recipeFile,
    runDir: run.runDir,
    digest: run.digest,
    outcome: run.outcome,
    claims: runClaims(run.stages),
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
  const findings = stageFindingRows(run);
  const sections = [line`recipe ${run.recipeFile}`, line`run    ${run.runDir}`, '', stages];
  if (findings.length > 0) {
    sections.push(
      '',
      renderTable(findings, [
        { header: 'STAGE', value: (row) => row.stage },
        { header: 'SEVERITY', value: (row) => `${row.severity.toUpperCase()}${row.blocking ? '' : ' (not blocking)'}` },
        { header: 'RULE', value: (row) => row.rule },
        { header: 'WHERE', value: findingWhere },
        { header: 'MESSAGE', value: (row) => row.message, maxWidth: 100 },
      ]),
    );
  }
  const pins = safePins(run);
  if (pins.length > 0) sections.push('', 'Safe pins for the recipe:', ...pins.map((pin) => line`  ${pin}`));
  sections.push('', ...claimLines(runClaims(run.stages)));
  const halted = haltedStage(run);
  sections.push('', run.outcome === 'pass' ? 'PASS' : line`FAIL — halted at ${halted?.stage ?? '?'}`);
  return `${sections.join('\n')}\n`;
}

/** For a pull-request comment or a CI job summary: the stages, then what each found. Recipe text is untrusted. */
export function buildMarkdown(run: BuildRun): string {
  const halted = haltedStage(run);
  const lines = [
    `## cvebuild build: ${run.outcome === 'pass' ? 'PASS' : `FAIL, halted at ${code(halted?.stage ?? '?')}`}`,
    '',
    `Recipe ${code(run.recipeFile)}, run ${code(run.runDir)}.`,
    '',
    row(['Stage', 'Outcome', 'ms', 'Findings', 'Reason']),
    row(['---', '---', '---:', '---:', '---']),
    ...run.stages.map((record) =>
      row([
        code(record.stage),
        record.recorded ? `${record.outcome} (${text(record.recorded)})` : record.outcome,
        String(record.ms),
        String(record.findings.length),
        text(record.reason ?? ''),
      ]),
    ),
  ];
  const findings = stageFindingRows(run);
  if (findings.length > 0) {
    lines.push(
      '',
      '### Findings',
      '',
      row(['Stage', 'Severity', 'Rule', 'Where', 'Message']),
      row(['---', '---', '---', '---', '---']),
    );
    for (const finding of findings) {
      const where = findingWhere(finding);
      lines.push(
        row([
          code(finding.stage),
          `${finding.severity}${finding.blocking ? '' : ' (not blocking)'}`,
          code(finding.rule),
          text(where),
          text(finding.message),
        ]),
      );
    }
  }
  const pins = safePins(run);
  if (pins.length > 0) lines.push('', '### Safe pins for the recipe', '', ...pins.map((pin) => `- ${code(pin)}`));
  const claims = runClaims(run.stages);
  lines.push(
    '',
    '### Supply-chain levels',
    '',
    `- **SLSA ${text(claims.slsa.label)}**: ${text(claims.slsa.because)}.`,
    ...claims.slsa.notMet.map((gap) => `- Not ${text(gap.level)}: ${text(gap.why)}.`),
    `- **S2C2F**: ${text(claims.s2c2f.note)}.`,
    ...claims.s2c2f.requirements.map(
      (requirement) =>
        `- ${code(requirement.id)} ${text(requirement.title)}: ${requirement.status}, ${text(requirement.evidence)}.`,
    ),
  );
  return markdownDocument(`${lines.join('\n')}\n`);
}

/** The levels as the table shows them: what is met and why, then what is not and what it needs. */
function claimLines(claims: LevelClaims): string[] {
  return [
    line`SLSA   ${claims.slsa.label}: ${claims.slsa.because}`,
    ...claims.slsa.notMet.map((gap) => line`       not ${gap.level}: ${gap.why}`),
    line`S2C2F  ${claims.s2c2f.note}`,
    ...claims.s2c2f.requirements.map(
      (requirement) => line`       ${requirement.id} ${requirement.status}: ${requirement.evidence}`,
    ),
  ];
}
