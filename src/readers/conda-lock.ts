/**
 * conda-lock files (`conda-lock.yml`, format `version: 1`) and pixi.lock versions 1–3, which share
 * the schema: one flat `package:` list with an entry per package per platform, `manager: conda`
 * or `pip`/`pypi`, and `hash: {md5, sha256}`. conda-lock has no environment names: everything is
 * the environment `default`.
 */

import { isKnownSubdir } from '../conda/platforms.ts';
import {
  buildNumberFromBuild,
  channelAndSubdirOf,
  fileNameOf,
  isUrl,
  normalizeChannel,
  parseCondaArchiveName,
} from '../conda/url.ts';
import type { Environment, InputSource, PlatformPackages } from '../model/inventory.ts';
import { artifactKey, normalizeName, type Package, type PackageKind } from '../model/package.ts';
import {
  child,
  type Dict,
  describeType,
  expectDict,
  expectList,
  type FieldContext,
  fail,
  isDict,
  optHash,
  optInteger,
  optString,
  optStringList,
  reqString,
  timestampToMillis,
} from './fields.ts';
import { listEntryLines } from './record-lines.ts';
import type { ReaderOutput } from './types.ts';

const ENVIRONMENT = 'default';

export function readCondaLockDocument(document: Dict, text: string, file: string, version: number): ReaderOutput {
  const ctx: FieldContext = { file, code: 'LOCK_INVALID', path: '' };
  const metadata = document.metadata === undefined ? {} : expectDict(document.metadata, child(ctx, 'metadata'));
  const channels = parseChannels(metadata.channels, child(ctx, 'metadata.channels'));
  const listCtx = child(ctx, 'package');
  const entries =
    document.package === null || document.package === undefined ? [] : expectList(document.package, listCtx);
  const lines = listEntryLines(text, 'package', entries.length);

  const platforms = new Map<string, Map<string, Package>>();
  let conda = 0;
  let pypi = 0;
  entries.forEach((entry, index) => {
    const entryCtx = child(listCtx, index, lines?.[index]);
    const pkg = parseEntry(expectDict(entry, entryCtx), entryCtx);
    if (pkg.ecosystem === 'conda') conda++;
    else pypi++;
    let placed = platforms.get(pkg.platform);
    if (!placed) {
      placed = new Map();
      platforms.set(pkg.platform, placed);
    }
    const key = artifactKey(pkg);
    if (!placed.has(key)) placed.set(key, pkg);
  });

  const environment: Environment = {
    name: ENVIRONMENT,
    channels,
    indexes: [],
    options: {},
    platforms: [...platforms].map(
      ([subdir, packages]): PlatformPackages => ({
        name: subdir,
        subdir,
        virtualPackages: [],
        packages: [...packages.values()],
      }),
    ),
  };
  const source: InputSource = {
    path: file,
    format: 'conda-lock',
    formatVersion: version,
    records: { conda, pypi, condaSource: 0 },
  };
  return { source, environments: [environment], warnings: [] };
}

