/** What the proxy benches share: a static upstream serving a channel directory, and waiting for a node to be healthy. */
import type { ChildProcess } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/** Serves `root` on loopback, with a size ETag so the proxy can revalidate. */
export function serveDirectory(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = join(root, (req.url ?? '/').split('?')[0] ?? '/');
    try {
      const size = statSync(path).size;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': size, etag: `"${size}"` });
      createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the proxy exited');
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the proxy did not become healthy');
}
