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
  rules: {
    check: {
      title: 'Dependency with a known vulnerability',
      help: 'A locked package version is inside the affected range of a published advisory (OSV, PyPA, GHSA, or a vendor feed such as OpenSSL or curl). Upgrade to the safe version the finding names, or waive it with a reason and an expiry date if the vulnerable code cannot be reached.',
      cwes: ['CWE-1395'],
      tags: ['security', 'dependency', 'vulnerability'],
    },
  },
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