function parseEntry(entry: Dict, ctx: FieldContext): Package {
  const manager = reqString(entry, 'manager', ctx);
  if (manager !== 'conda' && manager !== 'pip' && manager !== 'pypi') {
    fail(ctx, 'manager', `expected conda, pip or pypi, found ${JSON.stringify(manager)}`);
  }
  const ecosystem = manager === 'conda' ? 'conda' : 'pypi';
  const name = reqString(entry, 'name', ctx);
  const version = reqString(entry, 'version', ctx);
  const platform = reqString(entry, 'platform', ctx);
  if (!isKnownSubdir(platform) || platform === 'noarch') {
    fail(ctx, 'platform', `${JSON.stringify(platform)} is not a conda platform`);
  }
  const url = reqString(entry, 'url', ctx);
  const hashCtx = child(ctx, 'hash');
  const hash = entry.hash === undefined || entry.hash === null ? {} : { ...expectDict(entry.hash, hashCtx) };
  // conda-lock writes the git commit id into `hash.sha256` of git dependencies: not an artifact hash.
  if (/^git\+/i.test(url) && typeof hash.sha256 === 'string' && /^[0-9a-f]{40}$/i.test(hash.sha256)) {
    delete hash.sha256;
  }
  const dependencies = parseDependencies(entry.dependencies, ecosystem, child(ctx, 'dependencies'));
  const common = {
    name,
    normalizedName: normalizeName(ecosystem, name),
    version,
    platform,
    location: url,
    sha256: optHash(hash, 'sha256', hashCtx),
    md5: optHash(hash, 'md5', hashCtx),
    purls: optStringList(entry, 'purls', ctx) ?? [],
    environments: [ENVIRONMENT],
    origin: { file: ctx.file, line: ctx.line },
  };
  if (ecosystem === 'pypi') {
    return {
      ...common,
      ecosystem,
      url: isUrl(url) ? url.replace(/^git\+/, '') : undefined,
      depends: [],
      requiresDist: dependencies,
      kind: isDirectUrl(entry.source) ? 'url' : pypiKind(url),
    };
  }
  const archive = parseCondaArchiveName(fileNameOf(url));
  const build = optString(entry, 'build', ctx) ?? archive?.build ?? '';
  const derived = isUrl(url) ? channelAndSubdirOf(url) : {};
  const subdir = optString(entry, 'subdir', ctx) ?? derived.subdir;
  const timestamp = optInteger(entry, 'timestamp', ctx);
  return {
    ...common,
    ecosystem,
    build,
    buildNumber: optInteger(entry, 'build_number', ctx) ?? buildNumberFromBuild(build),
    subdir,
    channel: derived.channel === undefined ? undefined : normalizeChannel(derived.channel),
    url: isUrl(url) ? url : undefined,
    size: optInteger(entry, 'size', ctx),
    timestamp: timestamp === undefined ? undefined : timestampToMillis(timestamp),
    license: optString(entry, 'license', ctx),
    depends: dependencies,
    requiresDist: [],
    kind: archive ? (/^https?:/i.test(url) ? 'registry' : 'path') : 'source-build',
    noarch: subdir === 'noarch' ? (build.includes('py') ? 'python' : 'generic') : undefined,
  };
}

/** conda-lock marks a pip dependency given by URL (not resolved from an index) with `source: {type: url}`. */
function isDirectUrl(source: unknown): boolean {
  return isDict(source) && source.type === 'url';
}

function pypiKind(url: string): PackageKind {
  if (/^git\+/i.test(url)) return 'git';
  if (/^https?:\/\//i.test(url)) return 'registry';
  return 'path';
}

/** v1 writes `{name: spec}`, later versions a list of MatchSpec / PEP 508 strings. */
function parseDependencies(value: unknown, ecosystem: 'conda' | 'pypi', ctx: FieldContext): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      if (typeof item !== 'string') fail(ctx, `[${index}]`, `expected text, found ${describeType(item)}`);
      return item;
    });
  }
  if (!isDict(value)) fail(ctx, undefined, `expected a mapping or list, found ${describeType(value)}`);
  return Object.entries(value).map(([name, spec]) => {
    if (spec !== null && typeof spec !== 'string' && typeof spec !== 'number') {
      fail(ctx, name, `expected a version spec, found ${describeType(spec)}`);
    }
    const text = spec === null ? '' : String(spec).trim();
    if (!text || text === '*') return name;
    return ecosystem === 'conda' ? `${name} ${text}` : `${name}${text}`;
  });
}

function parseChannels(value: unknown, ctx: FieldContext): string[] {
  if (value === undefined || value === null) return [];
  return expectList(value, ctx).map((entry, index) => {
    if (typeof entry === 'string') return normalizeChannel(entry);
    const entryCtx = child(ctx, index);
    return normalizeChannel(reqString(expectDict(entry, entryCtx), 'url', entryCtx));
  });
}
