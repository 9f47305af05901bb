/**
 * The releases a PyPI index offers for one project: its PEP 691 JSON project page (through the
 * fix cache), each file's version read from its wheel or sdist name. A release is offered when at
 * least one of its files is not yanked (PEP 592).
 */
import { readFile } from 'node:fs/promises';
import {
  displayIndex,
  parseProjectPage,
  projectPageUrl,
  SIMPLE_JSON,
  splitCredentials,
} from '../cooldown/simple-api.ts';
import { isCvebuildError } from '../errors.ts';
import { artifactIdentity } from '../readers/artifact-identity.ts';
import { type FetchContext, fetchCached } from './cached-fetch.ts';
import type { SourceRead } from './types.ts';

/** pypi.org's largest project pages are tens of MB. */
const MAX_PAGE_BYTES = 256 * 1024 * 1024;

export type ProjectReleases =
  | { status: 'read'; versions: string[]; read: SourceRead }
  | { status: 'absent' }
  | { status: 'unavailable'; reason: string };

export async function projectReleases(index: string, project: string, context: FetchContext): Promise<ProjectReleases> {
  const { authorization } = splitCredentials(index);
  const url = projectPageUrl(index, project);
  const shown = projectPageUrl(displayIndex(index), project);
  const fetched = await fetchCached(
    {
      url,
      cacheKey: shown,
      headers: { accept: SIMPLE_JSON, ...(authorization ? { authorization } : {}) },
      maxBytes: MAX_PAGE_BYTES,
    },
    context,
  );
  if (fetched.status === 'not-found') return { status: 'absent' };
  if (fetched.status === 'unavailable')
    return { status: 'unavailable', reason: `${shown} could not be read (${fetched.reason})` };
  let files: ReturnType<typeof parseProjectPage>;
  try {
    files = parseProjectPage(await readFile(fetched.path, 'utf8'), shown);
  } catch (error) {
    if (!isCvebuildError(error)) throw error;
    return { status: 'unavailable', reason: error.message };
  }
  const offered = new Set<string>();
  for (const file of files) {
    if (file.yanked) continue;
    const identity = artifactIdentity({ ecosystem: 'pypi', name: project, location: file.filename, kind: 'registry' });
    if (identity?.version) offered.add(identity.version);
  }
  const read: SourceRead = {
    source: shown,
    from: fetched.from,
    ...(fetched.from === 'cache' ? { fetchedAt: fetched.fetchedAt } : {}),
    ...(fetched.note ? { note: fetched.note } : {}),
  };
  return { status: 'read', versions: [...offered], read };
}
