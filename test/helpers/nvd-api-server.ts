/**
 * A loopback emulator of NVD's CVE API 2.0 (`/rest/json/cves/2.0`) over a set of `cve` objects:
 * `virtualMatchString` (CPE prefix on any match criteria), `lastModStartDate`/`lastModEndDate` (both
 * or neither, at most 120 days apart, else 404 as NVD answers), `resultsPerPage` (capped by the
 * server's own page size, so tests page with a few records) and `startIndex`. Queued 403s stand for
 * NVD's rate limiting. Every request is recorded with its query and `apiKey` header.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const NVD_PATH = '/rest/json/cves/2.0';

export interface NvdRequest {
  query: Record<string, string>;
  apiKey?: string;
  status: number;
}

export interface NvdApiServer {
  readonly url: string;
  readonly requests: NvdRequest[];
  /** Replaces (by id) or adds records. */
  put(...records: Record<string, unknown>[]): void;
  /** The next `count` requests are answered 403, as NVD does over its rate limit (0 ends it). */
  forbid(count: number): void;
  close(): Promise<void>;
}

const MAX_WINDOW_MS = 120 * 24 * 3_600_000;

/** NVD writes `lastModified` without a zone: it is UTC. */
function instant(text: string): number {
  return Date.parse(/[Zz]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
}

function criteriaOf(record: Record<string, unknown>): string[] {
  const configurations = Array.isArray(record.configurations) ? record.configurations : [];
  return configurations.flatMap((configuration: { nodes?: { cpeMatch?: { criteria?: string }[] }[] }) =>
    (configuration.nodes ?? []).flatMap((node) => (node.cpeMatch ?? []).map((match) => match.criteria ?? '')),
  );
}

export async function startNvdApiServer(
  initial: Record<string, unknown>[] = [],
  options: { pageSize?: number } = {},
): Promise<NvdApiServer> {
  const records = new Map<string, Record<string, unknown>>();
  for (const record of initial) records.set(String(record.id), record);
  const requests: NvdRequest[] = [];
  let forbidden = 0;
  const pageSize = options.pageSize ?? 2000;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const apiKey = request.headers.apikey;
    const seen: NvdRequest = { query, ...(typeof apiKey === 'string' ? { apiKey } : {}), status: 200 };
    requests.push(seen);
    const answer = (status: number, body: unknown, message?: string) => {
      seen.status = status;
      response.writeHead(status, { 'content-type': 'application/json', ...(message ? { message } : {}) });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname !== NVD_PATH) return answer(404, '');
    if (forbidden > 0) {
      forbidden--;
      return answer(403, '', 'rate limit exceeded');
    }
    let matching = [...records.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const virtual = query.virtualMatchString;
    if (virtual)
      matching = matching.filter((record) => criteriaOf(record).some((criteria) => criteria.startsWith(`${virtual}:`)));
    const start = query.lastModStartDate;
    const end = query.lastModEndDate;
    if ((start === undefined) !== (end === undefined)) return answer(404, '', 'both lastMod dates are required');
    if (start !== undefined && end !== undefined) {
      const from = instant(start);
      const to = instant(end);
      if (Number.isNaN(from) || Number.isNaN(to) || to < from || to - from > MAX_WINDOW_MS) {
        return answer(404, '', 'invalid lastMod date range');
      }
      matching = matching.filter((record) => {
        const modified = instant(String(record.lastModified));
        return modified >= from && modified <= to;
      });
    }
    const startIndex = Number(query.startIndex ?? 0);
    const perPage = Math.min(Number(query.resultsPerPage ?? 2000), pageSize);
    const page = matching.slice(startIndex, startIndex + perPage);
    answer(200, {
      resultsPerPage: page.length,
      startIndex,
      totalResults: matching.length,
      format: 'NVD_CVE',
      version: '2.0',
      timestamp: new Date().toISOString().slice(0, 23),
      vulnerabilities: page.map((cve) => ({ cve })),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${NVD_PATH}`,
    requests,
    put: (...added) => {
      for (const record of added) records.set(String(record.id), record);
    },
    forbid: (count) => {
      forbidden = count;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
