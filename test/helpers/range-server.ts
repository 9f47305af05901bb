/**
 * A loopback HTTP server for partial downloads: serves bytes at any path ending in a given name,
 * honouring `Range: bytes=a-b` and `bytes=-n` (206 + Content-Range) under `/ranged/`, and ignoring
 * Range under `/whole/` (as some mirrors do). Records what it served.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  path: string;
  range: string | undefined;
  bytes: number;
}

export interface RangeServer {
  readonly origin: string;
  readonly served: Served[];
  close(): Promise<void>;
}

export async function startRangeServer(name: string, content: Buffer): Promise<RangeServer> {
  const served: Served[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const range = request.headers.range;
    const record = (bytes: number) => served.push({ path, range, bytes });
    if (!path.endsWith(`/${name}`)) {
      response.writeHead(404).end();
      return record(0);
    }
    const match = /^bytes=(\d*)-(\d*)$/.exec(range ?? '');
    if (path.startsWith('/whole/') || !match) {
      response.writeHead(200, { 'content-length': content.length }).end(content);
      return record(content.length);
    }
    const total = content.length;
    const [start, end] =
      match[1] === ''
        ? [Math.max(0, total - Number(match[2])), total - 1]
        : [Number(match[1]), Math.min(total - 1, Number(match[2] || total - 1))];
    const body = content.subarray(start, end + 1);
    response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${total}`, 'content-length': body.length });
    response.end(body);
    record(body.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
