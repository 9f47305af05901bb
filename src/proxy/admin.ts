/**
 * The admin API under `/admin`, behind bearer tokens: quarantine and release packages, versions or
 * files; list what is withheld and why; read the audit log. JSON in and out. Every write goes to
 * the state store with its audit line in one transaction, then the node's own watcher reloads, so
 * this node enforces the change before the response is sent (other nodes within their
 * propagation time). Reads are not audited: the audit log records decisions and changes, and
 * logging reads of the log would only bury them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z as Z } from 'zod';
import { CvebuildError } from '../errors.ts';
import { normalizeName } from '../model/package.ts';
import { zod } from '../policy/zod.ts';
import { parseDuration } from '../util/duration.ts';
import type { QuarantineWatcher } from './state/propagation.ts';
import type { ProxyState, QuarantineRecord } from './types.ts';

export const ADMIN_BODY_LIMIT = 64 * 1024;

export interface AdminDeps {
  state: ProxyState;
  watcher: QuarantineWatcher;
  /** Token → the name it acts as (written as `by` and `actor`). */
  tokens: Map<string, string>;
  clock: () => Date;
  log?: (line: object) => void;
}

/** A refusal the client caused: status and one line. */
class AdminError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

const ENTRY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Handles one request whose path (after `/admin`, query included or not) the server routed here. */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: AdminDeps,
): Promise<void> {
  const log = deps.log ?? (() => {});
  const method = req.method ?? 'GET';
  const query = new URL(req.url ?? '/', 'http://admin.invalid').searchParams;
  const route = path.split('?')[0] ?? '';
  let actor: string | undefined;
  try {
    actor = authenticate(req, deps.tokens);
    const result = await dispatch(method, route, query, req, actor, deps);
    send(req, res, result.status, result.body);
    log({ event: 'admin', method, path: route, status: result.status, actor });
  } catch (error) {
    if (error instanceof AdminError) {
      send(req, res, error.status, { error: error.message }, error.headers);
      log({ event: 'admin', method, path: route, status: error.status, actor, error: error.message });
      return;
    }
    if (error instanceof CvebuildError) {
      send(req, res, 400, { error: error.toLine() });
      log({ event: 'admin', method, path: route, status: 400, actor, error: error.toLine() });
      return;
    }
    // The store failed (unreachable database, disk error): the change was not made.
    send(req, res, 503, { error: 'the proxy state store is unavailable; nothing was changed' });
    log({ event: 'admin', method, path: route, status: 503, actor, error: String(error) });
  }
}

type Result = { status: number; body: unknown };

async function dispatch(
  method: string,
  route: string,
  query: URLSearchParams,
  req: IncomingMessage,
  actor: string,
  deps: AdminDeps,
): Promise<Result> {
  const read = method === 'GET' || method === 'HEAD';
  if (route === '/quarantine' || route === '/quarantine/') {
    if (read) return listEntries(query, deps);
    if (method === 'POST') return addEntry(await readJson(req), actor, deps);
    throw notAllowed('GET, HEAD, POST');
  }
  const release = /^\/quarantine\/([^/]+)(\/release)?\/?$/.exec(route);
  if (release) {
    const id = release[1] ?? '';
    if (release[2] ? method !== 'POST' : method !== 'DELETE') throw notAllowed(release[2] ? 'POST' : 'DELETE');
    if (!ENTRY_ID.test(id)) throw new AdminError(404, 'no active quarantine entry with this id');
    return releaseEntry(id, await readJson(req), actor, deps);
  }
  if (route === '/audit' || route === '/audit/') {
    if (!read) throw notAllowed('GET, HEAD');
    return readAudit(query, deps);
  }
  throw new AdminError(404, 'no such admin endpoint');
}

function notAllowed(allow: string): AdminError {
  return new AdminError(405, 'method not allowed', { allow });
}

/** The token's name; 401 without a token or with a wrong one. Every token is compared, in constant time. */
function authenticate(req: IncomingMessage, tokens: Map<string, string>): string {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('a bearer token is required');
  const given = digest(match[1]);
  let name: string | undefined;
  for (const [token, tokenName] of tokens) {
    if (timingSafeEqual(given, digest(token)) && name === undefined) name = tokenName;
  }
  if (name === undefined) throw unauthorized('the bearer token is not valid', 'invalid_token');
  return name;
}

function unauthorized(message: string, error?: string): AdminError {
  return new AdminError(401, message, {
    'www-authenticate': `Bearer realm="cvebuild-admin"${error ? `, error="${error}"` : ''}`,
  });
}

