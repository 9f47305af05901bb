/**
 * A channel's repodata record (JSON, or a CEP 16 shard's msgpack with binary hashes) as the
 * `Package` the judge decides on, built with the same field rules as the lock readers. A record
 * the judge cannot be trusted to see correctly (wrong types, or a name, version or build that
 * differ from its file name, which would let a record pose as another package) is reported as
 * invalid: the filter withholds it.
 */
import { buildNumberFromBuild, normalizeChannel, parseCondaArchiveName } from '../../conda/url.ts';
import { isCvebuildError } from '../../errors.ts';
import type { Package } from '../../model/package.ts';
import { normalizeCondaName } from '../../model/package.ts';
import {
  type Dict,
  type FieldContext,
  isDict,
  optHash,
  optInteger,
  optString,
  optStringList,
  timestampToMillis,
} from '../../readers/fields.ts';

export interface RecordPlace {
  filename: string;
  subdir: string;
  /** The upstream channel URL. */
  channel: string;
  /** Where the file is fetched from upstream. */
  url: string;
  /** The document the record came from (for messages). */
  source: string;
}

export type PackageOutcome = { ok: true; pkg: Package } | { ok: false; reason: string };

export function condaPackage(record: unknown, place: RecordPlace): PackageOutcome {
  if (!isDict(record)) return { ok: false, reason: 'the record is not a mapping' };
  const archive = parseCondaArchiveName(place.filename);
  if (!archive) return { ok: false, reason: 'the key is not a conda archive name' };
  const ctx: FieldContext = { file: place.source, code: 'INPUT_UNRECOGNIZED', path: place.filename };
  try {
    const fields = withHexHashes(record);
    const name = optString(fields, 'name', ctx) ?? archive.name;
    const version = optString(fields, 'version', ctx) ?? archive.version;
    const build = optString(fields, 'build', ctx) ?? archive.build;
    if (
      normalizeCondaName(name) !== normalizeCondaName(archive.name) ||
      version !== archive.version ||
      build !== archive.build
    )
      return { ok: false, reason: `the record says ${name} ${version} ${build}, its file name says otherwise` };
    const indexed = optInteger(fields, 'indexed_timestamp', ctx);
    const timestamp = indexed ?? optInteger(fields, 'timestamp', ctx);
    const noarch = fields.noarch;
    const pkg: Package = {
      ecosystem: 'conda',
      name,
      normalizedName: normalizeCondaName(name),
      version,
      build,
      buildNumber: optInteger(fields, 'build_number', ctx) ?? buildNumberFromBuild(build),
      subdir: optString(fields, 'subdir', ctx) ?? place.subdir,
      platform: place.subdir,
      channel: normalizeChannel(place.channel),
      url: place.url,
      location: place.url,
      sha256: optHash(fields, 'sha256', ctx),
      md5: optHash(fields, 'md5', ctx),
      size: optInteger(fields, 'size', ctx),
      timestamp: timestamp === undefined ? undefined : timestampToMillis(timestamp),
      license: optString(fields, 'license', ctx),
      depends: optStringList(fields, 'depends', ctx) ?? [],
      requiresDist: [],
      purls: [],
      kind: 'registry',
      ...(noarch === 'python' || noarch === 'generic' ? { noarch } : {}),
      environments: [],
      origin: { file: place.source },
    };
    return { ok: true, pkg };
  } catch (error) {
    if (isCvebuildError(error)) return { ok: false, reason: error.toLine() };
    throw error;
  }
}

/** Shard records carry sha256/md5 as bytes; the judge and the download check use hex. */
function withHexHashes(record: Dict): Dict {
  if (!(record.sha256 instanceof Uint8Array) && !(record.md5 instanceof Uint8Array)) return record;
  const copy = { ...record };
  for (const key of ['sha256', 'md5'] as const) {
    const value = copy[key];
    if (value instanceof Uint8Array) copy[key] = Buffer.from(value).toString('hex');
  }
  return copy;
}

/** `x-1.0-0.conda` and `x-1.0-0.tar.bz2` are one build: blocking one blocks both. */
export function buildStem(filename: string): string {
  if (filename.endsWith('.conda')) return filename.slice(0, -'.conda'.length);
  if (filename.endsWith('.tar.bz2')) return filename.slice(0, -'.tar.bz2'.length);
  return filename;
}
