/**
 * pixi.lock package records (the top-level `packages:` list) for format versions 4–7, each
 * turned into one version-independent `LockRecord`. v4/v5 tag records with `kind:`; v6/v7 use the
 * location key (`conda:`, `pypi:`, v7 `conda_source:`) and derive omitted fields from the file name.
 */

import {
  buildNumberFromBuild,
  channelAndSubdirOf,
  fileNameOf,
  isUrl,
  normalizeChannel,
  parseCondaArchiveName,
} from '../../conda/url.ts';
import type { Package, PackageKind } from '../../model/package.ts';
import { normalizeName } from '../../model/package.ts';
import {
  child,
  type Dict,
  expectDict,
  expectList,
  type FieldContext,
  fail,
  optBoolean,
  optHash,
  optInteger,
  optString,
  optStringList,
  reqString,
  timestampToMillis,
} from '../fields.ts';

/**
 * A package record before it is placed into environments and platforms. The placer turns it into
 * the `Package` of its first platform, so its fields are exactly a Package's.
 */
export type RecordTemplate = Omit<Package, 'platform' | 'environments' | 'buildOnly'> & Partial<Package>;

export interface LockRecord {
  /** The list entry's kind as written: MANIFEST-style counts are by this. */
  entryKind: 'conda' | 'conda_source' | 'pypi';
  /** The key environment selectors use: the location, or the v7 `conda_source` identifier. */
  selectorKey: string;
  template: RecordTemplate;
  /** v7 source records: selectors of the packages needed to build them. */
  buildSelectors: readonly Dict[];
  /** Whether an environment selects it (or it is the twin of one that is listed first). */
  used: boolean;
  /** The packages `PackagePlacer` made of it, one per subdir (nearly always one). */
  placement: Placement | undefined;
}

/** The record's package on one subdir, and the platform list it was last put in. */
export interface Placement {
  readonly subdir: string;
  readonly pkg: Package;
  list: object | undefined;
  /** The placement on another subdir. */
  next: Placement | undefined;
}

/** Every record has the same shape, so the code reading them sees one. */
function lockRecord(
  entryKind: LockRecord['entryKind'],
  selectorKey: string,
  buildSelectors: readonly Dict[],
  template: RecordTemplate,
): LockRecord {
  return { entryKind, selectorKey, template, buildSelectors, used: false, placement: undefined };
}

/** Shared by every record without build selectors (nearly all): it is only ever read. */
const NO_SELECTORS: readonly Dict[] = Object.freeze([]);

export function parseRecord(entry: unknown, version: number, ctx: FieldContext): LockRecord {
  const record = expectDict(entry, ctx);
  if (version <= 5) {
    const kind = reqString(record, 'kind', ctx);
    if (kind === 'conda') return condaRecord(record, reqString(record, 'url', ctx), version, ctx);
    if (kind === 'pypi') {
      const location = optString(record, 'url', ctx) ?? optString(record, 'path', ctx);
      if (!location) fail(ctx, undefined, 'pypi record has neither `url` nor `path`');
      return pypiRecord(record, location, version, ctx);
    }
    return fail(ctx, 'kind', `unknown package kind ${JSON.stringify(kind)} (expected conda or pypi)`);
  }
  if ('conda' in record) return condaRecord(record, reqString(record, 'conda', ctx), version, ctx);
  if ('pypi' in record) return pypiRecord(record, reqString(record, 'pypi', ctx), version, ctx);
  if (version >= 7 && 'conda_source' in record) return condaSourceRecord(record, ctx);
  const expected = version >= 7 ? '`conda`, `conda_source` or `pypi`' : '`conda` or `pypi`';
  return fail(ctx, undefined, `package record has none of the keys ${expected}`);
}

function condaRecord(record: Dict, location: string, version: number, ctx: FieldContext): LockRecord {
  const archive = parseCondaArchiveName(fileNameOf(location));
  const isSourceCheckout = archive === undefined;
  if (isSourceCheckout && version >= 7) {
    fail(ctx, 'conda', `binary conda record must point at a .conda or .tar.bz2 file: ${location}`);
  }
  const name = optString(record, 'name', ctx) ?? archive?.name;
  if (!name) fail(ctx, 'name', 'required field is missing (and the location is not a conda archive)');
  const pkgVersion = optString(record, 'version', ctx) ?? archive?.version;
  if (!pkgVersion) fail(ctx, 'version', 'required field is missing (and the location is not a conda archive)');
  const build = optString(record, 'build', ctx) ?? archive?.build ?? '';
  const url = isUrl(location);
  const derived = url && archive ? channelAndSubdirOf(location) : undefined;
  const subdir = optString(record, 'subdir', ctx) ?? derived?.subdir;
  const channel = optString(record, 'channel', ctx) ?? derived?.channel;
  const timestamp = optInteger(record, 'timestamp', ctx);
  return lockRecord('conda', location, NO_SELECTORS, {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeName('conda', name),
    version: pkgVersion,
    build,
    buildNumber: optInteger(record, 'build_number', ctx) ?? buildNumberFromBuild(build),
    subdir,
    channel: channel === undefined ? undefined : normalizeChannel(channel),
    url: url ? location : undefined,
    location,
    sha256: optHash(record, 'sha256', ctx),
    md5: optHash(record, 'md5', ctx),
    size: optInteger(record, 'size', ctx),
    timestamp: timestamp === undefined ? undefined : timestampToMillis(timestamp),
    license: optString(record, 'license', ctx),
    depends: optStringList(record, 'depends', ctx) ?? [],
    requiresDist: [],
    purls: optStringList(record, 'purls', ctx) ?? [],
    purlsKnown: record.purls !== undefined && record.purls !== null ? true : undefined,
    kind: isSourceCheckout ? 'source-build' : condaKind(location, url),
    noarch: noarchOf(record, subdir, build, ctx),
    origin: { file: ctx.file, line: ctx.line },
  });
}

