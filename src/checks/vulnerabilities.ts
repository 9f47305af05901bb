/** The `vulnerability` check: known advisories (OSV/PyPA/GHSA, OpenSSL, curl, NVD) affecting a package. */
import type { Finding } from '../model/finding.ts';
import { ADVISORY_CHECK_VERSION, advisoryFinding } from './advisory-findings.ts';
import { type Check, requireIntel } from './check.ts';
import { coverageGaps } from './intel-coverage.ts';

export const vulnerabilityCheck: Check = {
  id: 'vulnerability',
  version: ADVISORY_CHECK_VERSION,
  title: 'Known vulnerabilities',
  requires: { intel: true, network: false },
  run(inventory, context) {
    const { matcher } = requireIntel(context, 'vulnerability');
    const findings: Finding[] = coverageGaps(vulnerabilityCheck, inventory, matcher);
    for (const pkg of inventory.packages) {
      for (const group of matcher.match(pkg).groups) {
        if (!group.malicious) findings.push(advisoryFinding(pkg, group));
      }
    }
    return findings;
  },
};
