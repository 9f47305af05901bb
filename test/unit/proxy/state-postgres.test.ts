import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openProxyState } from '../../../src/proxy/state/open.ts';
import { QuarantineWatcher } from '../../../src/proxy/state/propagation.ts';
import type { ProxyState } from '../../../src/proxy/types.ts';
import { startAdminServer } from '../../helpers/admin-server.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { assertAllWritten, killWriterMidRun, storeContract } from './state-contract.ts';

describe('proxy state on PostgreSQL', { skip: postgresSkip() }, () => {
  let server: TestPostgres;
  let databases = 0;

  before(async () => {
    server = await startPostgres();
  });

  after(async () => {
    await server?.stop();
  });

  /** A new empty database on the test cluster, as a URL. */
  async function freshDatabase(): Promise<string> {
    const name = `state_${++databases}`;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  storeContract(async () => openProxyState({ postgres: await freshDatabase() }));

  it('loses no write when the writer is killed with SIGKILL mid-run', async () => {
    const spec = { postgres: await freshDatabase() };
    const ids = await killWriterMidRun(spec);
    await assertAllWritten(spec, ids);
  });

  it('lets several nodes create the schema at the same moment', async () => {
    const url = await freshDatabase();
    const nodes = await Promise.all([1, 2, 3, 4].map(() => openProxyState({ postgres: url })));
    await nodes[0]?.quarantine({ ecosystem: 'pypi', upstream: '*', name: 'x' }, { reason: 'r', by: 'a' }, new Date());
    for (const node of nodes) assert.equal(await node.revision(), 1);
    await Promise.all(nodes.map((node) => node.close()));
  });

  it('enforces on node B a quarantine added through node A, and the release too', async () => {
    const url = await freshDatabase();
    const nodes: { state: ProxyState; watcher: QuarantineWatcher }[] = [];
    for (let i = 0; i < 2; i++) {
      const state = await openProxyState({ postgres: url });
      const watcher = new QuarantineWatcher(state, { propagationMs: 50 });
      await watcher.start();
      nodes.push({ state, watcher });
    }
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const admin = await startAdminServer({
      state: a.state,
      watcher: a.watcher,
      tokens: new Map([['node-a-token', 'alice']]),
      clock: () => new Date(),
    });
    try {
      const target = { ecosystem: 'pypi', upstream: 'pypi', name: 'evil', version: '1.0.0' } as const;
      assert.deepEqual(b.watcher.matches(target), []);
      const added = await admin.request('POST', '/admin/quarantine', {
        token: 'node-a-token',
        body: { ecosystem: 'pypi', name: 'Evil', version: '1.0.0', reason: 'malware' },
      });
      assert.equal(added.status, 201);
      await until(() => b.watcher.matches(target).length === 1);
      assert.equal(b.watcher.matches(target)[0]?.id, added.body.id);
      assert.equal(b.watcher.matches(target)[0]?.by, 'alice');
      const released = await admin.request('DELETE', `/admin/quarantine/${String(added.body.id)}`, {
        token: 'node-a-token',
        body: { reason: 'false positive' },
      });
      assert.equal(released.status, 200);
      await until(() => b.watcher.matches(target).length === 0);
      assert.equal(b.watcher.revision, 2);
      assert.deepEqual(
        (await b.state.auditLog({})).map((event) => event.action),
        ['release', 'quarantine'],
      );
    } finally {
      await admin.close();
      for (const node of nodes) {
        node.watcher.stop();
        await node.state.close();
      }
    }
  });

  it('names the URL, with its password masked, when the database cannot be reached', async () => {
    const closed = `postgres://cvebuild:hunter2@127.0.0.1:${server.port + 1}/none`;
    const error = await assertCvebuildErrorAsync(
      () => openProxyState({ postgres: closed }),
      'STATE_UNAVAILABLE',
      '127.0.0.1',
      /ECONNREFUSED|connect/,
    );
    assert.ok(!error.toLine().includes('hunter2'), error.toLine());
    assert.ok(!error.message.includes('hunter2'), error.message);
    await assertCvebuildErrorAsync(
      () => openProxyState({ postgres: 'mysql://x@127.0.0.1/db' }),
      'USAGE',
      'postgres://',
    );
  });

  // Last: it stops the cluster.
  it('keeps the last list and reports stale when the database goes away', async () => {
    const state = await openProxyState({ postgres: await freshDatabase() });
    const watcher = new QuarantineWatcher(state);
    await state.quarantine({ ecosystem: 'conda', upstream: '*', name: 'xz' }, { reason: 'r', by: 'a' }, new Date());
    await watcher.start();
    watcher.stop();
    await server.stop();
    await watcher.refreshNow();
    assert.equal(watcher.stale, true);
    assert.equal(watcher.health().failures, 1);
    assert.equal(watcher.matches({ ecosystem: 'conda', upstream: 'conda-forge', name: 'xz' }).length, 1);
    await state.close().catch(() => {});
  });
});

/** Waits for the condition; the deadline only guards against a hang, it asserts no timing. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
