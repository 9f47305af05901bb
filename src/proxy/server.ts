/**
 * The proxy's HTTP layer on `node:http`. A framework would add routing for four prefixes and a
 * per-request object model on a path whose work is a pointer lookup and a file stream; the load
 * bench measures this server against a bare `node:http` static server serving the same bytes.
 * Paths are checked before any handler sees them: a `..` segment, an encoded slash or backslash, a
 * NUL or malformed escape is refused with 400, so no handler can be walked out of its mount.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isCvebuildError } from '../errors.ts';
import { hasUnsafeCharacters } from '../text/controls.ts';
import { maskCredentials } from '../text/credentials.ts';
import type { Metrics } from './metrics.ts';
import { sendRefusal } from './respond.ts';

export interface Frontend {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

export interface Routes {
  conda: ReadonlyMap<string, Frontend>;
  pypi: ReadonlyMap<string, Frontend>;
  /** `/admin/...`: the path after `/admin`. */
  admin?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  /** `/healthz`: status 200 when the node can judge and serve, 503 otherwise, with the reasons. */
  health: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
}

export interface ServerOptions {
  routes: Routes;
  metrics: Metrics;
  log: (line: Record<string, unknown>) => void;
  /** Longest request URL accepted. */
  maxUrlLength?: number;
  /** Told of every finished response: the route it took and its status. */
  observe?: (req: IncomingMessage, route: string, status: number) => void;
}

export interface RunningServer {
  server: Server;
  url: string;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left. */
  close(graceMs: number): Promise<void>;
}

export async function listen(options: ServerOptions, host: string, port: number): Promise<RunningServer> {
  const server = createProxyServer(options);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

export function createProxyServer(options: ServerOptions): Server {
  const maxUrlLength = options.maxUrlLength ?? 8192;
  const server = createServer({ requestTimeout: 300_000, headersTimeout: 30_000 }, (req, res) => {
    const started = performance.now();
    let route = 'other';
    res.on('finish', () => finish(false));
    res.on('close', () => finish(true));
    let logged = false;
    function finish(closedEarly: boolean) {
      if (logged) return;
      logged = true;
      const seconds = (performance.now() - started) / 1000;
      const status = String(res.statusCode);
      const aborted = closedEarly && !res.writableFinished;
      options.metrics.count('cvebuild_proxy_requests_total', { route, status });
      options.observe?.(req, route, res.statusCode);
      options.metrics.observe('cvebuild_proxy_request_duration_seconds', { route }, seconds);
      options.log({
        level: aborted ? 'warn' : 'info',
        msg: aborted ? 'response aborted' : 'request',
        method: req.method,
        path: req.url,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
        client: req.socket.remoteAddress,
        ua: req.headers['user-agent'],
      });
    }
    handle(req, res, (name) => {
      route = name;
    }).catch((error: unknown) => {
      const status = statusOf(error);
      if (status >= 500 && !isCvebuildError(error))
        options.log({ level: 'error', msg: 'handler failed', path: req.url, error: maskCredentials(String(error)) });
      if (res.headersSent) {
        // the body is already on its way: cutting the connection is the only honest signal left
        res.destroy();
        return;
      }
      // an upstream URL in the message may carry credentials from the configuration
      sendRefusal(req, res, status, isCvebuildError(error) ? maskCredentials(error.toLine()) : 'internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, setRoute: (name: string) => void) {
    const raw = req.url ?? '/';
    if (raw.length > maxUrlLength) return sendRefusal(req, res, 414, 'request URL too long');
    const path = checkedPath(raw);
    if (typeof path !== 'string') return sendRefusal(req, res, 400, path.error);
    const segments = path.split('/');
    const [, first, second] = segments;
    if (path === '/healthz') {
      setRoute('healthz');
      const health = await options.routes.health();
      const body = `${JSON.stringify({ status: health.ok ? 'ok' : 'unavailable', ...health.detail })}\n`;
      res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/metrics') {
      setRoute('metrics');
      const body = options.metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (first === 'admin' && options.routes.admin) {
      setRoute('admin');
      return options.routes.admin(req, res, path.slice('/admin'.length));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendRefusal(req, res, 405, `${req.method} is not served here`, [], { allow: 'GET, HEAD' });
    }
    if ((first === 'conda' || first === 'pypi') && second !== undefined) {
      const frontend = (first === 'conda' ? options.routes.conda : options.routes.pypi).get(second);
      if (!frontend) return sendRefusal(req, res, 404, `no ${first} upstream named ${JSON.stringify(second)}`);
      setRoute(first);
      return frontend.handle(req, res, segments.slice(3).join('/'));
    }
    return sendRefusal(req, res, 404, 'not found');
  }

  return server;
}

/** The decoded path, or why it is refused. The query string is dropped: nothing here reads one. */
export function checkedPath(raw: string): string | { error: string } {
  const pathPart = raw.split('?', 1)[0] ?? '';
  if (!pathPart.startsWith('/')) return { error: 'the request path must start with /' };
  if (/%(2f|5c|00)/i.test(pathPart)) return { error: 'encoded slashes, backslashes and NUL are refused' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return { error: 'malformed percent-escape in the path' };
  }
  if (decoded.includes('\\') || /[\n\r\t]/.test(decoded) || hasUnsafeCharacters(decoded))
    return { error: 'control characters and backslashes are refused in paths' };
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.'))
    return { error: '"." and ".." path segments are refused' };
  return decoded;
}

function statusOf(error: unknown): number {
  if (!isCvebuildError(error)) return 500;
  switch (error.code) {
    case 'NETWORK':
      return /no answer within|timed out/.test(error.message) ? 504 : 502;
    case 'NOT_FOUND':
      return 404;
    case 'DB_MISSING':
    case 'DB_STALE':
    case 'DB_CORRUPT':
    case 'DB_SCHEMA':
      return 503;
    case 'FEED_INVALID':
    case 'JSON_SYNTAX':
    case 'ARCHIVE_INVALID':
    case 'INPUT_TOO_LARGE':
      return 502;
    default:
      return 503;
  }
}