/** Constants, not literals in the functions: a literal makes a new RegExp object per call (one per record). */
const HTTP_URL = /^https?:\/\//i;
const GIT_URL = /^git\+/i;
const DIRECT_URL = /^direct\+/i;

function condaKind(location: string, url: boolean): PackageKind {
  if (HTTP_URL.test(location)) return 'registry';
  return url && !location.startsWith('file:') ? 'url' : 'path';
}

function noarchOf(record: Dict, subdir: string | undefined, build: string, ctx: FieldContext): Package['noarch'] {
  const explicit = record.noarch;
  if (explicit === 'python' || explicit === 'generic') return explicit;
  if (explicit === true) return 'generic'; // legacy boolean form
  if (explicit !== undefined && explicit !== null && explicit !== false) {
    fail(ctx, 'noarch', `expected python or generic, found ${JSON.stringify(explicit)}`);
  }
  if (subdir === 'noarch') return build.includes('py') ? 'python' : 'generic';
  return undefined;
}

/** v7 `conda_source: name[hash] @ location`. */
function condaSourceRecord(record: Dict, ctx: FieldContext): LockRecord {
  const identifier = reqString(record, 'conda_source', ctx);
  const match = /^(.+?)\[([0-9a-f]+)\]\s*@\s*(.+)$/.exec(identifier);
  if (!match?.[1] || !match[3]) {
    fail(ctx, 'conda_source', `expected "name[hash] @ location", found ${JSON.stringify(identifier)}`);
  }
  const name = match[1].trim();
  const build = optString(record, 'build', ctx) ?? '';
  const subdir = optString(record, 'subdir', ctx);
  const buildSelectors = parseBuildSelectors(record, ctx);
  const source = record.source;
  const sourceLocation = sourceLocationOf(source, child(ctx, 'source')) ?? match[3].trim();
  return lockRecord('conda_source', identifier, buildSelectors, {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeName('conda', name),
    version: optString(record, 'version', ctx) ?? '',
    build,
    buildNumber: optInteger(record, 'build_number', ctx) ?? (build ? buildNumberFromBuild(build) : undefined),
    subdir,
    location: sourceLocation,
    license: optString(record, 'license', ctx),
    depends: optStringList(record, 'depends', ctx) ?? [],
    requiresDist: [],
    purls: optStringList(record, 'purls', ctx) ?? [],
    kind: 'source-build',
    noarch: noarchOf(record, subdir, build, ctx),
    origin: { file: ctx.file, line: ctx.line },
  });
}

/** v7 `build_packages` / `host_packages`: what must be installed to build a source record. */
function parseBuildSelectors(record: Dict, ctx: FieldContext): Dict[] {
  const selectors: Dict[] = [];
  for (const key of ['build_packages', 'host_packages']) {
    const list = record[key];
    if (list === undefined || list === null) continue;
    expectList(list, child(ctx, key)).forEach((item, index) => {
      selectors.push(expectDict(item, child(child(ctx, key), index)));
    });
  }
  return selectors;
}

/** `source: {git, rev}` / `{url, sha256}` / `{path}` → one location string. */
function sourceLocationOf(source: unknown, ctx: FieldContext): string | undefined {
  if (source === undefined || source === null) return undefined;
  const dict = expectDict(source, ctx);
  const git = optString(dict, 'git', ctx);
  if (git) {
    const rev = optString(dict, 'rev', ctx) ?? optString(dict, 'tag', ctx) ?? optString(dict, 'branch', ctx);
    const subdir = optString(dict, 'subdir', ctx);
    return `git+${git}${rev ? `@${rev}` : ''}${subdir ? `#subdirectory=${subdir}` : ''}`;
  }
  return optString(dict, 'url', ctx) ?? optString(dict, 'path', ctx);
}

function pypiRecord(record: Dict, location: string, version: number, ctx: FieldContext): LockRecord {
  const name = reqString(record, 'name', ctx);
  const pkgVersion = version >= 7 ? (optString(record, 'version', ctx) ?? '') : reqString(record, 'version', ctx);
  const editable = version <= 6 ? (optBoolean(record, 'editable', ctx) ?? false) : false;
  const index = version >= 7 ? optString(record, 'index', ctx) : undefined;
  const kind = pypiKind(location, editable);
  return lockRecord('pypi', location, version >= 7 ? parseBuildSelectors(record, ctx) : NO_SELECTORS, {
    ecosystem: 'pypi',
    name,
    normalizedName: normalizeName('pypi', name),
    version: pkgVersion,
    url: isUrl(location) ? location.replace(/^(git\+|direct\+)/, '') : undefined,
    index,
    location,
    sha256: optHash(record, 'sha256', ctx),
    md5: optHash(record, 'md5', ctx),
    depends: [],
    requiresDist: optStringList(record, 'requires_dist', ctx) ?? [],
    purls: [],
    kind,
    origin: { file: ctx.file, line: ctx.line },
  });
}

function pypiKind(location: string, editable: boolean): PackageKind {
  if (editable) return 'editable';
  if (GIT_URL.test(location)) return 'git';
  if (DIRECT_URL.test(location)) return 'url';
  if (HTTP_URL.test(location)) return 'registry';
  return 'path';
}
