/**
 * A repodata record as the engine sees it: a conda `Package` from a registry, with the channel,
 * subdir, download URL, digest and build time the record gives. The record says nothing about PyPI
 * purls (`purlsKnown: false`), so the engine's name map decides which PyPI project it is.
 */

import type { RepodataEntry } from '../../conda/repodata-stream.ts';
import { parseCondaArchiveName } from '../../conda/url.ts';
import type { Package } from '../../model/package.ts';
import { condaPackage } from '../conda/package.ts';

/** What the audit keeps of a record: its identity, and what the report and `--newest` need. */
export interface RecordFacts {
  subdir: string;
  filename: string;
  sha256: string;
  name: string;
  version: string;
  build: string;
  /** ms since the epoch; 0 when the record has none. */
  timestamp: number;
}

/**
 * The record's facts, or a reason it cannot be audited: the name, version and build come from the
 * record, else from the file name (CEP 26), as clients complete them.
 */
export function recordFacts(subdir: string, entry: RepodataEntry): RecordFacts | { invalid: string } {
  const { record, filename } = entry;
  const fromName = parseCondaArchiveName(filename);
  const name = text(record.name) ?? fromName?.name;
  const version = text(record.version) ?? fromName?.version;
  const build = text(record.build) ?? fromName?.build;
  if (!name || !version || build === undefined) return { invalid: 'no name, version or build' };
  return {
    subdir,
    filename,
    sha256: text(record.sha256)?.toLowerCase() ?? '',
    name,
    version,
    build,
    timestamp: timestampOf(record.timestamp),
  };
}

/**
 * The record as the engine sees it: the conda front end's conversion (the same field rules as the
 * lock readers, and a record whose name, version or build differ from its file name is invalid),
 * with its origin set to the record's key, by which findings lead back to it.
 */
export function recordPackage(
  channel: string,
  facts: RecordFacts,
  record: Record<string, unknown>,
  source: string,
): Package | { invalid: string } {
  const url = `${channel}/${facts.subdir}/${facts.filename}`;
  const outcome = condaPackage(record, { filename: facts.filename, subdir: facts.subdir, channel, url, source });
  if (!outcome.ok) return { invalid: outcome.reason };
  return { ...outcome.pkg, origin: { file: recordKey(facts) } };
}

export function recordKey(facts: Pick<RecordFacts, 'subdir' | 'filename'>): string {
  return `${facts.subdir}/${facts.filename}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** conda timestamps are ms since the epoch; some old records wrote seconds. */
function timestampOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return value < 1e11 ? value * 1000 : value;
}
