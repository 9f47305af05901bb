/**
 * The `vulnerability` check: known advisories (OSV/PyPA/GHSA, OpenSSL, curl, NVD) affecting a
 * package, each marked fixed in this build when the package's own recipe applies a patch for it.
 */
import type { Finding } from '../model/finding.ts';
import { advisoryFinding } from './advisory-findings.ts';
import { type AdvisoryFindingOf, markBackports, type PackageDirsSettings } from './backports.ts';
import { type Check, requireIntel } from './check.ts';
import { coverageGaps } from './intel-coverage.ts';

/** 2: findings a recipe patch fixes are flagged `fixedInBuild`. */
const VERSION = 2;

export const vulnerabilityCheck: Check<PackageDirsSettings> = {
  id: 'vulnerability',
  version: VERSION,
  title: 'Known vulnerabilities',
  requires: { intel: true, network: false },
  rules: {
    check: {
      title: 'Dependency with a known vulnerability',
      help: "A locked package version is inside the affected range of a published advisory (OSV, PyPA, GHSA, or a vendor feed such as OpenSSL or curl). Upgrade to the safe version the finding names, or waive it with a reason and an expiry date if the vulnerable code cannot be reached. A finding whose package's own recipe (info/recipe) applies a patch naming the CVE is reported as fixed in this build and does not block.",
      cwes: ['CWE-1395'],
      tags: ['security', 'dependency', 'vulnerability'],
    },
  },
  async run(inventory, context) {
    const { matcher } = requireIntel(context, 'vulnerability');
    const gaps: Finding[] = coverageGaps(vulnerabilityCheck, inventory, matcher);
    const found: AdvisoryFindingOf[] = [];
    for (const pkg of inventory.packages) {
      for (const group of matcher.match(pkg).groups) {
        if (!group.malicious) found.push({ pkg, finding: { ...advisoryFinding(pkg, group), checkVersion: VERSION } });
      }
    }
    const remote = {
      offline: context.offline,
      cacheDir: context.cacheDir,
      ...(context.http ? { http: context.http } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    };
    return [...gaps, ...(await markBackports(found, { packageDirs: context.settings.packageDirs ?? [] }, remote))];
  },
};
