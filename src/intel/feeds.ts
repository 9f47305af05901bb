/**
 * The feeds `cvebuild db update` downloads, and how the user picks and redirects them:
 * `--only NAME,...`, `--feed NAME=URL` (repeatable) and `CVEBUILD_FEED_<NAME>` environment variables.
 */
import { CvebuildError } from '../errors.ts';
import { isFeedName } from './import/feeds.ts';
import type { FeedName } from './model.ts';

/**
 * What the downloaded bytes are; decides the temp file's extension, which the importer reads formats by.
 * Two feeds are not one download: `nvd-api` pages through NVD's CVE API (intel/nvd-api.ts) and
 * `cve-list-release` reads a cvelistV5 release index, then its zips (intel/cve-list-release.ts).
 */
export type FeedFormat = 'zip' | 'json' | 'jsonl' | 'vuln.pm' | 'nvd-api' | 'cve-list-release';

export interface FeedSource {
  name: FeedName;
  url: string;
  format: FeedFormat;
  /** Hard cap on the (decoded) body; a bigger answer aborts the download. */
  maxBytes: number;
  /** A failed download of a required feed fails the update; an optional one is only reported. */
  required: boolean;
  /**
   * Imported only in part, for the packages cvebuild's own maps name: always downloaded in full, since
   * a 304 would keep a part chosen by an older cvebuild's map.
   */
  selective?: boolean;
}

const MiB = 1024 * 1024;

// ---- OSV exports for repackaged Rust, Go and Node command-line tools (ecosystem-purl map, issue 13) ----
// crates.io and Go are small (a few MB) and every tool the map names is matched against them, so a
// plain update fetches them; they are optional because a package no store has looked at is already
// reported `not-checked` by the gate. npm's export is hundreds of MB of malware reports for names no
// conda package carries, for one mapped tool (prettier) today: fetched on request only, and kept
// only for the names the map holds.
const TOOL_ECOSYSTEM_DEFAULT_FEEDS: readonly FeedSource[] = [
  {
    name: 'osv-crates-io',
    url: 'https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip',
    format: 'zip',
    maxBytes: 128 * MiB,
    required: false,
  },
  {
    name: 'osv-go',
    url: 'https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip',
    format: 'zip',
    maxBytes: 128 * MiB,
    required: false,
  },
];

const TOOL_ECOSYSTEM_EXTRA_FEEDS: readonly FeedSource[] = [
  {
    name: 'osv-npm',
    url: 'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip',
    format: 'zip',
    maxBytes: 4096 * MiB,
    required: true,
    selective: true,
  },
];
// ---- end of the tool-ecosystem feeds ----

/** Downloaded by a plain `cvebuild db update`, in this order. */
export const DEFAULT_FEEDS: readonly FeedSource[] = [
  {
    // osv.dev's export merges PyPA (PYSEC), GitHub-reviewed GHSA and OpenSSF MAL records for PyPI
    name: 'osv-pypi',
    url: 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip',
    format: 'zip',
    maxBytes: 512 * MiB,
    required: true,
  },
  {
    name: 'kev',
    url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    format: 'json',
    maxBytes: 64 * MiB,
    required: true,
  },
  {
    // conda name -> PyPI names: without it conda packages cannot be matched against PyPI advisories
    name: 'parselmouth',
    url: 'https://raw.githubusercontent.com/prefix-dev/parselmouth/main/files/v0/conda-forge/compressed_mapping.json',
    format: 'json',
    maxBytes: 64 * MiB,
    required: true,
  },
  {
    // curl's own table (first/last vulnerable version per CVE); curl.se/docs/vuln.json is generated from it
    name: 'curl',
    url: 'https://raw.githubusercontent.com/curl/curl-www/master/docs/vuln.pm',
    format: 'vuln.pm',
    maxBytes: 16 * MiB,
    required: true,
  },
  // --- C/C++ upstream CVEs beyond the vendors' own feeds (issue 13): NVD, then the CVE List ---
  {
    // CPE configurations of the product map's products; incremental by lastMod windows (intel/nvd-api.ts)
    name: 'nvd',
    url: 'https://services.nvd.nist.gov/rest/json/cves/2.0',
    format: 'nvd-api',
    // per response; a run is capped at NVD_RUN_MAX_BYTES
    maxBytes: 128 * MiB,
    required: true,
  },
  {
    // CNA and CISA ADP data for the CVEs NVD has not analysed: the day's baseline, then hourly deltas
    name: 'cve5',
    url: 'https://api.github.com/repos/CVEProject/cvelistV5/releases/latest',
    format: 'cve-list-release',
    // the baseline zip; deltas and the index have smaller caps of their own
    maxBytes: 2048 * MiB,
    required: true,
  },
  // --- end of the NVD / CVE List entries ---
  {
    // popularity only feeds the typosquat heuristic, so an outage there must not block advisory updates
    name: 'top-pypi',
    url: 'https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json',
    format: 'json',
    maxBytes: 32 * MiB,
    required: false,
  },
  // Vendor and gap-filler feeds for the conda C/C++ products of the product map (data/conda-native.json).
  {
    // OpenSSL's own CVE JSON 5 records: only `<repo>-main/secjson/CVE-*.json` of the repository's archive is read
    name: 'openssl',
    url: 'https://codeload.github.com/openssl/release-metadata/zip/refs/heads/main',
    format: 'zip',
    maxBytes: 64 * MiB,
    required: true,
  },
  {
    // Node.js core's own table: `vulnerable` / `patched` semver ranges per release line
    name: 'nodejs',
    url: 'https://raw.githubusercontent.com/nodejs/security-wg/main/vuln/core/index.json',
    format: 'json',
    maxBytes: 16 * MiB,
    required: true,
  },
  {
    // OSS-Fuzz's OSV records (GIT ranges, tag lists): a gap filler and cross-check for mapped products
    name: 'oss-fuzz',
    url: 'https://osv-vulnerabilities.storage.googleapis.com/OSS-Fuzz/all.zip',
    format: 'zip',
    maxBytes: 256 * MiB,
    required: true,
  },
  {
    // every name published on conda-forge, for the conda side of the typosquat check; like top-pypi, optional
    name: 'conda-forge-names',
    url: 'https://raw.githubusercontent.com/conda-forge/feedstock-outputs/single-file/feedstock-outputs.json',
    format: 'json',
    maxBytes: 64 * MiB,
    required: false,
  },
  ...TOOL_ECOSYSTEM_DEFAULT_FEEDS,
];

