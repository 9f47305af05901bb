/**
 * Reading a package's `info/recipe/` for backport evidence (`recipe-patches.ts` judges it): from a
 * package archive (a `.conda`'s info member only) or from an extracted package directory (the
 * package cache an installed prefix's conda-meta record names). Only recipe and patch files are
 * kept, each up to the archive limits' `maxReadBytes`, at most `maxSelected` of them.
 */
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularHead } from '../fs/regular-file.ts';
import { readPackageArchive } from './archive.ts';
import { readCondaInfoMember } from './conda-archive.ts';
import type { ArchiveReadOptions, ArchiveScan } from './entries.ts';
import { type ArchiveLimits, archiveBomb, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';
import {
  type BackportEvidence,
  backportEvidence,
  isRecipeEvidenceFile,
  RECIPE_DIR,
  type RecipeFile,
} from './recipe-patches.ts';

export type { BackportEvidence };

/** The identity an extracted package directory must state in its info/index.json to be this package's. */
export interface PackageIdentity {
  name: string;
  version: string;
  build?: string;
}

const readOptions = (limits: Partial<ArchiveLimits>): ArchiveReadOptions => ({
  infoOnly: true,
  limits,
  select: (entry) =>
    entry.member !== 'pkg' &&
    entry.type === 'file' &&
    entry.path.startsWith(RECIPE_DIR) &&
    isRecipeEvidenceFile(entry.path.slice(RECIPE_DIR.length)),
});

/** Throws the archive readers' ARCHIVE_* errors for an unreadable or hostile archive. */
export async function archiveRecipeEvidence(
  archive: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<BackportEvidence> {
  return evidenceOf(archive, await readPackageArchive(archive, readOptions(limits)));
}

/** A `.conda`'s info member fetched on its own (`remote-info.ts`); `source` is where it was fetched from. */
export async function infoMemberRecipeEvidence(
  member: string,
  source: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<BackportEvidence> {
  return evidenceOf(source, await readCondaInfoMember(member, source, readOptions(limits)));
}

function evidenceOf(source: string, scan: ArchiveScan): BackportEvidence {
  const files = new Map<string, RecipeFile>();
  for (const [path, content] of scan.contents) {
    files.set(path.slice(RECIPE_DIR.length), { text: content.head.toString('utf8'), truncated: content.truncated });
  }
  return backportEvidence(source, files);
}

/**
 * An extracted package (`pkgs/<name>-<version>-<build>/`). Undefined when it is not there or its
 * info/index.json names another package: a cache entry for another build is no evidence.
 * Symlinks are not followed; the walk is bounded by the archive limits' entry and selection counts.
 */
export function packageDirRecipeEvidence(
  dir: string,
  identity: PackageIdentity,
  overrides: Partial<ArchiveLimits> = {},
): BackportEvidence | undefined {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...overrides };
  if (!sameIdentity(join(dir, 'info', 'index.json'), identity, limits)) return undefined;
  const files = new Map<string, RecipeFile>();
  let entries = 0;
  const walk = (relative: string, depth: number): void => {
    let listing: Dirent[];
    try {
      listing = readdirSync(join(dir, RECIPE_DIR, relative), { withFileTypes: true });
    } catch {
      return; // no recipe directory (include_recipe: false), or unreadable: nothing to count
    }
    for (const entry of listing.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (++entries > limits.maxEntries) {
        throw archiveBomb(dir, `more than ${limits.maxEntries} entries in ${RECIPE_DIR} (limit maxEntries)`);
      }
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory() && depth < 16) walk(path, depth + 1);
      if (!entry.isFile() || !isRecipeEvidenceFile(path)) continue;
      if (files.size >= limits.maxSelected) {
        throw archiveBomb(dir, `more than ${limits.maxSelected} recipe files (limit maxSelected)`);
      }
      files.set(path, headOf(join(dir, RECIPE_DIR, path), limits.maxReadBytes));
    }
  };
  walk('', 0);
  return backportEvidence(dir, files);
}

function headOf(path: string, bytes: number): RecipeFile {
  const head = readRegularHead(path, bytes + 1, { input: false });
  return { text: head.subarray(0, bytes).toString('utf8'), truncated: head.length > bytes };
}

function sameIdentity(indexPath: string, identity: PackageIdentity, limits: ArchiveLimits): boolean {
  let index: unknown;
  try {
    const head = readRegularHead(indexPath, limits.maxMetaBytes + 1, { input: false });
    if (head.length > limits.maxMetaBytes) return false;
    index = JSON.parse(head.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof index !== 'object' || index === null) return false;
  const { name, version, build } = index as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    name.toLowerCase() === identity.name.toLowerCase() &&
    version === identity.version &&
    (identity.build === undefined || build === identity.build)
  );
}
