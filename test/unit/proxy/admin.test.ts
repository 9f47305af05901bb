import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { openProxyState } from '../../../src/proxy/state/open.ts';
import { QuarantineWatcher } from '../../../src/proxy/state/propagation.ts';
import type { ProxyState } from '../../../src/proxy/types.ts';
import { type AdminServer, startAdminServer } from '../../helpers/admin-server.ts';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-9876543210';

describe('the admin API', () => {
  let state: ProxyState;
  let watcher: QuarantineWatcher;
  let server: AdminServer;
  let time = new Date('2026-03-01T12:00:00Z').getTime();
  const logged: Record<string, unknown>[] = [];

  before(async () => {
    state = await openProxyState({ sqlite: ':memory:' });
    // Polling is off (a long period): only the API's own refreshNow can make the watcher see a write.
    watcher = new QuarantineWatcher(state, { propagationMs: 3_600_000, clock: () => new Date(time) });
    await watcher.start();
    server = await startAdminServer({
      state,
      watcher,
      tokens: new Map([
        [ALICE, 'alice'],
        [BOB, 'bob'],
      ]),
      clock: () => new Date(time),
      log: (line) => logged.push(line as Record<string, unknown>),
    });
  });

  after(async () => {
    watcher.stop();
    await server.close();
    await state.close();
  });

  it('answers 401 with WWW-Authenticate without a token, with a wrong one, and before saying a path does not exist', async () => {
    for (const [path, token] of [
      ['/admin/quarantine', undefined],
      ['/admin/quarantine', 'wrong-token'],
      ['/admin/audit', `${ALICE}x`],
      ['/admin/nothing-here', undefined],
    ] as const) {
      const response = await server.request('GET', path, token === undefined ? {} : { token });
      assert.equal(response.status, 401, `${path} with ${token}`);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
      assert.equal(typeof response.body.error, 'string');
    }
    const basic = await fetch(`${server.url}/admin/quarantine`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${ALICE}`).toString('base64')}` },
    });
    assert.equal(basic.status, 401);
    assert.ok(logged.some((line) => line.status === 401));
  });

  it('refuses bad JSON and invalid fields with one-line errors', async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /^ecosystem: required/],
      [[1], /expected a JSON object/],
      [{ ecosystem: 'npm', name: 'x', reason: 'r' }, /^ecosystem: expected one of "conda", "pypi"$/],
      [{ ecosystem: 'pypi', name: 'x' }, /^reason: required$/],
      [{ ecosystem: 'pypi', name: 'x', reason: '  ' }, /^reason: must not be empty/],
      [{ ecosystem: 'pypi', name: 'x', reason: 'a\nb' }, /^reason: must be one line/],
      [{ ecosystem: 'pypi', name: 'a b', reason: 'r' }, /^name: must not contain spaces/],
      [{ ecosystem: 'pypi', name: 'x', file: '../x.whl', reason: 'r' }, /^file: must not contain spaces, slashes/],
      [{ ecosystem: 'pypi', name: 'x', reason: 'r', color: 'red' }, /^unknown key color$/],
      [{ ecosystem: 'pypi', name: 7, reason: 'r' }, /^name: expected string$/],
      [{ ecosystem: 'pypi', name: 'x', reason: 'r', expires: 'soon' }, /^expires: expected an RFC 3339/],
      [
        { ecosystem: 'pypi', name: 'x', reason: 'r', expires: '2020-01-01T00:00:00Z' },
        /^expires: must be in the future$/,
      ],
    ];
    for (const [body, expected] of cases) {
      const response = await server.request('POST', '/admin/quarantine', {
        token: ALICE,
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = String(response.body.error);
      assert.match(error, expected);
      assert.ok(!error.includes('\n'));
    }
    const broken = await server.request('POST', '/admin/quarantine', { token: ALICE, raw: '{"ecosystem": ' });
    assert.equal(broken.status, 400);
    assert.match(String(broken.body.error), /^the body is not JSON/);
    const badQuery = await server.request('GET', '/admin/audit?limit=0', { token: ALICE });
    assert.equal(badQuery.status, 400);
    assert.match(String(badQuery.body.error), /^limit: expected a whole number/);
    const unknown = await server.request('GET', '/admin/audit?actor=x', { token: ALICE });
    assert.equal(unknown.status, 400);
    assert.equal((await state.auditLog({})).length, 0, 'nothing refused was written');
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/admin/quarantine`,
        { method: 'POST', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // Chunked, no Content-Length: the limit is enforced while reading.
      req.write(`{"reason": "${'x'.repeat(70 * 1024)}`);
      req.end('"}');
    });
    assert.equal(status, 413);
  });

  it('quarantines, lists with why, audits and releases; the node enforces each change at once', async () => {
    const target = { ecosystem: 'pypi', upstream: 'pypi', name: 'requests', version: '2.99.0' } as const;
    const added = await server.request('POST', '/admin/quarantine', {
      token: ALICE,
      body: {
        ecosystem: 'pypi',
        upstream: 'pypi',
        name: 'Requests',
        version: '2.99.0',
        reason: 'hijacked',
        expires: '7d',
      },
    });
    assert.equal(added.status, 201);
    const entry = added.body;
    assert.equal(entry.name, 'requests');
    assert.equal(entry.by, 'alice');
    assert.equal(entry.createdAt, '2026-03-01T12:00:00.000Z');
    assert.equal(entry.expiresAt, '2026-03-08T12:00:00.000Z');
    assert.deepEqual(
      watcher.matches(target).map((e) => e.id),
      [entry.id],
      'enforced before the response',
    );

    const whole = await server.request('POST', '/admin/quarantine', {
      token: BOB,
      body: { ecosystem: 'conda', name: 'xz', reason: 'backdoor', expires: '2026-03-02T00:00:00+01:00' },
    });
    assert.equal(whole.status, 201);
    assert.equal(whole.body.upstream, '*');
    assert.equal(whole.body.expiresAt, '2026-03-01T23:00:00.000Z');

    const listed = await server.request('GET', '/admin/quarantine', { token: BOB });
    assert.equal(listed.status, 200);
    const entries = listed.body.entries as Record<string, unknown>[];
    assert.deepEqual(
      entries.map((e) => [e.name, e.reason, e.by, e.status]),
      [
        ['requests', 'hijacked', 'alice', 'active'],
        ['xz', 'backdoor', 'bob', 'active'],
      ],
    );
    assert.equal(listed.body.revision, 2);

    const wrongRelease = await server.request('DELETE', '/admin/quarantine/nope', {
      token: BOB,
      body: { reason: 'x' },
    });
    assert.equal(wrongRelease.status, 404);
    const noReason = await server.request('DELETE', `/admin/quarantine/${entry.id}`, { token: BOB });
    assert.equal(noReason.status, 400);
    assert.match(String(noReason.body.error), /^reason: required/);
    time += 60_000;
    const released = await server.request('DELETE', `/admin/quarantine/${entry.id}`, {
      token: BOB,
      body: { reason: 'upstream yanked it' },
    });
    assert.equal(released.status, 200);
    assert.equal(released.body.releasedBy, 'bob');
    assert.deepEqual(watcher.matches(target), [], 'released before the response');
    const again = await server.request('POST', `/admin/quarantine/${entry.id}/release`, {
      token: BOB,
      body: { reason: 'twice' },
    });
    assert.equal(again.status, 404);

    time += 24 * 3_600_000;
    const active = await server.request('GET', '/admin/quarantine', { token: ALICE });
    assert.deepEqual(active.body.entries, [], 'one released, one expired');
    const all = await server.request('GET', '/admin/quarantine?all=1', { token: ALICE });
    assert.deepEqual(
      (all.body.entries as Record<string, unknown>[]).map((e) => [e.name, e.status, e.releaseReason]),
      [
        ['xz', 'expired', undefined],
        ['requests', 'released', 'upstream yanked it'],
      ],
    );

    const audit = await server.request('GET', '/admin/audit', { token: ALICE });
    assert.deepEqual(
      (audit.body.events as Record<string, unknown>[]).map((e) => [e.action, e.actor, e.name]),
      [
        ['release', 'bob', 'requests'],
        ['quarantine', 'bob', 'xz'],
        ['quarantine', 'alice', 'requests'],
      ],
    );
    const releases = await server.request('GET', '/admin/audit?action=release&limit=5', { token: ALICE });
    assert.equal((releases.body.events as unknown[]).length, 1);
    const recent = await server.request('GET', '/admin/audit?since=2026-03-01T12:00:30Z', { token: ALICE });
    assert.deepEqual(
      (recent.body.events as Record<string, unknown>[]).map((e) => e.action),
      ['release'],
    );
    const lastDay = await server.request('GET', '/admin/audit?since=1h', { token: ALICE });
    assert.deepEqual(lastDay.body.events, [], 'a duration counts back from now');
  });

  it('answers 405 with Allow and 404 for unknown endpoints', async () => {
    const put = await server.request('PUT', '/admin/quarantine', { token: ALICE, body: {} });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
    const missing = await server.request('GET', '/admin/other', { token: ALICE });
    assert.equal(missing.status, 404);
  });
});
