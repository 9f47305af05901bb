/**
 * The vendor and gap-filler feeds of `db update` (openssl, nodejs, oss-fuzz, conda-forge-names) as
 * their upstreams serve them, built from the shared corpus in a temporary directory: OpenSSL's
 * release-metadata repository as GitHub's codeload zip, osv.dev's `OSS-Fuzz/all.zip`, and the
 * security-wg index and feedstock-outputs.json as plain files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeedName } from '../../src/intel/model.ts';
import { corpus } from './paths.ts';
import { tempDirectory } from './temp.ts';
import { type ZipEntry, zipEntries } from './zip-writer.ts';

export const OPENSSL_CVE5 = 'intel/clibs/openssl-secjson-cve5.jsonl';
export const OSS_FUZZ_OSV = 'intel/clibs/osv-ossfuzz-clibs.jsonl';
export const NODEJS_INDEX = 'intel/nodejs-security-wg/vuln/core/index.json';
export const FEEDSTOCK_OUTPUTS = 'intel/conda-forge/feedstock-outputs.json';

export function corpusLines(relative: string): string[] {
  return readFileSync(corpus(relative), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/**
 * codeload.github.com/openssl/release-metadata/zip/refs/heads/main: every file under
 * `release-metadata-main/`, with directory entries, and the CVE records beside the repository's
 * other JSON (release data, vendor statements) that the importer must leave alone.
 */
export function openSslReleaseMetadataZip(): { path: string; records: number } {
  const top = 'release-metadata-main/';
  const records = corpusLines(OPENSSL_CVE5).map(
    (line): ZipEntry => ({
      name: `${top}secjson/${(JSON.parse(line) as { cveMetadata: { cveId: string } }).cveMetadata.cveId}.json`,
      data: line,
    }),
  );
  const entries: ZipEntry[] = [
    { name: top, data: '' },
    { name: `${top}data.json`, data: readFileSync(corpus('intel/clibs/openssl-release-data.json')) },
    { name: `${top}secjson/`, data: '' },
    {
      name: `${top}secjson/statements.json`,
      data: readFileSync(corpus('intel/clibs/openssl-secjson-statements.json')),
    },
    ...records,
  ];
  return { path: writeZip('release-metadata-main.zip', entries), records: records.length };
}

/** osv-vulnerabilities.storage.googleapis.com/OSS-Fuzz/all.zip: one `<ID>.json` per record. */
export function ossFuzzAllZip(): { path: string; records: number } {
  const entries = corpusLines(OSS_FUZZ_OSV).map(
    (line): ZipEntry => ({ name: `${(JSON.parse(line) as { id: string }).id}.json`, data: line }),
  );
  return { path: writeZip('OSS-Fuzz-all.zip', entries), records: entries.length };
}

function writeZip(name: string, entries: ZipEntry[]): string {
  const path = join(tempDirectory(), name);
  writeFileSync(path, zipEntries(entries));
  return path;
}

/** Served path → feed and file, named like upstream's URLs. */
export function vendorFeedRoutes(): Record<string, { feed: FeedName; path: string }> {
  return {
    '/openssl/release-metadata/zip/refs/heads/main': { feed: 'openssl', path: openSslReleaseMetadataZip().path },
    '/nodejs/security-wg/main/vuln/core/index.json': { feed: 'nodejs', path: corpus(NODEJS_INDEX) },
    '/OSS-Fuzz/all.zip': { feed: 'oss-fuzz', path: ossFuzzAllZip().path },
    '/conda-forge/feedstock-outputs/single-file/feedstock-outputs.json': {
      feed: 'conda-forge-names',
      path: corpus(FEEDSTOCK_OUTPUTS),
    },
  };
}
