/**
 * Backports: a CVE finding whose package's own recipe applies a patch naming that CVE (or one of
 * its aliases) is marked fixed in this build (`FindingFlags.fixedInBuild`). It stays in every
 * report; the policy decides from the flag that it does not block. The recipe is read only for
 * packages that have a CVE finding, from the first of: the archive the package was read from, its
 * archive under the package directories, its extracted copy in the package cache of the prefix it
 * is installed in.
 */

import { basename } from 'node:path';
import { indexPackageDirs, type PackageDirIndex } from '../artifacts/package-dirs.ts';
import type { BackportEvidence } from '../artifacts/recipe-evidence.ts';
import { CvebuildError } from '../errors.ts';
import type { Finding, PatchEvidence } from '../model/finding.ts';
import { withFlags } from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import type { Download } from '../net/download.ts';
import { archiveFor, ownArchiveOf, packageCacheCandidates, prefixOf } from './package-contents.ts';

/** The settings backports read (the link-scripts check owns and fills them). */
export interface PackageDirsSettings {
  /** Directories with package archives (.conda / .tar.bz2) to inspect. */
  packageDirs: string[];
}

/** Where else the recipe may come from: the channel, when the run may use the network. */
export interface RemoteRecipeOptions {
  offline: boolean;
  cacheDir: string;
  /** Default: the project's `download`, loaded when first needed. */
  http?: Download;
  signal?: AbortSignal;
}

export interface AdvisoryFindingOf {
  pkg: Package;
  finding: Finding;
}

const CVE_ID = /^CVE-\d{4}-\d+$/i;

/** The findings, with those a recipe patch fixes flagged; the others unchanged (same order). */
export async function markBackports(
  found: readonly AdvisoryFindingOf[],
  settings: PackageDirsSettings,
  remote?: RemoteRecipeOptions,
): Promise<Finding[]> {
  const pending = found.filter(({ pkg, finding }) => pkg.ecosystem === 'conda' && cveIdsOf(finding).length > 0);
  if (pending.length === 0) return found.map(({ finding }) => finding);
  const reader = new RecipeReader(settings, remote);
  const evidence = await inParallel([...new Set(pending.map(({ pkg }) => pkg))], (pkg) => reader.evidenceFor(pkg));
  const marked = new Map<Finding, Finding>();
  for (const { pkg, finding } of pending) {
    const recipe = evidence.get(pkg);
    if (!recipe) continue;
    if ('unread' in recipe) {
      // said in the finding, which keeps blocking: the recipe was not looked at, not found clean
      marked.set(finding, { ...finding, evidence: { ...finding.evidence, recipeNotRead: recipe.unread } });
      continue;
    }
    const patches: PatchEvidence[] = cveIdsOf(finding).flatMap((id) => recipe.claims.get(id) ?? []);
    if (patches.length > 0) marked.set(finding, fixedInBuild(finding, recipe, patches));
  }
  return found.map(({ finding }) => marked.get(finding) ?? finding);
}

/** Channel fetches are a few small requests each: a handful at a time, not one after another. */
const PARALLEL_READS = 4;

async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<Map<T, R>> {
  const results = new Map<T, R>();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      results.set(item, await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, items.length) }, worker));
  return results;
}

function cveIdsOf(finding: Finding): string[] {
  const ids = [finding.rule, ...(finding.flags?.aliases ?? [])].filter((id) => CVE_ID.test(id));
  return [...new Set(ids.map((id) => id.toUpperCase()))];
}

function fixedInBuild(finding: Finding, recipe: BackportEvidence, patches: PatchEvidence[]): Finding {
  const names = [...new Set(patches.map(({ patch }) => patch))];
  return withFlags(
    {
      ...finding,
      message: `${finding.message} [fixed in this build: its recipe applies ${names.join(', ')}]`,
      remedy: `none needed for this build, which applies ${names.join(', ')}; a rebuild without ${names.length === 1 ? 'it' : 'them'} would be affected`,
    },
    { ...finding.flags, fixedInBuild: { source: recipe.source, patches } },
  );
}

