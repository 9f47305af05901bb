import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Judge } from '../../../src/proxy/types.ts';
import { ViewWarmer } from '../../../src/proxy/warmer.ts';

describe('the view warmer', () => {
  it('re-requests the documents clients asked for when their upstream version moves, and only metadata', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.accept ?? ''} ${req.headers['user-agent']}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let version = 'v1';
    const judge: Judge = { version: async () => version, judge: async () => ({ blocked: new Map(), version }) };
    let now = 0;
    const warmer = new ViewWarmer({ judge, intervalMs: 60_000, refreshMs: 3_600_000, log: () => {}, clock: () => now });
    warmer.start(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      warmer.asked('/conda/cf/linux-64/repodata.json', 'conda', 'cf', undefined, 200);
      warmer.asked('/pypi/pypi/simple/demo/', 'pypi', 'pypi', 'application/vnd.pypi.simple.v1+json', 200);
      warmer.asked('/conda/cf/linux-64/numpy-2.0.0-py312_0.conda', 'conda', 'cf', undefined, 200);
      warmer.asked('/conda/cf/noarch/repodata.json', 'conda', 'cf', undefined, 404);
      await warmer.tick(); // first pass: every upstream is new, and the refresh is due
      assert.deepEqual(seen.sort(), [
        '/conda/cf/linux-64/repodata.json */* cvebuild-proxy-warmer',
        '/pypi/pypi/simple/demo/ application/vnd.pypi.simple.v1+json cvebuild-proxy-warmer',
      ]);
      seen.length = 0;
      now += 10_000;
      await warmer.tick();
      assert.deepEqual(seen, [], 'nothing moved: nothing requested');
      version = 'v2';
      await warmer.tick();
      assert.equal(seen.length, 2, 'the version moved: both documents rebuilt');
      assert.equal(warmer.counters.warmed, 4);
      seen.length = 0;
      now += 2 * 86_400_000;
      version = 'v3';
      await warmer.tick();
      assert.deepEqual(seen, [], 'documents nobody asked for in a day are forgotten');
    } finally {
      await warmer.stop();
      server.close();
    }
  });
});
