/**
 * One PyPI index behind the proxy: the simple API (PEP 503 HTML and PEP 691 JSON, negotiated by
 * `Accept`) filtered by the judge, and the files, enforced again at download (GET, HEAD and Range)
 * with their sha256 checked while they stream. Paths are relative to the index's mount:
 *
 * - `simple/<project>/`: the filtered page; an unnormalized or slashless name redirects (301).
 * - `simple/`: 404. Installers never ask for the project list (pip and uv go to project pages);
 *   on PyPI it is tens of MB of names, and a list of names cannot be judged file by file.
 * - `files/<project>/<path>`: a file listed on the project's upstream page, under a configured
 *   file base; `<file>.metadata` is its PEP 658 metadata when the page gives that a sha256.
 *
 * A Range request is answered with the whole, verified file (200, `Accept-Ranges: none`): a part
 * of a file cannot be checked against the file's sha256, and serving unchecked bytes would let a
 * tampered upstream feed a client the METADATA it reads by range. uv and pip fall back to a full
 * download when a server does not do ranges, and the proxy offers PEP 658 metadata files instead.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSimpleJson, type SimpleProject } from '../../cooldown/simple-api.ts';
import { CvebuildError, isCvebuildError } from '../../errors.ts';
import { normalizePypiName, type Package } from '../../model/package.ts';
import { maskCredentials } from '../../text/credentials.ts';
import { sendNotFound, sendRefusal, sendView } from '../respond.ts';
import type { BlockReason, Judge } from '../types.ts';
import type { UpstreamClient, UpstreamDocument } from '../upstream.ts';
import type { ViewStore } from '../views.ts';
import { MEDIA_TYPES, negotiate, UPSTREAM_ACCEPT } from './accept.ts';
import { fileBase, type ServablePage, type ServedFile, servablePage } from './files.ts';
import { parseSimpleHtml } from './html-page.ts';
import { filterPage, metadataHashes, renderHtml, renderJson } from './render.ts';
import { streamVerified } from './stream.ts';

export interface PypiIndexConfig {
  /** The upstream's name (quarantine entries, views, logs). */
  name: string;
  /** The upstream simple index, e.g. `https://pypi.org/simple/`. */
  url: string;
  /** Where files may come from (each a URL prefix); default: the index's origin. */
  files?: string[];
}

export interface PypiIndexDeps {
  judge: Judge;
  views: ViewStore;
  upstream: UpstreamClient;
  log: (line: Record<string, unknown>) => void;
  /** How long an upstream page is used before it is revalidated; also the pages' `max-age`. */
  metadataMaxAgeS: number;
  /** The URL path the index is mounted at, e.g. `/pypi/pypi/`. */
  mount: string;
  clock?: () => number;
  /** Longest pause in a file's body from upstream before the download is aborted (default 60 s). */
  downloadIdleTimeoutMs?: number;
}

export interface PypiIndex {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  readonly counters: { pages: number; downloads: number; refused: number; aborted: number };
}

/** The decisions for one upstream page under one judge version. */
interface Decided {
  page: ServablePage;
  blocked: Map<string, BlockReason[]>;
}

const PROJECT_NAME = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]{0,198}[A-Za-z0-9])$/;
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
const MAX_FILE_BYTES = 16 * 1024 * 1024 * 1024;
const REMEMBERED_PAGES = 256;
const FILE_CACHE_CONTROL = 'private, max-age=0, must-revalidate';

