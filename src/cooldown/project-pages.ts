/**
 * Whole project pages of a PyPI index (PEP 691 JSON with PEP 700 upload times), for what the
 * project's history says: when its first file was uploaded and how many releases it has. Shares
 * the cooldown's disk cache (`upload-cache.ts`): a page younger than the miss TTL answers from
 * there, an older one is fetched again (a project gains releases, or is removed).
 */

import { isCvebuildError } from '../errors.ts';
import { artifactIdentity } from '../readers/artifact-identity.ts';
import { displayIndex, fetchProjectFiles, type IndexFile } from './simple-api.ts';
import { cacheDirectory, cacheFile, readCachedProject, writeCachedProject } from './upload-cache.ts';
import { forEachLimited, type LookupOptions } from './upload-times.ts';

export interface ProjectQuery {
  /** The index URL as locked, credentials included (they are sent, never shown). */
  index: string;
  /** PEP 503-normalized project name. */
  project: string;
}

export type ProjectAnswer =
  | { status: 'found'; files: IndexFile[]; from: 'cache' | 'index' }
  /** The index answered 404: no such project (any more). */
  | { status: 'absent' }
  | { status: 'unavailable'; reason: string; offline: boolean };

/** Answers in the order of the queries; one request per index + project, at most `concurrency` at once. */
export async function lookupProjectPages(queries: ProjectQuery[], options: LookupOptions): Promise<ProjectAnswer[]> {
  const answers: ProjectAnswer[] = new Array(queries.length);
  await forEachLimited(
    queries.map((query, position) => ({ query, position })),
    options.concurrency,
    async ({ query, position }) => {
      answers[position] = await lookupPage(query, options);
    },
  );
  return answers;
}

async function lookupPage(query: ProjectQuery, options: LookupOptions): Promise<ProjectAnswer> {
  if (options.offline) return { status: 'unavailable', reason: 'offline: the index was not asked', offline: true };
  const shownIndex = displayIndex(query.index);
  const path = cacheFile(options.cacheDir, shownIndex, query.project);
  const cached = await readCachedProject(path);
  if (cached && options.now - cached.fetchedAt < options.missTtlMs)
    return { status: 'found', files: cached.files, from: 'cache' };
  let files: IndexFile[];
  try {
    files = await fetchProjectFiles(query.index, query.project, {
      ...options,
      scratchDir: cacheDirectory(options.cacheDir),
    });
  } catch (error) {
    if (!isCvebuildError(error)) throw error;
    if (error.code === 'NOT_FOUND') return { status: 'absent' };
    return { status: 'unavailable', reason: error.message, offline: false };
  }
  // A cache that cannot be written only costs a request next time.
  await writeCachedProject(path, { index: shownIndex, project: query.project, fetchedAt: options.now, files }).catch(
    () => undefined,
  );
  return { status: 'found', files, from: 'index' };
}

/**
 * The oldest upload time among the files (undefined when none has one) and the distinct versions
 * they hold. A file whose name states no version (a Windows installer) counts toward none.
 */
export function summarizeFiles(
  project: string,
  files: readonly IndexFile[],
): { firstUpload?: number; releases: number } {
  let firstUpload: number | undefined;
  const versions = new Set<string>();
  for (const file of files) {
    if (file.uploadTime !== undefined && (firstUpload === undefined || file.uploadTime < firstUpload))
      firstUpload = file.uploadTime;
    const version = versionOf(project, file.filename);
    if (version) versions.add(version);
  }
  return { firstUpload, releases: versions.size };
}

function versionOf(project: string, filename: string): string | undefined {
  // `{name}-{version}-py{X.Y}(-{platform}).egg`: the oldest projects' binaries
  if (filename.endsWith('.egg')) return filename.split('-')[1];
  return artifactIdentity({ ecosystem: 'pypi', name: project, location: filename, kind: 'registry' })?.version;
}
