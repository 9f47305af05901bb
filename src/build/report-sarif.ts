/**
 * The build as one SARIF 2.1.0 run, built from the gate's pieces (`report/sarif-log.ts`): the same
 * driver and rules, levels, string rules, root-relative locations and fingerprint numbering.
 *
 * - Results: every stage's findings, `ruleId` the finding's rule, located at its file and line
 *   where the check knew them and at the recipe file otherwise (GitHub needs a location for every
 *   result); `properties.stage` says which stage reported it.
 * - How each stage ended is a tool-execution notification, as the gate reports what it could not
 *   decide: a halted stage is an `error`, a surfaced or skipped one a `warning` (a stage that did
 *   not run looked at nothing), a passed one, or one resumed from an earlier run, a `note`.
 * - `executionSuccessful` is true whenever the log is written, as the gate's is for a failing
 *   verdict: a halt is the pipeline's verdict (an error-level result and `properties.verdict`
 *   `fail`), not the tool failing. A build that could not run exits 2 and writes no report at all.
 * - The built packages are the run's artifacts, with their sha256.
 */

import type { Finding } from '../model/finding.ts';
import { pathWithinRoot } from '../report/paths.ts';
import { TOOL } from '../report/report.ts';
import {
  artifactLocation,
  FINGERPRINT_KEY,
  fingerprintCounter,
  type Level,
  messageText,
  type Notification,
  ruleEntries,
  sarifLog,
  sarifTool,
  severityLevel,
  withNotifications,
} from '../report/sarif-log.ts';
import { sha256 } from '../report/sbom-identity.ts';
import type { BuildRun } from './pipeline.ts';
import type { BuildReportContext } from './report.ts';
import {
  formatDuration,
  haltedStage,
  runOutputs,
  STAGE_TITLES,
  type StageFindingRow,
  stageFindingRows,
} from './report-view.ts';
import type { StageOutcome, StageRecord } from './types.ts';

const STAGE_LEVEL: Record<StageOutcome, Level> = {
  passed: 'note',
  surfaced: 'warning',
  halted: 'error',
  skipped: 'warning',
};

export function buildSarif(run: BuildRun, context: BuildReportContext): string {
  const rows = stageFindingRows(run);
  const rules = ruleEntries(rows.map(asFinding));
  const fingerprints = fingerprintCounter();
  const outputs = runOutputs(run);
  const halted = haltedStage(run);
  return sarifLog({
    tool: sarifTool(TOOL, rules),
    automationDetails: { id: `${TOOL.name}/build/` },
    invocations: [
      {
        executionSuccessful: true,
        endTimeUtc: context.generatedAt.toISOString(),
        ...withNotifications(run.stages.map(stageNotification)),
      },
    ],
    ...(outputs.artifacts.length > 0
      ? {
          artifacts: outputs.artifacts.map((artifact) => ({
            location: artifactLocation(context.root, artifact.file),
            hashes: { 'sha-256': artifact.sha256 },
            roles: ['analysisTarget'],
          })),
        }
      : {}),
    results: rows.map((row) => {
      const location = artifactLocation(context.root, row.file ?? run.recipeFile);
      return {
        ruleId: row.rule,
        ruleIndex: rules.get(row.rule)?.index ?? 0,
        level: row.blocking ? 'error' : severityLevel(row.severity),
        message: { text: messageText(row.message) },
        locations: [
          {
            physicalLocation: {
              artifactLocation: location,
              region: { startLine: row.file && row.line ? row.line : 1, startColumn: 1 },
            },
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.next(fingerprint(row, location.uri)) },
        properties: {
          stage: row.stage,
          check: row.check,
          severity: row.severity,
          blocking: row.blocking,
          ...(row.package ? { package: row.package } : {}),
        },
      };
    }),
    properties: {
      verdict: run.outcome,
      ...(halted ? { haltedAt: halted.stage } : {}),
      recipe: pathWithinRoot(context.root, run.recipeFile) ?? run.recipeFile,
      runDir: run.runDir,
      digest: run.digest,
      stages: run.stages.map((record) => ({
        stage: record.stage,
        outcome: record.outcome,
        ...(record.recorded ? { recorded: record.recorded } : {}),
        ms: record.ms,
        findings: record.findings.length,
        ...(record.reason ? { reason: record.reason } : {}),
      })),
      ...(outputs.safePins.length > 0 ? { safePins: outputs.safePins } : {}),
      ...(outputs.sbom ? { sbom: outputs.sbom } : {}),
      ...(outputs.bundles.length > 0 ? { bundles: outputs.bundles } : {}),
    },
  });
}

/** What the shared rule metadata needs of a finding: the build's findings keep no evidence. */
function asFinding(row: StageFindingRow): Finding {
  return {
    check: row.check,
    checkVersion: 0,
    rule: row.rule,
    severity: row.severity,
    message: row.message,
    evidence: {},
    blocking: row.blocking,
  };
}

function stageNotification(record: StageRecord): Notification {
  const resumed = record.recorded !== undefined;
  const state = resumed ? `skipped, resumed (${record.recorded} in an earlier run)` : record.outcome;
  const findings = record.findings.length;
  const facts = `${formatDuration(record.ms)}, ${findings} finding${findings === 1 ? '' : 's'}`;
  return {
    level: resumed ? 'note' : STAGE_LEVEL[record.outcome],
    message: {
      text: messageText(
        `${STAGE_TITLES[record.stage]} (${record.stage}): ${state}${record.reason && !resumed ? `: ${record.reason}` : ''} (${facts})`,
      ),
    },
    descriptor: { id: `cvebuild/build-stage-${record.outcome}` },
    properties: {
      stage: record.stage,
      outcome: record.outcome,
      ...(record.recorded ? { recorded: record.recorded } : {}),
      ms: record.ms,
      findings,
    },
  };
}

/**
 * What a result is about, not where on the machine the run was: the rule, and the package, else
 * the check, the file (relative to the root) and the message. Stages that report one finding
 * twice (the audit before the build, the scan after it) are told apart by the stage.
 */
function fingerprint(row: StageFindingRow, uri: string): string {
  const about = row.package ? [row.package] : [row.check, uri, row.message];
  return sha256([row.rule, row.stage, ...about].join('\u0000'));
}