export function createPypiIndex(config: PypiIndexConfig, deps: PypiIndexDeps): PypiIndex {
  const indexUrl = checkedIndexUrl(config);
  const bases = (config.files ?? [`${new URL(indexUrl).origin}/`]).map((raw) => {
    try {
      return fileBase(raw);
    } catch {
      throw new CvebuildError('USAGE', `PyPI upstream ${config.name}: file base ${maskCredentials(raw)} is not a URL`);
    }
  });
  const mount = `/${deps.mount.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const maxAgeMs = deps.metadataMaxAgeS * 1000;
  const idleTimeoutMs = deps.downloadIdleTimeoutMs ?? 60_000;
  const pageCacheControl = `public, max-age=${Math.max(0, Math.floor(deps.metadataMaxAgeS))}`;
  const parsed = new Lru<ServablePage>(REMEMBERED_PAGES);
  const decided = new Lru<Promise<Decided>>(REMEMBERED_PAGES);
  const counters = { pages: 0, downloads: 0, refused: 0, aborted: 0 };
  const scope = { upstream: config.name, ecosystem: 'pypi' as const };

  async function fetchPage(project: string): Promise<UpstreamDocument | undefined> {
    // no client signal: the fetch is shared by every client asking for the page at once
    const answer = await deps.upstream.document(`${indexUrl}${project}/`, { accept: UPSTREAM_ACCEPT, maxAgeMs });
    return 'missing' in answer ? undefined : answer;
  }

  async function servable(project: string, doc: UpstreamDocument): Promise<ServablePage> {
    const key = `${doc.url}\0${doc.sha256}`;
    const known = parsed.get(key);
    if (known) return known;
    const upstreamPage = parseUpstream(await readFile(doc.file), doc);
    const page = servablePage(project, upstreamPage, doc.url, bases, mount);
    if (page.dropped.length > 0) {
      deps.log({
        event: 'pypi-files-dropped',
        upstream: config.name,
        project,
        count: page.dropped.length,
        examples: page.dropped.slice(0, 5),
      });
    }
    parsed.set(key, page);
    return page;
  }

  /** Every file of the page judged once per (page bytes, judge version); concurrent askers share it. */
  function decide(project: string, doc: UpstreamDocument, page: ServablePage, version: string): Promise<Decided> {
    const key = `${doc.url}\0${doc.sha256}\0${version}`;
    let pending = decided.get(key);
    if (!pending) {
      pending = judgePage(project, doc, page);
      decided.set(key, pending);
      pending.catch(() => decided.delete(key));
    }
    return pending;
  }

  async function judgePage(project: string, doc: UpstreamDocument, page: ServablePage): Promise<Decided> {
    const packages = page.files.map((served) => packageOf(served, project, indexUrl, doc.url));
    const judgement = await deps.judge.judge(packages, scope);
    const blocked = new Map<string, BlockReason[]>();
    packages.forEach((pkg, i) => {
      const reasons = judgement.blocked.get(pkg);
      if (reasons && reasons.length > 0) blocked.set((page.files[i] as ServedFile).file.filename, [...reasons]);
    });
    const status = page.upstream.projectStatus;
    if (status?.status === 'quarantined') {
      // PEP 792: an upstream-quarantined project offers no files; its files are not fetched either
      const reason: BlockReason = {
        source: 'upstream',
        id: 'quarantined',
        message: `${config.name} marks ${project} quarantined`,
      };
      for (const served of page.files) blocked.set(served.file.filename, [reason]);
    }
    return { page, blocked };
  }

  async function servePage(req: IncomingMessage, res: ServerResponse, project: string): Promise<void> {
    const format = negotiate(headerOf(req, 'accept'));
    if (!format) {
      sendRefusal(req, res, 406, `this index serves ${Object.values(MEDIA_TYPES).join(', ')}`, [], { vary: 'Accept' });
      return;
    }
    const doc = await fetchPage(project);
    if (!doc) {
      sendRefusal(req, res, 404, `${project} does not exist on ${config.name}`, [], { vary: 'Accept' });
      return;
    }
    const version = await judged(() => deps.judge.version(config.name));
    const view = await deps.views.get(
      { upstream: config.name, document: `simple/${project}/#${format}`, upstreamTag: `sha256:${doc.sha256}`, version },
      async () => {
        const page = await servable(project, doc);
        const { blocked } = await judged(() => decide(project, doc, page, version));
        const filtered = filterPage(page, blocked);
        if (filtered.withheld > 0) {
          deps.log({
            event: 'filter-view',
            upstream: config.name,
            project,
            withheld: filtered.withheld,
            quarantined: filtered.status?.status === 'quarantined',
            version,
          });
        }
        return {
          body: format === 'json' ? renderJson(filtered) : renderHtml(filtered),
          contentType: `${MEDIA_TYPES[format]}${format === 'json' ? '' : '; charset=utf-8'}`,
          withheld: filtered.withheld,
        };
      },
    );
    counters.pages++;
    await sendView(req, res, view, { cacheControl: pageCacheControl, extra: { vary: 'Accept' } });
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, path: string, project: string): Promise<void> {
    const doc = await fetchPage(project);
    if (!doc) return sendNotFound(req, res, `${project} does not exist on ${config.name}`);
    const page = await servable(project, doc);
    let served = page.byPath.get(path);
    let metadata = false;
    if (!served && path.endsWith('.metadata')) {
      served = page.byPath.get(path.slice(0, -'.metadata'.length));
      metadata = served !== undefined && metadataHashes(served) !== undefined;
      if (!metadata) served = undefined;
    }
    if (!served) return sendNotFound(req, res, `no such file of ${project} on ${config.name}`);
    const version = await judged(() => deps.judge.version(config.name));
    const { blocked } = await judged(() => decide(project, doc, page, version));
    const reasons = blocked.get(served.file.filename);
    if (reasons) {
      counters.refused++;
      deps.log({
        event: 'block-download',
        upstream: config.name,
        project,
        file: served.file.filename,
        metadata,
        method: req.method,
        client: req.socket.remoteAddress,
        userAgent: headerOf(req, 'user-agent')?.slice(0, 200),
        reasons,
      });
      return sendRefusal(req, res, 403, `${served.file.filename} is blocked by the proxy's policy`, reasons);
    }
    const sha256 = metadata ? (metadataHashes(served)?.sha256 as string) : served.sha256;
    const size = metadata ? undefined : served.file.size;
    const headers = {
      'content-type': metadata ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'cache-control': FILE_CACHE_CONTROL,
      'accept-ranges': 'none',
      'x-checksum-sha256': sha256,
    };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, ...(size !== undefined ? { 'content-length': size } : {}) });
      res.end();
      return;
    }
    await streamFile(req, res, served, { metadata, sha256, size, headers });
  }

  async function streamFile(
    req: IncomingMessage,
    res: ServerResponse,
    served: ServedFile,
    target: { metadata: boolean; sha256: string; size?: number; headers: Record<string, string> },
  ): Promise<void> {
    const url = new URL(served.upstreamUrl);
    if (target.metadata) url.pathname += '.metadata';
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('the client went away'));
    res.once('close', stop);
    try {
      const response = await deps.upstream.open(url.href, { method: 'GET', signal: controller.signal });
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        const missing = response.status === 404 || response.status === 410;
        return sendRefusal(
          req,
          res,
          missing ? 404 : 502,
          `upstream answered HTTP ${response.status} for ${served.file.filename}`,
        );
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (target.size !== undefined && Number.isFinite(declared) && declared !== target.size) {
        await response.body.cancel().catch(() => undefined);
        return sendRefusal(
          req,
          res,
          502,
          `upstream offers ${declared} bytes of ${served.file.filename}, the page says ${target.size}`,
        );
      }
      if (target.size === 0) {
        // an empty body cannot be held back: it is checked before anything is sent
        await response.body.cancel().catch(() => undefined);
        if (target.sha256 !== EMPTY_SHA256)
          return sendRefusal(req, res, 502, `${served.file.filename}: the page's sha256 is not that of an empty file`);
        res.writeHead(200, { ...target.headers, 'content-length': 0 });
        res.end();
        return;
      }
      counters.downloads++;
      res.writeHead(200, {
        ...target.headers,
        ...(target.size !== undefined ? { 'content-length': target.size } : {}),
      });
      res.flushHeaders();
      const outcome = await streamVerified(res, response.body, {
        sha256: target.sha256,
        size: target.size,
        maxBytes: target.metadata ? MAX_METADATA_BYTES : MAX_FILE_BYTES,
        idleTimeoutMs,
      });
      if (!outcome.ok) {
        counters.aborted++;
        deps.log({
          event: 'download-aborted',
          upstream: config.name,
          project: served.name,
          file: served.file.filename,
          metadata: target.metadata,
          bytes: outcome.bytes,
          reason: outcome.reason,
        });
      }
    } finally {
      res.off('close', stop);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const [top, name, ...rest] = path.replace(/^\/+/, '').split('/');
    if (top === 'simple') {
      if (name === undefined || name === '')
        return sendNotFound(req, res, 'this proxy does not serve the project list');
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== '') || !PROJECT_NAME.test(name))
        return sendNotFound(req, res);
      const project = normalizePypiName(name);
      if (rest.length === 0 || project !== name) return redirect(res, `${mount}simple/${project}/`);
      return servePage(req, res, project);
    }
    if (top === 'files' && name !== undefined && rest.length > 0) {
      if (!PROJECT_NAME.test(name) || normalizePypiName(name) !== name) return sendNotFound(req, res);
      return serveFile(req, res, path.replace(/^\/+/, ''), name);
    }
    return sendNotFound(req, res);
  }

  return {
    counters,
    async handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendRefusal(req, res, 405, `${req.method} is not allowed here`, [], { allow: 'GET, HEAD' });
        return;
      }
      try {
        await route(req, res, path);
      } catch (error) {
        const failure = describeFailure(error);
        deps.log({
          event: 'pypi-error',
          upstream: config.name,
          path: path.slice(0, 300),
          status: failure.status,
          error: failure.status === 500 ? String(error instanceof Error ? error.stack : error) : failure.message,
        });
        if (res.headersSent) res.destroy();
        else sendRefusal(req, res, failure.status, failure.message);
      }
    },
  };
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function checkedIndexUrl(config: PypiIndexConfig): string {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new CvebuildError('USAGE', `PyPI upstream ${config.name}: ${maskCredentials(config.url)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new CvebuildError(
      'USAGE',
      `PyPI upstream ${config.name}: ${maskCredentials(config.url)} is not an http(s) URL`,
    );
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** An upstream page in whichever form it came: JSON by its media type, HTML otherwise; never guessed past that. */
function parseUpstream(bytes: Buffer, doc: UpstreamDocument): SimpleProject {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CvebuildError('NETWORK', `upstream ${maskCredentials(doc.url)} sent a page that is not UTF-8`);
  }
  const type = (doc.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === MEDIA_TYPES.json || type === 'application/vnd.pypi.simple.latest+json' || type === 'application/json')
    return parseSimpleJson(text, maskCredentials(doc.url));
  if (type === MEDIA_TYPES.html || type === 'text/html' || type === 'application/vnd.pypi.simple.latest+html')
    return parseSimpleHtml(text, doc.url);
  throw new CvebuildError(
    'NETWORK',
    `upstream ${maskCredentials(doc.url)} answered ${type === '' ? 'without a Content-Type' : `with ${type.slice(0, 80)}`}, not a simple-API page`,
  );
}

function packageOf(served: ServedFile, project: string, index: string, pageUrl: string): Package {
  return {
    ecosystem: 'pypi',
    name: served.name,
    normalizedName: project,
    version: served.version,
    platform: '',
    index,
    url: served.upstreamUrl,
    location: served.upstreamUrl,
    sha256: served.sha256,
    ...(served.file.size !== undefined ? { size: served.file.size } : {}),
    ...(served.uploadTime !== undefined ? { timestamp: served.uploadTime } : {}),
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: [],
    origin: { file: maskCredentials(pageUrl) },
  };
}

/** A judge that throws fails the request closed: 503, nothing unjudged is served. */
async function judged<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new JudgeFailure(error instanceof Error ? error.message : String(error));
  }
}

class JudgeFailure extends Error {}

function describeFailure(error: unknown): { status: number; message: string } {
  if (error instanceof JudgeFailure)
    return { status: 503, message: `the proxy's policy could not decide: ${error.message}` };
  if (isCvebuildError(error)) {
    const timedOut = /timed out|no answer within/.test(error.message);
    return { status: timedOut ? 504 : 502, message: error.message };
  }
  return { status: 500, message: 'internal error' };
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(301, { location, 'cache-control': 'public, max-age=86400', vary: 'Accept', 'content-length': 0 });
  res.end();
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A small map that forgets its least recently used entries. */
class Lru<T> {
  private readonly entries = new Map<string, T>();
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  get(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.size) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
