/**
 * Which package sources are public. A conda channel is public when it is one of the well-known
 * community channels on a known host (conda.anaconda.org, prefix.dev, repo.prefix.dev) or
 * Anaconda's own repository; a PyPI index is public when it is pypi.org or a well-known mirror of
 * it. Everything else — a company host, an unknown anaconda.org user channel, a local path — is
 * treated as private, and so are URL prefixes the user configures as private.
 */

const PUBLIC_CONDA_CHANNELS = new Set([
  'conda-forge',
  'bioconda',
  'pytorch',
  'pytorch-nightly',
  'nvidia',
  'rapidsai',
  'robostack',
  'robostack-staging',
  'robostack-humble',
  'robostack-jazzy',
  'robostack-noetic',
  'emscripten-forge',
  'fastai',
  'huggingface',
  'numba',
  'pyviz',
  'intel',
  'main',
  'r',
  'msys2',
  'free',
  'defaults',
]);

const PUBLIC_CONDA_HOSTS = new Set(['conda.anaconda.org', 'prefix.dev', 'repo.prefix.dev', 'repo.mamba.pm']);

/** PyPI itself and public mirrors of it. */
const PUBLIC_PYPI_HOSTS = new Set([
  'pypi.org',
  'files.pythonhosted.org',
  'pypi.python.org',
  'pypi.tuna.tsinghua.edu.cn',
  'mirrors.aliyun.com',
  'pypi.doubanio.com',
  'mirrors.cloud.tencent.com',
  'repo.huaweicloud.com',
]);

export type SourceVisibility = 'public' | 'private';

type HostAndPath = { host: string; path: string[] } | undefined;
/** A lock names the same few channels and indexes on thousands of packages: each is parsed once. */
const parsedSources = new Map<string, HostAndPath>();

function hostAndPath(url: string): HostAndPath {
  if (parsedSources.has(url)) return parsedSources.get(url);
  let parts: HostAndPath;
  try {
    const parsed = new URL(url);
    parts = { host: parsed.hostname.toLowerCase(), path: parsed.pathname.split('/').filter(Boolean) };
  } catch {
    parts = undefined;
  }
  if (parsedSources.size >= 1_000) parsedSources.clear();
  parsedSources.set(url, parts);
  return parts;
}

function configuredPrivate(url: string, privateSources: readonly string[]): boolean {
  return privateSources.some((prefix) => url.toLowerCase().startsWith(prefix.toLowerCase().replace(/\/+$/, '')));
}

/** `conda-forge`, `https://prefix.dev/conda-forge`, `https://repo.anaconda.com/pkgs/main` → public. */
export function condaChannelVisibility(channel: string, privateSources: readonly string[] = []): SourceVisibility {
  if (configuredPrivate(channel, privateSources)) return 'private';
  if (!channel.includes('://')) return PUBLIC_CONDA_CHANNELS.has(channel.toLowerCase()) ? 'public' : 'private';
  const parts = hostAndPath(channel);
  if (!parts) return 'private';
  if (parts.host === 'repo.anaconda.com' && parts.path[0] === 'pkgs') return 'public';
  const name = parts.path.at(-1)?.toLowerCase();
  // anaconda.org token URLs (`/t/<token>/<channel>`) are private by construction
  if (parts.path[0] === 't') return 'private';
  return PUBLIC_CONDA_HOSTS.has(parts.host) && name !== undefined && PUBLIC_CONDA_CHANNELS.has(name)
    ? 'public'
    : 'private';
}

export function pypiIndexVisibility(index: string, privateSources: readonly string[] = []): SourceVisibility {
  if (configuredPrivate(index, privateSources)) return 'private';
  const parts = hostAndPath(index);
  return parts && PUBLIC_PYPI_HOSTS.has(parts.host) ? 'public' : 'private';
}