/**
 * Known, but fetched only when asked for (`--only` or `--feed`): the depgate name index is a
 * third-party copy of OpenSSF data that osv-pypi already carries as full MAL records.
 */
export const EXTRA_FEEDS: readonly FeedSource[] = [
  {
    name: 'malicious-names',
    url: 'https://raw.githubusercontent.com/depgate/malicious-packages/main/malicious/pypi.jsonl',
    format: 'jsonl',
    maxBytes: 64 * MiB,
    required: true,
  },
  ...TOOL_ECOSYSTEM_EXTRA_FEEDS,
];

/** Everything one `nvd` run may download (a first run pages through every mapped product). */
export const NVD_RUN_MAX_BYTES = 4096 * MiB;

/** Cap for a feed added with `--feed` that has no catalogue entry. */
const ADDED_FEED_MAX_BYTES = 256 * MiB;

/** `CVEBUILD_FEED_OSV_PYPI` for `osv-pypi`. */
export function feedEnvironmentVariable(name: FeedName): string {
  return `CVEBUILD_FEED_${name.toUpperCase().replace(/-/g, '_')}`;
}

export interface FeedSelection {
  /** `--only`: exactly these feeds. */
  only?: readonly string[];
  /** `--feed NAME=URL`, in the order given (a later one wins). */
  overrides?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The feeds to download, with their URLs resolved: `--feed` over `CVEBUILD_FEED_<NAME>` over the default.
 * Without `--only`, that is the defaults plus any feed named by `--feed`.
 */
export function selectFeeds(selection: FeedSelection = {}): FeedSource[] {
  const env = selection.env ?? process.env;
  const overrides = parseOverrides(selection.overrides ?? []);
  const catalogue = [...DEFAULT_FEEDS, ...EXTRA_FEEDS];
  const names: FeedName[] = selection.only
    ? parseOnly(selection.only)
    : [...DEFAULT_FEEDS.map((feed) => feed.name), ...[...overrides.keys()].filter((name) => !isDefault(name))];

  return names.map((name) => {
    const known = catalogue.find((feed) => feed.name === name);
    const url = overrides.get(name) ?? (env[feedEnvironmentVariable(name)] || known?.url);
    if (!url) {
      throw new CvebuildError('USAGE', `feed ${name} has no default URL: give one with --feed ${name}=URL`);
    }
    checkFeedUrl(url, name);
    return known
      ? { ...known, url }
      : { name, url, format: formatFromUrl(url), maxBytes: ADDED_FEED_MAX_BYTES, required: true };
  });
}

/** The protocols the downloader speaks; anything else is a usage error, caught before any download starts. */
export function checkFeedUrl(url: string, name: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CvebuildError('USAGE', `feed ${name}: not a URL: ${url}`);
  }
  if (!['http:', 'https:', 'file:'].includes(parsed.protocol)) {
    throw new CvebuildError('USAGE', `feed ${name}: only http:, https: and file: URLs are supported, not ${url}`);
  }
}

function parseOverrides(overrides: readonly string[]): Map<FeedName, string> {
  const result = new Map<FeedName, string>();
  for (const override of overrides) {
    const equals = override.indexOf('=');
    const name = override.slice(0, equals).trim();
    const url = override.slice(equals + 1).trim();
    if (equals < 0 || !url) throw new CvebuildError('USAGE', `--feed expects NAME=URL, got "${override}"`);
    result.set(knownName(name), url);
  }
  return result;
}

function parseOnly(only: readonly string[]): FeedName[] {
  const names = only.flatMap((item) => item.split(',')).map((name) => name.trim());
  const selected = [...new Set(names.filter(Boolean).map(knownName))];
  if (selected.length === 0) throw new CvebuildError('USAGE', '--only needs at least one feed name');
  return selected;
}

function knownName(name: string): FeedName {
  if (isFeedName(name)) return name;
  const known = [...DEFAULT_FEEDS, ...EXTRA_FEEDS].map((feed) => feed.name).join(', ');
  throw new CvebuildError('USAGE', `unknown feed "${name}" (feeds with a default URL: ${known})`);
}

function isDefault(name: FeedName): boolean {
  return DEFAULT_FEEDS.some((feed) => feed.name === name);
}

function formatFromUrl(url: string): FeedFormat {
  const path = new URL(url).pathname.toLowerCase();
  if (path.endsWith('.zip')) return 'zip';
  if (path.endsWith('.jsonl')) return 'jsonl';
  if (path.endsWith('.pm')) return 'vuln.pm';
  return 'json';
}
