/** A `node:http` server on 127.0.0.1 that routes `/admin/...` to the admin API, for tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdminDeps, handleAdmin } from '../../src/proxy/admin.ts';

export interface AdminServer {
  url: string;
  close(): Promise<void>;
  /** A JSON request with an optional bearer token; answers status, headers and parsed body. */
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; raw?: string },
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
}

export async function startAdminServer(deps: AdminDeps): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/admin/')) void handleAdmin(req, res, path.slice('/admin'.length), deps);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async request(method, path, options = {}) {
      const headers: Record<string, string> = {};
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      const body = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      };
    },
  };
}