/** Equal-length digests: `timingSafeEqual` needs equal lengths, and the token's length stays secret. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ADMIN_BODY_LIMIT) throw tooLarge(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > ADMIN_BODY_LIMIT) throw tooLarge(req);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AdminError(400, `the body is not JSON (${(error as Error).message})`);
  }
}

function tooLarge(req: IncomingMessage): AdminError {
  // The rest of the body is not read: the connection closes after the answer.
  req.resume();
  return new AdminError(413, `the body is larger than ${ADMIN_BODY_LIMIT} bytes`, { connection: 'close' });
}

// Schemas ------------------------------------------------------------------------------------------

const NO_CONTROLS = /^[^\p{Cc}]*$/u;
const TOKEN = /^[^\s/\\\p{Cc}]+$/u;

let schemas: ReturnType<typeof buildSchemas> | undefined;

function buildSchemas(z: typeof Z) {
  const token = (max: number) =>
    z.string().min(1, 'must not be empty').max(max).regex(TOKEN, 'must not contain spaces, slashes or controls');
  const reason = z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(2000)
    .regex(NO_CONTROLS, 'must be one line without control characters');
  return {
    quarantine: z.strictObject({
      ecosystem: z.enum(['conda', 'pypi']),
      upstream: token(200).optional(),
      name: token(200),
      version: token(200).optional(),
      file: token(300).optional(),
      reason,
      expires: z.string().max(64).optional(),
    }),
    release: z.strictObject({ reason }),
  };
}

function parse<T>(schema: Z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AdminError(400, describeIssues(result.error.issues, value));
}

function describeIssues(issues: readonly Z.core.$ZodIssue[], value: unknown): string {
  const first = issues[0];
  if (!first) return 'invalid request';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  const path = first.path.filter((part) => typeof part !== 'symbol').join('.');
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  let message: string;
  if (!isObject && path === '') message = 'expected a JSON object';
  else if (first.code !== 'unrecognized_keys' && isObject && path !== '' && valueAt(value, path) === undefined) {
    message = 'required';
  } else {
    switch (first.code) {
      case 'unrecognized_keys':
        return `unknown key${first.keys.length > 1 ? 's' : ''} ${first.keys.join(', ')}${more}`;
      case 'invalid_type':
        message = `expected ${first.expected}`;
        break;
      case 'invalid_value':
        message = `expected one of ${first.values.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      default:
        message = first.message;
    }
  }
  return `${path ? `${path}: ` : ''}${message}${more}`;
}

function valueAt(value: object, key: string): unknown {
  return key === '' ? value : (value as Record<string, unknown>)[key];
}

/** An instant from RFC 3339 text, or a duration (`7d`) counted from now (forward, or back when `past`). */
function instant(text: string, key: string, now: Date, past: boolean): Date {
  const duration = parseDuration(text);
  if (duration !== undefined) return new Date(now.getTime() + (past ? -duration : duration));
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
  const time = rfc3339.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new AdminError(
      400,
      `${key}: expected an RFC 3339 date and time or a duration such as 7d, got ${JSON.stringify(text)}`,
    );
  }
  return new Date(time);
}

// Endpoints ----------------------------------------------------------------------------------------

async function addEntry(body: unknown, actor: string, deps: AdminDeps): Promise<Result> {
  schemas ??= buildSchemas(zod());
  const input = parse(schemas.quarantine, body);
  const now = deps.clock();
  let expiresAt: string | undefined;
  if (input.expires !== undefined) {
    const expires = instant(input.expires, 'expires', now, false);
    if (expires.getTime() <= now.getTime()) throw new AdminError(400, 'expires: must be in the future');
    if (expires.getUTCFullYear() > 9999) throw new AdminError(400, 'expires: too far in the future');
    expiresAt = expires.toISOString();
  }
  const entry = await deps.state.quarantine(
    {
      ecosystem: input.ecosystem,
      upstream: input.upstream ?? '*',
      name: normalizeName(input.ecosystem, input.name),
      ...(input.version !== undefined ? { version: input.version } : {}),
      ...(input.file !== undefined ? { file: input.file } : {}),
    },
    { reason: input.reason, by: actor, ...(expiresAt ? { expiresAt } : {}) },
    now,
  );
  await deps.watcher.refreshNow();
  return { status: 201, body: entry };
}

async function releaseEntry(id: string, body: unknown, actor: string, deps: AdminDeps): Promise<Result> {
  schemas ??= buildSchemas(zod());
  const input = parse(schemas.release, body);
  const now = deps.clock();
  const released = await deps.state.release(id, { reason: input.reason, by: actor }, now);
  if (!released) throw new AdminError(404, 'no active quarantine entry with this id');
  await deps.watcher.refreshNow();
  return {
    status: 200,
    body: { id, releasedAt: now.toISOString(), releasedBy: actor, releaseReason: input.reason },
  };
}

async function listEntries(query: URLSearchParams, deps: AdminDeps): Promise<Result> {
  checkParameters(query, ['all', 'limit']);
  const all = flag(query.get('all'), 'all');
  const now = deps.clock();
  const revision = await deps.state.revision();
  const entries: QuarantineRecord[] = all
    ? await deps.state.history({ limit: limit(query.get('limit')) })
    : await deps.state.active(now);
  return {
    status: 200,
    body: { revision, entries: entries.map((entry) => ({ ...entry, status: status(entry, now) })) },
  };
}

function status(entry: QuarantineRecord, now: Date): 'active' | 'released' | 'expired' {
  if (entry.releasedAt !== undefined) return 'released';
  if (entry.expiresAt !== undefined && Date.parse(entry.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

async function readAudit(query: URLSearchParams, deps: AdminDeps): Promise<Result> {
  checkParameters(query, ['since', 'action', 'limit']);
  const since = query.get('since');
  const action = query.get('action');
  if (action !== null && !/^[a-z][a-z0-9-]{0,63}$/.test(action)) {
    throw new AdminError(400, `action: expected a word such as quarantine or release, got ${JSON.stringify(action)}`);
  }
  const events = await deps.state.auditLog({
    ...(since !== null ? { since: instant(since, 'since', deps.clock(), true).toISOString() } : {}),
    ...(action !== null ? { action } : {}),
    limit: limit(query.get('limit')),
  });
  return { status: 200, body: { events } };
}

function checkParameters(query: URLSearchParams, known: readonly string[]): void {
  for (const name of query.keys()) {
    if (!known.includes(name)) {
      throw new AdminError(400, `unknown query parameter ${JSON.stringify(name)} (known: ${known.join(', ')})`);
    }
  }
}

function flag(value: string | null, key: string): boolean {
  if (value === null || value === '0' || value === 'false') return false;
  if (value === '' || value === '1' || value === 'true') return true;
  throw new AdminError(400, `${key}: expected 1 or 0, got ${JSON.stringify(value)}`);
}

function limit(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw new AdminError(400, `limit: expected a whole number from 1 to 1000, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': bytes.byteLength,
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
