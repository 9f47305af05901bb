/**
 * An installed conda environment: the `conda-meta/*.json` PrefixRecords conda, mamba and pixi
 * write into a prefix, one per installed package. What is on disk, not what a lock intended.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildNumberFromBuild, channelAndSubdirOf, normalizeChannel } from '../conda/url.ts';
import { CvebuildError } from '../errors.ts';
import { fsError, readTextInput } from '../fs/read-input.ts';
import type { Environment } from '../model/inventory.ts';
import { normalizeCondaName, type Package } from '../model/package.ts';
import {
  type Dict,
  describeType,
  expectDict,
  type FieldContext,
  fail,
  optHash,
  optInteger,
  optString,
  optStringList,
  reqString,
  timestampToMillis,
} from './fields.ts';
import type { Reader, ReaderOutput } from './types.ts';

export const condaMetaReader: Reader = { format: 'conda-meta', read: readPrefix };

const NOARCH_PLATFORM = 'noarch';

function readPrefix(path: string): ReaderOutput {
  // Accept the `conda-meta` directory itself as well as the prefix that holds it.
  const prefix = basename(path) === 'conda-meta' ? dirname(path) : path;
  const metaDir = join(prefix, 'conda-meta');
  const recordFiles = listRecordFiles(prefix, metaDir);
  const environmentName = basename(prefix);
  const records = recordFiles.map((file) => packageOf(file, environmentName));
  const platform = platformOf(records);
  const packages = records.map((pkg) => ({ ...pkg, platform }));
  const environment: Environment = {
    name: environmentName,
    channels: [...new Set(packages.flatMap((pkg) => (pkg.channel ? [pkg.channel] : [])))].sort(),
    indexes: [],
    platforms: [{ name: platform, subdir: platform, virtualPackages: [], packages }],
    options: {},
  };
  return {
    source: { path: prefix, format: 'conda-meta', records: { conda: packages.length, pypi: 0, condaSource: 0 } },
    environments: [environment],
    warnings:
      packages.length === 0 ? [{ message: 'conda-meta holds no package records', origin: { file: metaDir } }] : [],
  };
}

function listRecordFiles(prefix: string, metaDir: string): string[] {
  try {
    if (!statSync(prefix).isDirectory()) {
      throw new CvebuildError('PREFIX_INVALID', 'not a directory (expected a conda environment prefix)', {
        file: prefix,
      });
    }
    if (!statSync(metaDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new CvebuildError('PREFIX_INVALID', 'not a conda environment: no conda-meta directory', { file: prefix });
    }
    return readdirSync(metaDir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(metaDir, name));
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw fsError(prefix, error);
  }
}

/** The environment's platform: the subdir its architecture-specific packages were built for. */
function platformOf(records: Package[]): string {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record.subdir && record.subdir !== NOARCH_PLATFORM)
      counts.set(record.subdir, (counts.get(record.subdir) ?? 0) + 1);
  }
  let platform = NOARCH_PLATFORM;
  let most = 0;
  for (const [subdir, count] of counts) {
    if (count > most) [platform, most] = [subdir, count];
  }
  return platform;
}

function packageOf(file: string, environmentName: string): Package {
  const record = parseRecord(file);
  const ctx: FieldContext = { file, code: 'PREFIX_INVALID', path: '' };
  const name = reqString(record, 'name', ctx);
  const version = reqString(record, 'version', ctx);
  const build = optString(record, 'build', ctx);
  const url = optString(record, 'url', ctx);
  const fromUrl = url ? channelAndSubdirOf(url) : {};
  const subdir = optString(record, 'subdir', ctx) ?? fromUrl.subdir;
  const channel = fromUrl.channel ?? channelWithoutSubdir(optString(record, 'channel', ctx), subdir);
  const location = url ?? optString(record, 'fn', ctx) ?? `${name}-${version}-${build ?? ''}`;

  const pkg: Package = {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeCondaName(name),
    version,
    platform: '',
    location,
    depends: optStringList(record, 'depends', ctx) ?? [],
    requiresDist: [],
    purls: [],
    kind: url !== undefined && /^file:/i.test(url) ? 'path' : 'registry',
    environments: [environmentName],
    origin: { file },
  };
  if (build !== undefined) pkg.build = build;
  if (subdir !== undefined) pkg.subdir = subdir;
  if (channel !== undefined) pkg.channel = normalizeChannel(channel);
  if (url !== undefined) pkg.url = url;
  const sha256 = optHash(record, 'sha256', ctx);
  if (sha256 !== undefined) pkg.sha256 = sha256;
  const md5 = optHash(record, 'md5', ctx);
  if (md5 !== undefined) pkg.md5 = md5;
  const size = optInteger(record, 'size', ctx);
  if (size !== undefined) pkg.size = size;
  addIndexMetadata(pkg, record, ctx);
  return pkg;
}

/**
 * The fields a conda-meta record shares with the `info/index.json` it was installed from: build
 * number (from the build string when absent), build time, license and noarch kind.
 */
export function addIndexMetadata(pkg: Package, record: Dict, ctx: FieldContext): void {
  const buildNumber =
    optInteger(record, 'build_number', ctx) ?? (pkg.build ? buildNumberFromBuild(pkg.build) : undefined);
  if (buildNumber !== undefined) pkg.buildNumber = buildNumber;
  const timestamp = optInteger(record, 'timestamp', ctx);
  if (timestamp !== undefined) pkg.timestamp = timestampToMillis(timestamp);
  const license = optString(record, 'license', ctx);
  if (license !== undefined) pkg.license = license;
  const noarch = noarchOf(record, ctx);
  if (noarch !== undefined) pkg.noarch = noarch;
}

function parseRecord(file: string): Dict {
  const text = readTextInput(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CvebuildError('JSON_SYNTAX', `JSON syntax error: ${reason.split('\n', 1)[0]}`, {
      file,
      line: jsonErrorLine(reason, text),
    });
  }
  return expectDict(value, { file, code: 'PREFIX_INVALID', path: '' });
}

/** V8 reports `… (line 3 column 5)`, `… at position 42` or `Unexpected end of JSON input`. */
function jsonErrorLine(message: string, text: string): number | undefined {
  const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
  if (line) return Number(line);
  if (/end of JSON input/.test(message)) return text.trimEnd().split('\n').length;
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return undefined;
  return text.slice(0, Number(position)).split('\n').length;
}

/** conda writes the channel with the subdir appended (`…/conda-forge/linux-64`); rattler without. */
function channelWithoutSubdir(channel: string | undefined, subdir: string | undefined): string | undefined {
  if (!channel) return undefined;
  const trimmed = normalizeChannel(channel);
  return subdir && trimmed.endsWith(`/${subdir}`) ? trimmed.slice(0, -subdir.length - 1) : trimmed;
}

/** `noarch` is `"python"` / `"generic"`; conda-build 2 era records wrote `true` for generic. */
export function noarchOf(record: Dict, ctx: FieldContext): Package['noarch'] {
  const value = record.noarch;
  if (value === undefined || value === null || value === false) return undefined;
  if (value === 'python' || value === 'generic') return value;
  if (value === true) return 'generic';
  return fail(ctx, 'noarch', `expected "python" or "generic", found ${describeType(value)}`);
}
