/**
 * `@EXPLICIT` lists (`conda list --explicit`, conda-lock's `--kind explicit`): one package archive
 * URL per line, optionally with `#<md5>` or `#sha256:<hex>`, for one platform. Everything about a
 * package comes from its URL: channel, subdir and name-version-build.
 */

import {
  buildNumberFromBuild,
  channelAndSubdirOf,
  fileNameOf,
  isUrl,
  normalizeChannel,
  parseCondaArchiveName,
} from '../conda/url.ts';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import type { Environment } from '../model/inventory.ts';
import { normalizeCondaName, type Package } from '../model/package.ts';
import type { Reader, ReaderOutput } from './types.ts';

export const explicitReader: Reader = { format: 'explicit', read: readExplicitList };

/** The only environment an explicit list describes. */
const ENVIRONMENT_NAME = 'default';
const PLATFORM_HEADER = /^#\s*platform:\s*(\S+)\s*$/;
const MD5 = /^[0-9a-f]{32}$/i;
const SHA256 = /^(?:sha256:)?([0-9a-f]{64})$/i;

interface PackageLine {
  url: string;
  hash?: string;
  line: number;
}

function readExplicitList(file: string): ReaderOutput {
  const text = readTextInput(file);
  let headerPlatform: string | undefined;
  let hasMarker = false;
  const packageLines: PackageLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.trim();
    if (!content) return;
    if (content.startsWith('#')) {
      headerPlatform ??= PLATFORM_HEADER.exec(content)?.[1];
      return;
    }
    if (content === '@EXPLICIT') {
      hasMarker = true;
      return;
    }
    const hashAt = content.indexOf('#');
    const url = hashAt === -1 ? content : content.slice(0, hashAt);
    const packageLine: PackageLine = { url, line: index + 1 };
    if (hashAt !== -1) packageLine.hash = content.slice(hashAt + 1);
    packageLines.push(packageLine);
  });
  if (!hasMarker) {
    throw new CvebuildError('ENV_FILE_INVALID', 'not an explicit package list: no "@EXPLICIT" line', { file });
  }

  const parsed = packageLines.map((entry) => packageOf(entry, file));
  const platform = headerPlatform ?? parsed.find((pkg) => pkg.subdir && pkg.subdir !== 'noarch')?.subdir ?? 'noarch';
  const packages = parsed.map((pkg) => ({ ...pkg, platform }));
  const environment: Environment = {
    name: ENVIRONMENT_NAME,
    channels: [...new Set(packages.flatMap((pkg) => (pkg.channel ? [pkg.channel] : [])))],
    indexes: [],
    platforms: [{ name: platform, subdir: platform, virtualPackages: [], packages }],
    options: {},
  };
  return {
    source: { path: file, format: 'explicit', records: { conda: packages.length, pypi: 0, condaSource: 0 } },
    environments: [environment],
    warnings: [],
  };
}

function packageOf(entry: PackageLine, file: string): Package {
  const where = { file, line: entry.line };
  if (!isUrl(entry.url)) {
    throw new CvebuildError('ENV_FILE_INVALID', `expected a package URL, found ${quote(entry.url)}`, where);
  }
  const archive = parseCondaArchiveName(fileNameOf(entry.url));
  if (!archive) {
    throw new CvebuildError(
      'ENV_FILE_INVALID',
      `not a conda package URL (…/name-version-build.conda): ${quote(entry.url)}`,
      where,
    );
  }
  const { channel, subdir } = channelAndSubdirOf(entry.url);
  const pkg: Package = {
    ecosystem: 'conda',
    name: archive.name,
    normalizedName: normalizeCondaName(archive.name),
    version: archive.version,
    build: archive.build,
    platform: '',
    url: entry.url,
    location: entry.url,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: [ENVIRONMENT_NAME],
    origin: where,
  };
  const buildNumber = buildNumberFromBuild(archive.build);
  if (buildNumber !== undefined) pkg.buildNumber = buildNumber;
  if (subdir !== undefined) pkg.subdir = subdir;
  if (channel !== undefined) pkg.channel = normalizeChannel(channel);
  if (entry.hash !== undefined) Object.assign(pkg, hashOf(entry.hash, where));
  return pkg;
}

function hashOf(fragment: string, where: { file: string; line: number }): Pick<Package, 'md5' | 'sha256'> {
  if (MD5.test(fragment)) return { md5: fragment.toLowerCase() };
  const sha256 = SHA256.exec(fragment)?.[1];
  if (sha256) return { sha256: sha256.toLowerCase() };
  throw new CvebuildError('ENV_FILE_INVALID', `not an md5 or sha256:<hex> digest after "#": ${quote(fragment)}`, where);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
