/**
 * ReportInputs for renderer tests, built by running the real engine on the bundled examples,
 * plus a hand-made variant with a waiver, a mapped severity and a policy warning so every
 * renderer branch has something to draw.
 */
import { runAudit } from '../../src/audit.ts';
import { openIntelForAudit } from '../../src/intel/open.ts';
import { readInventory } from '../../src/inventory.ts';
import type { Finding } from '../../src/model/finding.ts';
import { auditReport } from '../../src/report/from-audit.ts';
import type { ReportInput } from '../../src/report/report.ts';
import { projectRoot } from './paths.ts';

export const EXAMPLE_NOW = new Date('2026-11-20T12:00:00Z');

/** The engine's report for one of examples/ (litellm-compromise, openssl-cve, ml-service). */
export async function exampleReport(example: string): Promise<ReportInput> {
  const dir = `${projectRoot}examples/${example}`;
  const inventory = readInventory(dir);
  // ml-service has no threat data of its own; the litellm example's is as good as any.
  const intelDir = example === 'ml-service' ? 'litellm-compromise' : example;
  const ownIntel = await openIntelForAudit({
    db: `${projectRoot}examples/${intelDir}/intel`,
    maxAgeMs: Number.POSITIVE_INFINITY,
    now: EXAMPLE_NOW,
  });
  try {
    const result = await runAudit(inventory, ownIntel?.store, { failOn: 'high', now: EXAMPLE_NOW, offline: true });
    return auditReport({
      inventory,
      result,
      intel: ownIntel,
      target: `examples/${example}`,
      root: dir,
      now: EXAMPLE_NOW,
    });
  } finally {
    ownIntel?.store.close();
  }
}

/** The litellm example with one finding waived, one severity mapped, and a policy warning. */
export async function variedReport(): Promise<ReportInput> {
  const report = await exampleReport('litellm-compromise');
  const findings: Finding[] = report.findings.map((finding, index) =>
    index === report.findings.length - 1
      ? {
          ...finding,
          blocking: false,
          waiver: {
            id: finding.rule,
            reason: 'reviewed: <not> reachable & "safe"',
            by: 'alice@example.org',
            expires: '2026-12-31',
            origin: { file: `${report.root}/cvebuild.toml`, line: 7 },
          },
        }
      : finding,
  );
  return {
    ...report,
    findings,
    verdict: { ...report.verdict, warnings: ['waiver for CVE-2000-0001 (cvebuild.toml:12) matches no finding'] },
    policy: { ...report.policy, source: `${report.root}/cvebuild.toml` },
  };
}
