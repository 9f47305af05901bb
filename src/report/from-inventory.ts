/**
 * The report of an inventory alone, as SBOMs draw it: no check ran, so it holds no findings, and
 * its verdict and policy are the built-in defaults' (SBOM renderers show neither).
 */
import type { Inventory } from '../model/inventory.ts';
import { defaultPolicy } from '../policy/policy.ts';
import { reportPolicy } from './from-audit.ts';
import { type ReportInput, TOOL } from './report.ts';

export interface InventoryReportSource {
  inventory: Inventory;
  /** The path the user asked about, as given, and the directory report paths are relative to. */
  target: string;
  root: string;
  /** The document's creation time. */
  generatedAt: Date;
}

export function inventoryReport({ inventory, target, root, generatedAt }: InventoryReportSource): ReportInput {
  return {
    tool: TOOL,
    generatedAt,
    target,
    root,
    inventory,
    findings: [],
    verdict: { outcome: 'pass', reasons: [], warnings: [] },
    checks: [],
    policy: reportPolicy(defaultPolicy()),
    undecided: [],
  };
}
