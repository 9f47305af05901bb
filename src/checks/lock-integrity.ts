/**
 * The `lock-integrity` check: records whose name, version or build disagree with the artifact they
 * point at. The readers already audit what the artifact's file name says (that is what installs);
 * the disagreement itself is reported, because a lock does not come out of pixi, conda-lock or
 * rattler that way: someone edited it, most likely to slip a release past a version-based gate.
 */

import { fileNameOf } from '../conda/url.ts';
import { type Finding, packageFinding } from '../model/finding.ts';
import type { Check } from './check.ts';

const VERSION = 1;

export const lockIntegrityCheck: Check = {
  id: 'lock-integrity',
  version: VERSION,
  title: 'Lock records that disagree with their artifacts',
  requires: { intel: false, network: false },
  rules: {
    check: {
      title: 'Lock record disagrees with its artifact',
      help: 'The lock names one package or version, but the artifact it installs (its URL and sha256) is another. Package managers never write such a record: the lock was edited, typically so that a known-bad release passes a gate that reads the version field. cvebuild audits what the artifact is. Re-create the lock with the package manager and find out who changed it.',
      cwes: ['CWE-345', 'CWE-494'],
      tags: ['security', 'dependency', 'lock-integrity', 'supply-chain'],
    },
  },
  run(inventory) {
    const findings: Finding[] = [];
    for (const pkg of inventory.packages) {
      const claimed = pkg.claimed;
      if (!claimed) continue;
      const file = fileNameOf(pkg.location);
      const said = `${claimed.name} ${claimed.version}${claimed.build ? ` (${claimed.build})` : ''}`;
      findings.push(
        packageFinding({ id: 'lock-integrity', version: VERSION }, pkg, {
          rule: 'lock-integrity/artifact-mismatch',
          severity: 'critical',
          message: `the lock record says ${said}, but it installs ${file}: ${pkg.name} ${pkg.version} is what was audited`,
          evidence: {
            claimedName: claimed.name,
            claimedVersion: claimed.version,
            ...(claimed.build !== undefined ? { claimedBuild: claimed.build } : {}),
            artifact: file,
          },
          remedy: 're-create the lock with the package manager (pixi lock, conda-lock) and find out who edited it',
        }),
      );
    }
    return findings;
  },
};
