/**
 * Where a package's own contents are at hand for a check to read: its archive under the package
 * directories the user pointed at (`--packages`, `package-dirs`), the archive a package was read
 * from, or, for a package installed in a prefix, the prefix and the package cache its conda-meta
 * record names.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type PackageDirIndex, sha256OfFile } from '../artifacts/package-dirs.ts';
import { fileNameOf, parseCondaArchiveName } from '../conda/url.ts';
import { readTextInput } from '../fs/read-input.ts';
import type { Package } from '../model/package.ts';

/** A conda-meta record's prefix: the parent of its `conda-meta` directory. */
export function prefixOf(pkg: Package): string | undefined {
  const file = pkg.origin.file;
  return /[\\/]conda-meta[\\/][^\\/]+\.json$/.test(file) ? dirname(dirname(file)) : undefined;
}

/**
 * The archive of this exact artifact: its file name from the URL (the other format of the same
 * build as a fallback), preferring the subdir it was built for. With a sha256 in the lock, only a
 * file with that digest counts: a same-named file with other content is not what gets installed.
 */
export function archiveFor(pkg: Package, index: PackageDirIndex, hashes: Map<string, string>): string | undefined {
  if (index.archives.size === 0) return undefined;
  const named = parseCondaArchiveName(fileNameOf(pkg.url ?? pkg.location));
  const stem = named
    ? `${named.name}-${named.version}-${named.build}`
    : `${pkg.name}-${pkg.version}-${pkg.build ?? ''}`;
  const extensions = named?.extension === '.tar.bz2' ? ['.tar.bz2', '.conda'] : ['.conda', '.tar.bz2'];
  for (const extension of extensions) {
    const paths = index.archives.get(`${stem}${extension}`) ?? [];
    const candidates = [...paths].sort(
      (a, b) => Number(basename(dirname(b)) === pkg.subdir) - Number(basename(dirname(a)) === pkg.subdir),
    );
    const found = candidates.find(
      (path) => extension !== named?.extension || !pkg.sha256 || digest(path) === pkg.sha256,
    );
    if (found) return found;
  }
  return undefined;

  function digest(path: string): string {
    let value = hashes.get(path);
    if (!value) {
      value = sha256OfFile(path);
      hashes.set(path, value);
    }
    return value;
  }
}

/** A package read from a local archive file (`readArtifactPackage`, `cvebuild gate x.conda`): that archive. */
export function ownArchiveOf(pkg: Package): string | undefined {
  if (pkg.ecosystem !== 'conda' || pkg.kind !== 'path') return undefined;
  const file = pkg.origin.file;
  return (file.endsWith('.conda') || file.endsWith('.tar.bz2')) && existsSync(file) ? file : undefined;
}

/** The files a conda-meta record lists, the package cache directory conda may have softlinked from, and the archive it was extracted from. */
export function prefixRecordFiles(file: string): { files: string[]; packageCache?: string; packageTarball?: string } {
  let record: unknown;
  try {
    record = JSON.parse(readTextInput(file));
  } catch {
    return { files: [] }; // the reader already refused a broken record; nothing to add here
  }
  if (typeof record !== 'object' || record === null) return { files: [] };
  const { files, extracted_package_dir: cache, package_tarball_full_path: tarball } = record as Record<string, unknown>;
  return {
    files: Array.isArray(files) ? files.filter((path): path is string => typeof path === 'string') : [],
    ...(typeof cache === 'string' && cache !== '' ? { packageCache: cache } : {}),
    ...(typeof tarball === 'string' && /\.(conda|tar\.bz2)$/.test(tarball) ? { packageTarball: tarball } : {}),
  };
}

/**
 * Where an installed package's extracted copy may be: the directory its conda-meta record names
 * (`extracted_package_dir`), else `pkgs/<name>-<version>-<build>` of the installation that owns
 * the prefix (the prefix itself for a base environment, two levels up for `envs/<name>`).
 */
export function packageCacheCandidates(pkg: Package, prefix: string): { dirs: string[]; tarball?: string } {
  const record = prefixRecordFiles(pkg.origin.file);
  const dist = `${pkg.name}-${pkg.version}-${pkg.build ?? ''}`;
  const roots = [prefix];
  if (basename(dirname(prefix)) === 'envs') roots.push(dirname(dirname(prefix)));
  const candidates = [
    ...(record.packageCache ? [record.packageCache] : []),
    ...roots.map((root) => join(root, 'pkgs', dist)),
  ];
  const tarball = record.packageTarball && existsSync(record.packageTarball) ? record.packageTarball : undefined;
  return { dirs: [...new Set(candidates)], ...(tarball ? { tarball } : {}) };
}
