/**
 * What a channel audit's results depend on besides the records: the threat data (each feed's
 * checksum, fetch time and count: a `db update` or `db import` changes one of them) and the logic
 * that matched it (the tool's version carries the mapping tables; the checks have their own).
 */
import { createHash } from 'node:crypto';
import { ADVISORY_CHECK_VERSION } from '../../checks/advisory-findings.ts';
import { vulnerabilityCheck } from '../../checks/vulnerabilities.ts';
import type { IntelStore } from '../../intel/store-api.ts';
import { TOOL } from '../../report/report.ts';

/** Bumped when what the channel audit keeps of a finding changes. */
const RESULT_VERSION = 1;

export function threatDataVersion(store: IntelStore): string {
  const feeds = store
    .feeds()
    .map((feed) => [feed.name, feed.checksum, feed.fetchedAt, feed.count, feed.state ?? ''])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const identity = JSON.stringify({
    tool: TOOL.version,
    checks: [vulnerabilityCheck.version, ADVISORY_CHECK_VERSION],
    result: RESULT_VERSION,
    feeds,
  });
  return `sha256:${createHash('sha256').update(identity).digest('hex')}`;
}
