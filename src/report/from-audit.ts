/** The one way a `ReportInput` is made from an engine run: the CLI, benchmarks and tests share it. */
import type { AuditResult } from '../engine/run-checks.ts';
import type { OpenedIntel } from '../intel/open.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Policy } from '../policy/policy.ts';
import { maskCredentials } from '../text/credentials.ts';
import { type ReportInput, type ReportPolicy, TOOL } from './report.ts';

export interface AuditReportSource {
  inventory: Inventory;
  result: AuditResult;
  intel: OpenedIntel | undefined;
  /** The path the user asked about, as given, and the directory report paths are relative to. */
  target: string;
  root: string;
  now: Date;
}

export function auditReport({ inventory, result, intel, target, root, now }: AuditReportSource): ReportInput {
  return {
    tool: TOOL,
    generatedAt: now,
    target,
    root,
    inventory,
    findings: result.findings,
    verdict: result.verdict,
    checks: result.checks.map(({ id, version, title }) => ({ id, version, title })),
    policy: reportPolicy(result.policy),
    intel: intel
      ? {
          label: intel.label,
          schemaVersion: intel.store.schemaVersion,
          feeds: intel.store.feeds().map((feed) => ({
            name: feed.name,
            url: maskCredentials(feed.url),
            fetchedAt: feed.fetchedAt,
            count: feed.count,
          })),
        }
      : undefined,
    undecided: result.summary.undecided,
    ...(result.summary.notCheckedForCves ? { notCheckedForCves: result.summary.notCheckedForCves } : {}),
  };
}

/** What a report says about the policy that decided. */
export function reportPolicy(policy: Policy): ReportPolicy {
  const { source, failOn, failOnMalicious, failOnKev, failOnUnchecked } = policy;
  return { source, failOn, failOnMalicious, failOnKev, failOnUnchecked };
}
