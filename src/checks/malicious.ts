/**
 * The `malicious` check: releases that malicious-package reports (OSSF MAL records, and the
 * name-only index for reports the store has no full record of) name. Always critical.
 */
import { type Finding, subjectOf, withFlags } from '../model/finding.ts';
import { ADVISORY_CHECK_VERSION, advisoryFinding } from './advisory-findings.ts';
import { type Check, requireIntel } from './check.ts';
import { coverageGaps } from './intel-coverage.ts';

export const maliciousCheck: Check = {
  id: 'malicious',
  version: ADVISORY_CHECK_VERSION,
  title: 'Known-malicious packages',
  requires: { intel: true, network: false },
  rules: {
    check: {
      title: 'Known-malicious package release',
      help: 'A malicious-package report (OpenSSF malicious-packages, OSV MAL records) names this release. Installing it runs attacker code. Remove it, rotate every credential the environment could reach, and pin a release published before the compromise.',
      cwes: ['CWE-506'],
      tags: ['security', 'dependency', 'malicious', 'supply-chain'],
    },
  },
  run(inventory, context) {
    const { matcher, store } = requireIntel(context, 'malicious');
    const findings: Finding[] = coverageGaps(maliciousCheck, inventory, matcher);
    for (const pkg of inventory.packages) {
      const { groups } = matcher.match(pkg);
      const reported = new Set<string>();
      for (const group of groups) {
        for (const id of [group.id, ...group.aliases]) reported.add(id);
        if (group.malicious) findings.push(advisoryFinding(pkg, group));
      }
      if (pkg.ecosystem !== 'pypi') continue;
      // A report known only by name: without versions, every release of that name is suspect.
      for (const entry of store.maliciousNamesFor(pkg.normalizedName)) {
        if (reported.has(entry.id) || store.advisoryById(entry.id)) continue;
        reported.add(entry.id);
        const finding: Finding = {
          check: 'malicious',
          checkVersion: ADVISORY_CHECK_VERSION,
          rule: entry.id,
          severity: 'critical',
          subject: subjectOf(pkg),
          message: `${pkg.name} is named in malicious-package report ${entry.id}; the store has no version data for it, so every release is suspect`,
          evidence: {
            id: entry.id,
            fixed: [],
            safeVersion: null,
            mappedBy: 'pypi-name',
            target: `PyPI:${pkg.normalizedName}`,
            source: 'malicious-names',
            matchedBy: ['name'],
          },
          remedy: `remove ${pkg.name}, or run \`cvebuild db update\` to get the full report with its versions`,
          location: pkg.origin,
        };
        findings.push(withFlags(finding, { malicious: true, aliases: [] }));
      }
    }
    return findings;
  },
};
