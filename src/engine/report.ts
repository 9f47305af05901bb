/** An engine run as the `ReportInput` every renderer draws. */
import { auditReport } from '../report/from-audit.ts';
import type { ReportInput } from '../report/report.ts';
import type { EngineResult } from './engine.ts';

export interface ReportPlace {
  /** The path the user asked about, as given. */
  target: string;
  /** The directory report paths are relative to (the repository root, for SARIF). */
  root: string;
}

export function reportOf(result: EngineResult, { target, root }: ReportPlace): ReportInput {
  return auditReport({ inventory: result.inventory, result, intel: result.intel, target, root, now: result.now });
}
