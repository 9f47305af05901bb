/**
 * Package URLs (purl-spec) for inventory packages: the identifier SBOM consumers and vulnerability
 * databases match on.
 *
 * - conda: `pkg:conda/<name>@<version>?build=…&channel=…&subdir=…&type=conda|tar.bz2`. `channel` is
 *   the channel's name (`conda-forge`, `main`); a channel served from anywhere but Anaconda's hosts
 *   (the type's default repository) also gets the standard `repository_url` qualifier, the URL the
 *   channel name is relative to, so `repository_url/channel` is the channel again.
 * - pypi: `pkg:pypi/<name>@<version>`, with `repository_url` for an index other than pypi.org,
 *   `vcs_url` for a git checkout and `download_url` for a direct URL.
 *
 * Credentials never enter a purl: user info and anaconda.org `/t/<token>` segments are dropped, and
 * every part is masked before the purl percent-encodes it (which would hide a URL from the masking
 * of the report that carries the purl).
 */
import { PackageURL } from 'packageurl-js';
import { fileNameOf, isUrl } from '../conda/url.ts';
import type { Package } from '../model/package.ts';
import { maskCredentials, withoutCredentials } from '../text/credentials.ts';

/** Hosts of the conda type's default repository (`https://repo.anaconda.com`, and anaconda.org's CDN). */
const ANACONDA_HOSTS = new Set(['conda.anaconda.org', 'repo.anaconda.com', 'anaconda.org']);

/** The purl, or undefined when the name cannot make one (a PyPI name of only separators or spaces normalises to nothing). */
export function packageUrl(pkg: Package): string | undefined {
  try {
    return pkg.ecosystem === 'conda' ? condaPurl(pkg) : pypiPurl(pkg);
  } catch {
    return undefined;
  }
}

function condaPurl(pkg: Package): string {
  const qualifiers: Record<string, string> = {};
  if (pkg.build) qualifiers.build = pkg.build;
  if (pkg.channel) Object.assign(qualifiers, channelQualifiers(pkg.channel));
  if (pkg.subdir) qualifiers.subdir = pkg.subdir;
  const archive = fileNameOf(pkg.url ?? pkg.location);
  if (archive.endsWith('.conda')) qualifiers.type = 'conda';
  else if (archive.endsWith('.tar.bz2')) qualifiers.type = 'tar.bz2';
  return build('conda', pkg, qualifiers);
}

function pypiPurl(pkg: Package): string {
  const qualifiers: Record<string, string> = {};
  if (pkg.index && !isPypiOrg(pkg.index)) qualifiers.repository_url = withoutCredentials(pkg.index);
  if (pkg.kind === 'git') qualifiers.vcs_url = withoutCredentials(pkg.location);
  else if (pkg.kind === 'url' && pkg.url) qualifiers.download_url = withoutCredentials(pkg.url);
  return build('pypi', pkg, qualifiers);
}

function build(type: 'conda' | 'pypi', pkg: Package, qualifiers: Record<string, string>): string {
  const masked = Object.fromEntries(Object.entries(qualifiers).map(([key, value]) => [key, maskCredentials(value)]));
  const hasQualifiers = Object.keys(masked).length > 0;
  return new PackageURL(
    type,
    undefined,
    maskCredentials(pkg.name),
    maskCredentials(pkg.version) || undefined,
    hasQualifiers ? masked : undefined,
    undefined,
  ).toString();
}

/** `https://conda.anaconda.org/conda-forge` → `channel=conda-forge`; elsewhere the host part becomes `repository_url`. */
function channelQualifiers(channel: string): Record<string, string> {
  if (!isUrl(channel)) return { channel };
  const clean = withoutCredentials(channel);
  let url: URL;
  try {
    url = new URL(clean);
  } catch {
    return { channel: clean };
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (ANACONDA_HOSTS.has(url.hostname.toLowerCase())) {
    // repo.anaconda.com serves its channels under /pkgs/ (`pkgs/main` is the `main` channel).
    const path = segments[0] === 'pkgs' && url.hostname === 'repo.anaconda.com' ? segments.slice(1) : segments;
    if (path.length > 0) return { channel: path.join('/') };
  }
  const name = segments.pop();
  if (!name) return { channel: clean };
  const base = new URL(url.href);
  base.pathname = segments.join('/');
  base.search = '';
  base.hash = '';
  return { channel: name, repository_url: base.href.replace(/\/+$/, '') };
}

function isPypiOrg(index: string): boolean {
  try {
    return new URL(index).hostname.toLowerCase() === 'pypi.org';
  } catch {
    return false;
  }
}
