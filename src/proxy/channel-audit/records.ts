/**
 * A repodata record as the engine sees it: a conda `Package` from a registry, with the channel,
 * subdir, download URL, digest and build time the record gives. The record says nothing about PyPI
 * purls (`purlsKnown: false`), so the engine's name map decides which PyPI project it is.
 */

import type { RepodataEntry } from '../../conda/repodata-stream.ts';
import { parseCondaArchiveName } from '../../conda/url.ts';
import { normalizeCondaName, type Package } from '../../model/package.ts';

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

export function recordPackage(channel: string, facts: RecordFacts, record: Record<string, unknown>): Package {
  const url = `${channel}/${facts.subdir}/${facts.filename}`;
  const depends = Array.isArray(record.depends) ? record.depends.filter((d): d is string => typeof d === 'string') : [];
  const noarch = record.noarch === 'python' || record.noarch === 'generic' ? record.noarch : undefined;
  const buildNumber = typeof record.build_number === 'number' ? record.build_number : undefined;
  return {
    ecosystem: 'conda',
    name: facts.name,
    normalizedName: normalizeCondaName(facts.name),
    version: facts.version,
    build: facts.build,
    ...(buildNumber === undefined ? {} : { buildNumber }),
    subdir: facts.subdir,
    platform: facts.subdir,
    channel,
    url,
    location: url,
    ...(facts.sha256 ? { sha256: facts.sha256 } : {}),
    ...(typeof record.md5 === 'string' ? { md5: record.md5 } : {}),
    ...(typeof record.size === 'number' ? { size: record.size } : {}),
    ...(facts.timestamp > 0 ? { timestamp: facts.timestamp } : {}),
    ...(typeof record.license === 'string' ? { license: record.license } : {}),
    depends,
    requiresDist: [],
    purls: [],
    purlsKnown: false,
    kind: 'registry',
    ...(noarch ? { noarch } : {}),
    environments: [],
    // findings point back at the record by this key (subdir/filename is unique within a channel)
    origin: { file: recordKey(facts) },
  };
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
