import assert from 'node:assert/strict';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ViewStore } from '../../../src/proxy/views.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const HOUR = 3_600_000;

describe('the view store', () => {
  it('builds a view once however many ask, and shares equal bytes', async () => {
    const views = new ViewStore({ dir: tempDirectory() });
    let builds = 0;
    const build = async () => {
      builds++;
      return { body: Buffer.from('same bytes'), contentType: 'application/json' };
    };
    const key = { upstream: 'cf', document: 'noarch/repodata.json', upstreamTag: 't1', version: 'v1' };
    const [a, b] = await Promise.all([views.get(key, build), views.get(key, build)]);
    assert.equal(builds, 1);
    assert.equal(a, b);
    const other = await views.get({ ...key, version: 'v2' }, build);
    assert.equal(other.file, a.file, 'content-addressed');
    assert.notEqual(other.etag, a.etag, 'the ETag follows the key, not only the bytes');
  });

  it('keeps the newest views per document and prunes the files nobody points at after a grace period', async () => {
    const dir = tempDirectory();
    const views = new ViewStore({ dir, perDocument: 2 });
    const made = [];
    for (let version = 1; version <= 4; version++) {
      made.push(
        await views.get(
          { upstream: 'cf', document: 'linux-64/repodata.json', upstreamTag: 't', version: `v${version}` },
          async () => ({ body: Buffer.from(`filtered under v${version}`), contentType: 'application/json' }),
        ),
      );
    }
    const leftover = join(dir, 'scratch-left-by-a-crash.tmp');
    writeFileSync(leftover, 'partial');
    utimesSync(leftover, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
    // the current view's bytes are old on disk, but it is pointed at: never removed
    utimesSync(made[3]?.file as string, new Date(Date.now() - 5 * HOUR), new Date(Date.now() - 5 * HOUR));
    assert.equal(views.prune(Date.now(), HOUR), 1, 'only the old leftover: the forgotten views are within their grace');
    assert.equal(existsSync(made[0]?.file as string), true);
    assert.equal(views.prune(Date.now() + 2 * HOUR, HOUR), 2, 'the two forgotten views');
    assert.deepEqual(
      made.map((view) => existsSync(view.file)),
      [false, false, true, true],
    );
    assert.equal(
      views.peek({ upstream: 'cf', document: 'linux-64/repodata.json', upstreamTag: 't', version: 'v1' }),
      undefined,
    );
  });
});