type Evidence = BackportEvidence | { unread: string } | undefined;

/** One read per archive or package directory, however many findings and platforms share it. */
class RecipeReader {
  private readonly settings: PackageDirsSettings;
  private index: PackageDirIndex | undefined;
  private readonly hashes = new Map<string, string>();
  private readonly bySource = new Map<string, Promise<Evidence>>();
  private module: Promise<typeof import('../artifacts/recipe-evidence.ts')> | undefined;

  private readonly remote: RemoteRecipeOptions | undefined;

  constructor(settings: PackageDirsSettings, remote: RemoteRecipeOptions | undefined) {
    this.settings = settings;
    this.remote = remote;
  }

  async evidenceFor(pkg: Package): Promise<Evidence> {
    const archive = ownArchiveOf(pkg) ?? archiveFor(pkg, this.packageDirs(), this.hashes);
    if (archive)
      return this.once(`archive:${archive}`, async () => (await this.reader()).archiveRecipeEvidence(archive));
    const prefix = prefixOf(pkg);
    if (!prefix) return this.fromChannel(pkg);
    const { dirs, tarball } = packageCacheCandidates(pkg, prefix);
    const identity = { name: pkg.name, version: pkg.version, build: pkg.build };
    for (const dir of dirs) {
      const evidence = await this.once(`dir:${dir}`, async () =>
        (await this.reader()).packageDirRecipeEvidence(dir, identity),
      );
      if (evidence) return evidence;
    }
    // the cached archive the record names, when its extracted copy is gone; its name must be this build's
    if (tarball && basename(tarball).startsWith(`${pkg.name}-${pkg.version}-${pkg.build ?? ''}.`)) {
      return this.once(`archive:${tarball}`, async () => (await this.reader()).archiveRecipeEvidence(tarball));
    }
    return this.fromChannel(pkg);
  }

  /** Online, a `.conda`'s info member by range requests; a `.tar.bz2` would have to be fetched whole, so it is not. */
  private async fromChannel(pkg: Package): Promise<Evidence> {
    const url = pkg.url;
    const remote = this.remote;
    if (!remote || remote.offline || !url || !/^https?:\/\//.test(url)) return undefined;
    if (url.endsWith('.tar.bz2')) {
      return {
        unread:
          'the recipe of a .tar.bz2 cannot be read without downloading the whole archive; give its directory with --packages to look for backported patches',
      };
    }
    if (!url.endsWith('.conda') || !pkg.sha256) return undefined;
    const sha256 = pkg.sha256;
    return this.once(`url:${sha256}`, async () => {
      const [{ fetchCondaInfoMember }, { infoMemberRecipeEvidence }, { download }] = await Promise.all([
        import('../artifacts/remote-info.ts'),
        this.reader(),
        import('../net/download.ts'),
      ]);
      const member = await fetchCondaInfoMember({ url, sha256, ...remote, http: remote.http ?? download });
      return infoMemberRecipeEvidence(member, url);
    });
  }

  private packageDirs(): PackageDirIndex {
    this.index ??=
      this.settings.packageDirs.length > 0
        ? indexPackageDirs(this.settings.packageDirs)
        : { archives: new Map(), channeldata: [] };
    return this.index;
  }

  /** The archive readers (zip, zstd, bzip2, tar) load only when there is a recipe to read. */
  private reader(): Promise<typeof import('../artifacts/recipe-evidence.ts')> {
    this.module ??= import('../artifacts/recipe-evidence.ts');
    return this.module;
  }

  /** An archive that is damaged or crosses a limit is no evidence: the finding keeps blocking, and says why. */
  private once(key: string, read: () => Promise<BackportEvidence | undefined>): Promise<Evidence> {
    let evidence = this.bySource.get(key);
    if (!evidence) {
      evidence = read().catch((error: unknown) => {
        if (error instanceof CvebuildError && /^(ARCHIVE_|INPUT_|NETWORK|NOT_FOUND)/.test(error.code)) {
          return { unread: error.toLine() };
        }
        throw error;
      });
      this.bySource.set(key, evidence);
    }
    return evidence;
  }
}
