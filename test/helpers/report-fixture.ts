/**
 * ReportInputs for renderer tests, built by running the real engine on the bundled examples,
 * plus a hand-made variant with a waiver, a mapped severity and a policy warning so every
 * renderer branch has something to draw.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readInventory } from '../../src/engine/read-project.ts';
import { runAudit } from '../../src/engine/run-checks.ts';
import { openIntelForAudit } from '../../src/intel/open.ts';
import type { Finding } from '../../src/model/finding.ts';
import { auditReport } from '../../src/report/from-audit.ts';
import type { ReportInput } from '../../src/report/report.ts';
import { fixture, projectRoot } from './paths.ts';
import { tempDirectory } from './temp.ts';

export const EXAMPLE_NOW = new Date('2026-11-20T12:00:00Z');

/** The engine's report for one of examples/ (litellm-compromise, openssl-cve, ml-service). */
export async function exampleReport(example: string): Promise<ReportInput> {
  const dir = `${projectRoot}examples/${example}`;
  const inventory = readInventory(dir);
  const ownIntel = await openIntelForAudit({
    db: completeIntel(example),
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

/**
 * The example's own threat data, completed with the kinds it lacks on purpose (KEV, the
 * conda→PyPI name map, PyPI and C-library advisories, malicious reports) from the audit fixture,
 * none of which name the examples' packages: the renderers then draw the examples' findings, not
 * the gate's not-checked reports about partial data. ml-service has no data of its own; the
 * litellm example's serves.
 */
function completeIntel(example: string): string {
  const dir = tempDirectory();
  const own = `${projectRoot}examples/${example === 'ml-service' ? 'litellm-compromise' : example}/intel`;
  for (const file of readdirSync(own)) copyFileSync(join(own, file), join(dir, file));
  const missing = ['kev.json', 'parselmouth.json', 'GHSA-torch-fixture.json', 'MAL-2026-2144.json'];
  if (!readdirSync(own).some((file) => file.startsWith('openssl'))) missing.push('openssl-cve5.jsonl');
  for (const file of missing) copyFileSync(fixture(`audit/intel/${file}`), join(dir, file));
  return dir;
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
