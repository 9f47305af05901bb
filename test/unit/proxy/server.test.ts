import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { Metrics } from '../../../src/proxy/metrics.ts';
import { parseRange } from '../../../src/proxy/respond.ts';
import { checkedPath, listen } from '../../../src/proxy/server.ts';

describe('the proxy HTTP layer', () => {
  it('refuses paths that could leave a mount', () => {
    assert.equal(checkedPath('/conda/cf/linux-64/repodata.json?x=1'), '/conda/cf/linux-64/repodata.json');
    assert.equal(checkedPath('/pypi/p/simple/a%20b/'), '/pypi/p/simple/a b/');
    for (const hostile of [
      '/conda/../etc/passwd',
      '/conda/cf/%2e%2e/x',
      '/conda/cf%2Fx',
      '/a%5cb',
      '/a%00',
      '/a%zz',
      '/a\\b',
      '/a%0ab',
      '/./a',
    ]) {
      assert.equal(typeof checkedPath(hostile), 'object', hostile);
    }
  });

  it('parses single byte ranges as RFC 9110 defines them', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), [0, 9]);
    assert.deepEqual(parseRange('bytes=90-', 100), [90, 99]);
    assert.deepEqual(parseRange('bytes=-10', 100), [90, 99]);
    assert.deepEqual(parseRange('bytes=50-500', 100), [50, 99]);
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(parseRange('bytes=0-9', 100, '"old"', '"new"'), undefined);
  });

  it('answers hostile requests with 4xx and keeps serving, with metrics and a health route', async () => {
    const lines: Record<string, unknown>[] = [];
    const metrics = new Metrics();
    let healthy = true;
    const running = await listen(
      {
        metrics,
        log: (line) => lines.push(line),
        routes: {
          conda: new Map([
            [
              'cf',
              {
                async handle(_req, res, path) {
                  if (path === 'boom') throw new Error('bug');
                  if (path === 'upstream')
                    throw new CvebuildError('NETWORK', 'could not download https://alice:hunter2@up.example/simple/x/');
                  res.end(`conda:${path}`);
                },
              },
            ],
          ]),
          pypi: new Map(),
          health: async () => ({ ok: healthy, detail: { problems: healthy ? [] : ['threat data stale'] } }),
        },
      },
      '127.0.0.1',
      0,
    );
    const get = (path: string, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(running.url);
        // a raw path: new URL() would resolve the dot segments a hostile client sends as they are
        const req = request({ hostname, port, path, method }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      assert.deepEqual(await get('/conda/cf/noarch/repodata.json'), {
        status: 200,
        body: 'conda:noarch/repodata.json',
      });
      assert.equal((await get('/conda/cf/%2e%2e/%2e%2e/etc/passwd')).status, 400);
      assert.equal((await get('/conda/cf/a%2fb')).status, 400);
      assert.equal((await get('/conda/nope/x')).status, 404);
      assert.equal((await get('/conda/cf/x', 'POST')).status, 405);
      const boom = await get('/conda/cf/boom');
      assert.equal(boom.status, 500);
      assert.deepEqual(JSON.parse(boom.body), { error: 'internal error', reasons: [] });
      const failed = await get('/conda/cf/upstream');
      assert.equal(failed.status, 502);
      assert.doesNotMatch(failed.body, /hunter2/, 'credentials in an upstream URL never reach a client');
      assert.equal((await get('/healthz')).status, 200);
      healthy = false;
      const sick = await get('/healthz');
      assert.equal(sick.status, 503);
      assert.match(sick.body, /threat data stale/);
      const scraped = (await get('/metrics')).body;
      assert.match(scraped, /cvebuild_proxy_requests_total\{route="conda",status="200"\} 1/);
      assert.match(scraped, /cvebuild_proxy_request_duration_seconds_bucket\{route="conda",le="\+Inf"\} \d+/);
      assert.ok(lines.some((line) => line.msg === 'handler failed'));
    } finally {
      await running.close(1000);
    }
  });
});
