/**
 * `cvebuild gate [PATH]`, `cvebuild audit [PATH]` and `cvebuild scan-code [PATH]`: the flags into
 * a policy, an inventory and a request to the engine (which opens the threat data when a check
 * needs it), then the report to stdout and to any `--output` files. The gate exits 1 when the
 * verdict fails; audit only reports (exit 0). Both exit 2 when they could not run.
 */
import { resolve } from 'node:path';
import { CODE_CHECK_IDS } from '../checks/registry.ts';
import { createEngine } from '../engine/engine.ts';
import { filterInventory, readProjectInventory } from '../engine/read-project.ts';
import { reportOf } from '../engine/report.ts';
import { CvebuildError } from '../errors.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { projectDirectory, projectRootOf } from '../fs/project-root.ts';
import { openIntelStore } from '../intel/open.ts';
import type { Severity } from '../model/finding.ts';
import { emptyInventory } from '../model/inventory.ts';
import { type PolicyFlags, policyWithFlags, type SettingsFlags } from '../policy/flags.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/policy.ts';
import { FORMAT_NAMES, loadRenderer } from '../report/formats.ts';
import { paintFor } from '../terminal/colour.ts';
import { parseInstant } from '../util/dates.ts';
import { parseOutputs } from './outputs.ts';
import { runProgress } from './progress.ts';

/** Flags that add to or replace the policy's check settings (shared by gate, audit and diff). */
export type SettingsOptions = SettingsFlags;

export interface AuditCommandOptions extends SettingsOptions {
  db?: string;
  env?: string;
  platform?: string;
  format?: string;
  output?: string[];
  failOn?: Severity;
  maxDbAge?: string;
  checks?: string;
  policy?: string;
  /** For tests and reproducible runs: the time the audit considers "now" (ISO 8601). */
  now?: string;
  offline?: boolean;
  /** `--no-color` (commander's false); the environment already says so by the time the command runs. */
  color?: boolean;
}

export interface AuditCommandResult {
  text: string;
  exitCode: 0 | 1;
}

/** `scan-code` is the gate over the code checks alone: no lock is read, the tree is the input. */
export type EngineMode = 'gate' | 'audit' | 'scan-code';

export async function auditCommand(
  path: string,
  options: AuditCommandOptions,
  mode: EngineMode = 'audit',
): Promise<AuditCommandResult> {
  // `--format F` for stdout; each `--output [FORMAT=]FILE` writes one more report
  const outputs = parseOutputs(options, FORMAT_NAMES, 'table');
  const project = projectDirectory(path);
  // refused before the run rather than after it; written (and checked again) once the reports exist
  for (const { file } of outputs.files) checkOutputFile(file, { untrusted: [project] });
  const now = options.now ? parseNow(options.now) : new Date();
  const policy = commandPolicy(path, options);
  const progress = await runProgress(process.stderr, process.env, outputs.stdout);
  try {
    if (mode !== 'scan-code') progress?.reading(path);
    const inventory =
      mode === 'scan-code'
        ? emptyInventory()
        : filterInventory(await readProjectInventory(path), { environment: options.env, platform: options.platform });
    const checkIds = mode === 'scan-code' ? codeCheckList(options.checks, policy) : checkList(options.checks);
    progress?.checking(inventory.packages.length);
    const engine = createEngine({ intel: () => openIntelStore({ db: options.db }), clock: () => now });
    try {
      const result = await engine.audit(
        {
          inventory,
          policy,
          checks: checkIds,
          offline: options.offline ?? false,
          // scan-code scans exactly what it is given (one file, or a tree); the gate scans the project's directory.
          root: mode === 'scan-code' ? resolve(path) : projectDirectory(path),
        },
        progress ? { onEvent: progress.onEvent } : {},
      );
      progress?.stop();
      const report = reportOf(result, { target: path, root: projectRootOf(path) });
      for (const { format, file } of outputs.files) {
        writeOutputFile(file, (await loadRenderer(format))(report), { untrusted: [project] });
      }
      // colour only for a person reading the table on a terminal (or who forced it)
      const paint = outputs.stdout === 'table' ? paintFor(process.stdout, process.env) : undefined;
      const text = (await loadRenderer(outputs.stdout))(report, paint ? { paint } : {});
      return { text, exitCode: mode !== 'audit' && result.verdict.outcome === 'fail' ? 1 : 0 };
    } finally {
      engine.close();
    }
  } finally {
    progress?.stop();
  }
}

/** The project's policy (or `--policy`) with the flags folded in; `$CVEBUILD_MAX_DB_AGE` stands in for `--max-db-age`. */
export function commandPolicy(path: string, options: PolicyFlags & { policy?: string }): Policy {
  return policyWithFlags(loadPolicy(path, options.policy), {
    ...options,
    maxDbAge: options.maxDbAge ?? process.env.CVEBUILD_MAX_DB_AGE,
  });
}

/** `scan-code` runs the code checks only (the ones the policy enables, or those named). */
function codeCheckList(text: string | undefined, policy: Policy): string[] {
  const named = checkList(text);
  if (!named) {
    const enabled = CODE_CHECK_IDS.filter((id) => policy.checks.get(id)?.enabled !== false);
    if (enabled.length === 0)
      throw new CvebuildError('USAGE', `the policy disables every code check (${CODE_CHECK_IDS.join(', ')})`);
    return enabled;
  }
  const other = named.find((id) => !CODE_CHECK_IDS.includes(id));
  if (other !== undefined)
    throw new CvebuildError(
      'USAGE',
      `--checks: ${other} is not a code check (scan-code runs ${CODE_CHECK_IDS.join(', ')}; use gate for the rest)`,
    );
  return named;
}

export function checkList(text: string | undefined): string[] | undefined {
  return text
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

/** `--now`: an ISO 8601 date or time naming a real day (`new Date` would take `1`, or roll 31 February over). */
export function parseNow(text: string): Date {
  const at = parseInstant(text);
  if (at === undefined) {
    throw new CvebuildError(
      'USAGE',
      `--now: not a date: ${JSON.stringify(text)} (use e.g. 2026-11-22 or 2026-11-22T12:00:00Z)`,
    );
  }
  return new Date(at);
}
