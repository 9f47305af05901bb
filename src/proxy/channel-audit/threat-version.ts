/**
 * What a channel audit's results depend on besides the records: the threat data (each feed's
 * checksum, count and incremental state: an import of different bytes changes one of them) and the
 * logic that matched it (the tool's version carries the mapping tables; the checks have their own).
 * Not the fetch time: a `db update` that brings the same bytes again (or threat-data files loaded
 * anew for each run) changes nothing a record's result depends on.
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
    .map((feed) => [feed.name, feed.checksum, feed.count, feed.state ?? ''])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const identity = JSON.stringify({
    tool: TOOL.version,
    checks: [vulnerabilityCheck.version, ADVISORY_CHECK_VERSION],
    result: RESULT_VERSION,
    feeds,
  });
  return `sha256:${createHash('sha256').update(identity).digest('hex')}`;
}
