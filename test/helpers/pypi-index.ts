/**
 * A loopback PyPI index serving PEP 691 JSON project pages with PEP 700 upload times, built on the
 * feed server (so faults and the request log come with it). Pages look like pypi.org's.
 */
import { createHash } from 'node:crypto';
import { type Fault, type FeedServer, type SeenRequest, startFeedServer } from './feed-server.ts';

export interface IndexedFile {
  filename: string;
  /** Defaults to the sha256 of the file name, so tests can compute it with `fakeSha256`. */
  sha256?: string;
  /** RFC 3339; `null` leaves the field out (an index without PEP 700). */
  uploadTime: string | null;
  /** PEP 592: `true` or the reason the index gives. */
  yanked?: boolean | string;
}

export interface PypiIndex {
  /** The index URL to lock packages against (`http://127.0.0.1:<port>/simple`). */
  readonly url: string;
  readonly server: FeedServer;
  /** Requests for project pages, in order. */
  pageRequests(project?: string): SeenRequest[];
  publish(project: string, files: IndexedFile[]): void;
  fail(project: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

export function fakeSha256(filename: string): string {
  return createHash('sha256').update(filename).digest('hex');
}

export async function startPypiIndex(projects: Record<string, IndexedFile[]> = {}): Promise<PypiIndex> {
  const server = await startFeedServer();
  const url = server.url('/simple');
  const pagePath = (project: string): string => `/simple/${project}/`;
  const index: PypiIndex = {
    url,
    server,
    pageRequests: (project) =>
      server.requests.filter((request) =>
        project === undefined ? request.path.startsWith('/simple/') : request.path === pagePath(project),
      ),
    publish: (project, files) => server.serve(pagePath(project), { body: projectPage(server.origin, project, files) }),
    fail: (project, ...faults) => server.fail(pagePath(project), ...faults),
    close: () => server.close(),
  };
  for (const [project, files] of Object.entries(projects)) index.publish(project, files);
  return index;
}

/** The JSON pypi.org answers for `Accept: application/vnd.pypi.simple.v1+json` (api-version 1.1). */
export function projectPage(origin: string, project: string, files: IndexedFile[]): string {
  const versions = new Set<string>();
  const entries = files.map((file) => {
    const version = file.filename.split('-')[1];
    if (version) versions.add(version.replace(/\.tar\.gz$/, ''));
    const sha256 = file.sha256 ?? fakeSha256(file.filename);
    return {
      'core-metadata': file.filename.endsWith('.whl') ? { sha256: fakeSha256(`${file.filename}.metadata`) } : false,
      'data-dist-info-metadata': file.filename.endsWith('.whl')
        ? { sha256: fakeSha256(`${file.filename}.metadata`) }
        : false,
      filename: file.filename,
      hashes: { sha256 },
      'requires-python': '>=3.9',
      size: 123_456,
      ...(file.uploadTime === null ? {} : { 'upload-time': file.uploadTime }),
      url: `${origin}/packages/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256.slice(4)}/${file.filename}`,
      yanked: file.yanked ?? false,
    };
  });
  return JSON.stringify({
    meta: { '_last-serial': 28_000_000, 'api-version': '1.1' },
    name: project,
    versions: [...versions],
    files: entries,
  });
}
