/**
 * A conda package archive (`.conda` or `.tar.bz2`) as a `Package`: its identity and metadata from
 * its own `info/index.json`, its digests from its bytes. For front doors that hold artifacts
 * rather than locks (a proxy serving a download, a pipeline publishing a build).
 */
import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { channelAndSubdirOf, normalizeChannel } from '../conda/url.ts';
import { readError } from '../fs/errors.ts';
import { openRegularFile } from '../fs/regular-file.ts';
import { normalizeCondaName, type Package } from '../model/package.ts';
import { addIndexMetadata } from '../readers/conda-meta.ts';
import { expectDict, type FieldContext, optString, optStringList, reqString } from '../readers/fields.ts';
import { readPackageArchive } from './archive.ts';
import { archiveInvalid, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';

const INDEX = 'info/index.json';

export interface ReadArtifactOptions {
  /** Where the artifact is served from (`<channel>/<subdir>/<file>`): the package's URL and channel. */
  url?: string;
  /** The platform it is installed on (default: the subdir it was built for). */
  platform?: string;
}

export async function readArtifactPackage(path: string, options: ReadArtifactOptions = {}): Promise<Package> {
  const scan = await readPackageArchive(path, {
    infoOnly: true,
    limits: { maxReadBytes: DEFAULT_ARCHIVE_LIMITS.maxMetaBytes },
    select: (entry) => entry.path === INDEX && entry.member !== 'pkg' && entry.type === 'file',
  });
  const content = scan.contents.get(INDEX);
  if (!content) throw archiveInvalid(path, `no ${INDEX}: not a conda package`);
  if (content.truncated)
    throw archiveInvalid(path, `${INDEX} is larger than ${DEFAULT_ARCHIVE_LIMITS.maxMetaBytes} bytes`);
  let document: unknown;
  try {
    document = JSON.parse(content.head.toString('utf8'));
  } catch (error) {
    throw archiveInvalid(path, `${INDEX} is not JSON: ${(error as Error).message.split('\n', 1)[0]}`);
  }
  const ctx: FieldContext = { file: path, code: 'ARCHIVE_INVALID', path: INDEX };
  const record = expectDict(document, ctx);
  const name = reqString(record, 'name', ctx);
  const version = reqString(record, 'version', ctx);
  const build = reqString(record, 'build', ctx);
  const subdir = optString(record, 'subdir', ctx) ?? 'noarch';
  const digests = fileDigests(path);
  const pkg: Package = {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeCondaName(name),
    version,
    build,
    subdir,
    platform: options.platform ?? subdir,
    location: options.url ?? path,
    sha256: digests.sha256,
    md5: digests.md5,
    size: digests.size,
    depends: optStringList(record, 'depends', ctx) ?? [],
    requiresDist: [],
    purls: [],
    kind: options.url ? 'registry' : 'path',
    environments: [],
    origin: { file: path },
  };
  if (options.url) {
    pkg.url = options.url;
    const { channel } = channelAndSubdirOf(options.url);
    if (channel) pkg.channel = normalizeChannel(channel);
  }
  addIndexMetadata(pkg, record, ctx);
  return pkg;
}

function fileDigests(path: string): { sha256: string; md5: string; size: number } {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const buffer = Buffer.alloc(1024 * 1024);
  let size = 0;
  const { fd } = openRegularFile(path);
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      sha256.update(buffer.subarray(0, read));
      md5.update(buffer.subarray(0, read));
      size += read;
    }
  } catch (error) {
    throw readError(path, error);
  } finally {
    closeSync(fd);
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
}
