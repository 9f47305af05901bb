/**
 * The package archives the artifact checks (`artifact-files`, `vendored-libs`) read, and one read
 * of each per run: both checks get the same inventory object from the engine, so the pass over an
 * archive's payload is shared through it rather than made twice.
 */
import type { ArtifactFiles } from '../artifacts/artifact-files.ts';
import { indexPackageDirs, type PackageDirIndex } from '../artifacts/package-dirs.ts';
import { CvebuildError } from '../errors.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { archiveFor, ownArchiveOf, packageCacheCandidates, prefixOf } from './package-contents.ts';

export type ArtifactRead = ArtifactFiles | CvebuildError;

export interface PackageArchive {
  pkg: Package;
  archive: string;
}

/**
 * Each conda package's archive: the one it was read from, its archive under the package
 * directories, or the cached tarball its conda-meta record names.
 */
export function packageArchives(inventory: Inventory, packageDirs: readonly string[]): PackageArchive[] {
  const index: PackageDirIndex =
    packageDirs.length > 0 ? indexPackageDirs([...packageDirs]) : { archives: new Map(), channeldata: [] };
  const hashes = new Map<string, string>();
  const found: PackageArchive[] = [];
  for (const pkg of inventory.packages) {
    if (pkg.ecosystem !== 'conda') continue;
    const prefix = prefixOf(pkg);
    const archive =
      ownArchiveOf(pkg) ??
      archiveFor(pkg, index, hashes) ??
      (prefix ? packageCacheCandidates(pkg, prefix).tarball : undefined);
    if (archive) found.push({ pkg, archive });
  }
  return found;
}

const reads = new WeakMap<Inventory, Map<string, Promise<ArtifactRead>>>();

/** The archive's files, read once per inventory; a damaged archive or a crossed limit is returned, not thrown. */
export function artifactFiles(inventory: Inventory, archive: string): Promise<ArtifactRead> {
  let byArchive = reads.get(inventory);
  if (!byArchive) {
    byArchive = new Map();
    reads.set(inventory, byArchive);
  }
  let read = byArchive.get(archive);
  if (!read) {
    // the archive readers (zip, zstd, bzip2, tar) load only when a run has packages to open
    read = import('../artifacts/artifact-files.ts')
      .then(({ scanArtifactFiles }) => scanArtifactFiles(archive))
      .catch((error: unknown) => {
        if (error instanceof CvebuildError && error.code.startsWith('ARCHIVE_')) return error;
        throw error;
      });
    byArchive.set(archive, read);
  }
  return read;
}
