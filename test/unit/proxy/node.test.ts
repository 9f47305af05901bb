/**
 * One whole proxy node as `cvebuild proxy serve` runs it: the real engine and threat data, the
 * state store, the admin API, both front ends, health and metrics. Real clients: rattler's solver
 * and pip. Then two nodes sharing one PostgreSQL, and a node killed with SIGKILL mid-write.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { solveInWorker } from '../../../src/build/resolve/solver.ts';
import { parseProxyConfig } from '../../../src/proxy/config.ts';
import { type ProxyNode, startProxy } from '../../../src/proxy/start.ts';
import { openSqliteState } from '../../../src/proxy/state/sqlite.ts';
import { buildIntelStore } from '../../helpers/build-recipe.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { fileOf, PACKAGES, startChannelUpstream } from './conda-fixture.ts';
import { buildWheel, pip, pipSkip, UpstreamIndex } from './pypi-fixture.ts';

const TOKEN = 'alice-token-0123456789abcdef';
const ENV = { CVEBUILD_PROXY_TOKENS: `alice=${TOKEN}` };

function intelStore(): string {
  return buildIntelStore([
    join(projectRoot, 'examples/openssl-cve/intel'),
    join(projectRoot, 'test/fixtures/intel/kev.json'),
    join(projectRoot, 'test/fixtures/intel/osv'),
  ]);
}

function configText(options: { db: string; channel: string; index?: string; state: string; extra?: string }): string {
  return [
    '[state]',
    options.state,
    'propagation = "200ms"',
    '[server]',
    'metadata-max-age = "0s"',
    '[upstream]',
    'timeout = "5s"',
    '[policy]',
    `db = ${JSON.stringify(options.db)}`,
    'offline = true',
    options.extra ?? '',
    '[[conda]]',
    'name = "cf"',
    `url = "${options.channel}"`,
    ...(options.index ? ['[[pypi]]', 'name = "pypi"', `url = "${options.index}"`] : []),
    '',
  ].join('\n');
}

async function admin(node: { url: string }, method: string, path: string, body?: object) {
  const response = await fetch(`${node.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { id?: string } };
}

/** Real pip: `pip download` one project through an index, into a fresh directory. */
function pipDownload(index: string, project: string) {
  return pip(['download', '--no-deps', '--no-cache-dir', '--index-url', index, '-d', tempDirectory(), project]);
}

async function solve(channelUrl: string, specs: string[]) {
  const outcome = await solveInWorker(
    [{ specs, channels: [channelUrl], platforms: ['linux-64', 'noarch'], virtualPackages: [] }],
    { timeoutMs: 60_000 },
  );
  if (outcome.status !== 'answered') throw new Error(JSON.stringify(outcome));
  const answer = outcome.answers[0];
  if (!answer?.ok) throw new Error(JSON.stringify(answer));
  return Object.fromEntries(answer.records.map((record) => [record.name, record.version]));
}

const pyfoo2 = PACKAGES.find((pkg) => pkg.name === 'pyfoo' && pkg.version === '2.0' && pkg.ext === '.conda');
if (!pyfoo2) throw new Error('the fixture channel lost pyfoo 2.0');
const conda2 = fileOf(pyfoo2);

describe('a proxy node', () => {
  let channel: Awaited<ReturnType<typeof startChannelUpstream>>;
  let index: UpstreamIndex;
  let node: ProxyNode;
  let db: string;
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    db = intelStore();
    channel = await startChannelUpstream();
    index = await new UpstreamIndex().start();
    if (!pipSkip()) {
      const files = [];
      for (const version of ['1.0', '2.0']) {
        const wheel = await buildWheel('demo', version);
        files.push({
          filename: `demo-${version}-py3-none-any.whl`,
          bytes: readFileSync(wheel.file),
          metadata: wheel.metadata,
          uploadTime: `2025-0${version === '1.0' ? 1 : 6}-01T00:00:00.000000Z`,
        });
      }
      index.publish('demo', files);
    }
    const dir = tempDirectory();
    const file = join(dir, 'proxy.toml');
    writeFileSync(file, configText({ db, channel: channel.url, index: index.url, state: 'sqlite = "state.db"' }));
    node = await startProxy(parseProxyConfig(readFileSync(file, 'utf8'), file, ENV), {
      port: 0,
      env: ENV,
      log: (line) => logs.push(line),
    });
  });
  after(async () => {
    await node?.close();
    channel?.server.close();
    await index?.close();
  });

  it('serves the channel to rattler, and withholds what an admin quarantines, in metadata and at download', async () => {
    const channelUrl = `${node.url}/conda/cf/`;
    assert.deepEqual(await solve(channelUrl, ['pyfoo']), { pyfoo: '2.0', libbar: '2.0' });

    const added = await admin(node, 'POST', '/quarantine', {
      ecosystem: 'conda',
      upstream: 'cf',
      name: 'pyfoo',
      version: '2.0',
      reason: 'maintainer account compromised',
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(await solve(channelUrl, ['pyfoo']), { pyfoo: '1.0', libbar: '2.0' });

    const download = await fetch(`${channelUrl}noarch/${conda2}`);
    assert.equal(download.status, 403);
    const refusal = (await download.json()) as { reasons: { source: string; message: string }[] };
    assert.equal(refusal.reasons[0]?.source, 'quarantine');
    assert.match(refusal.reasons[0]?.message ?? '', /maintainer account compromised/);

    const released = await admin(node, 'DELETE', `/quarantine/${added.body.id}`, { reason: 'false alarm' });
    assert.equal(released.status, 200);
    assert.deepEqual(await solve(channelUrl, ['pyfoo']), { pyfoo: '2.0', libbar: '2.0' });

    // every decision is in the audit log: the quarantine, the refused download, the release
    await sleep(100);
    const audit = await admin(node, 'GET', '/audit');
    const actions = (audit.body.events as { action: string }[]).map((event) => event.action);
    for (const action of ['quarantine', 'release', 'refuse'])
      assert.ok(actions.includes(action), JSON.stringify(actions));
  });

  it('serves the index to pip, which takes the next allowed version when one is quarantined', {
    skip: pipSkip(),
  }, async () => {
    const simple = `${node.url}/pypi/pypi/simple/`;
    const first = await pipDownload(simple, 'demo');
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /demo-2\.0-py3-none-any\.whl/);
    const added = await admin(node, 'POST', '/quarantine', {
      ecosystem: 'pypi',
      name: 'demo',
      version: '2.0',
      reason: 'typosquat report',
    });
    assert.equal(added.status, 201);
    const second = await pipDownload(simple, 'demo');
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /demo-1\.0-py3-none-any\.whl/);
    assert.doesNotMatch(second.output, /demo-2\.0/);
  });

  it('reports its health and metrics', async () => {
    const health = await fetch(`${node.url}/healthz`);
    assert.equal(health.status, 200);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.match(metrics, /cvebuild_proxy_requests_total\{route="conda",status="200"\} \d+/);
    assert.match(metrics, /cvebuild_proxy_quarantine_revision \d+/);
  });

  it('holds back releases newer than the channel cooldown from rattler, and refuses their download with Retry-After', async () => {
    const dir = tempDirectory();
    const file = join(dir, 'proxy.toml');
    // pyfoo 2.0 and libbar 2.0 were built on 2026-09-21: too new for a 100-day cooldown on 2026-12-05
    writeFileSync(
      file,
      configText({ db, channel: channel.url, state: 'sqlite = "state.db"' }).replace(
        `url = "${channel.url}"`,
        `url = "${channel.url}"\nexclude-newer = "100d"`,
      ),
    );
    const cooled = await startProxy(parseProxyConfig(readFileSync(file, 'utf8'), file, ENV), {
      port: 0,
      env: ENV,
      clock: () => new Date('2026-12-05T12:00:00Z'),
      log: () => {},
    });
    try {
      assert.deepEqual(await solve(`${cooled.url}/conda/cf/`, ['pyfoo']), { pyfoo: '1.0', libbar: '1.0' });
      const download = await fetch(`${cooled.url}/conda/cf/noarch/${conda2}`);
      assert.equal(download.status, 403);
      const body = (await download.json()) as { reasons: { source: string }[] };
      assert.equal(body.reasons[0]?.source, 'cooldown');
      assert.ok(Number(download.headers.get('retry-after')) > 0, 'Retry-After says when it leaves the cooldown');
    } finally {
      await cooled.close();
    }
  });

  it('fails closed when its threat data goes stale: metadata and downloads are refused, health says why', async () => {
    const dir = tempDirectory();
    const file = join(dir, 'proxy.toml');
    writeFileSync(file, configText({ db, channel: channel.url, state: 'sqlite = "state.db"' }));
    let now = new Date();
    const stale = await startProxy(parseProxyConfig(readFileSync(file, 'utf8'), file, ENV), {
      port: 0,
      env: ENV,
      clock: () => now,
      log: () => {},
    });
    try {
      // a view built while the data was fresh is not served once it is stale
      assert.equal((await fetch(`${stale.url}/conda/cf/noarch/repodata.json`)).status, 200);
      now = new Date(Date.now() + 30 * 86_400_000);
      const health = await fetch(`${stale.url}/healthz`);
      assert.equal(health.status, 503);
      assert.match(await health.text(), /old|stale|days/i);
      const repodata = await fetch(`${stale.url}/conda/cf/noarch/repodata.json`);
      assert.equal(repodata.status, 503, await repodata.text());
      const download = await fetch(`${stale.url}/conda/cf/noarch/${conda2}`);
      assert.ok(download.status >= 400, `download answered ${download.status}`);
    } finally {
      await stale.close();
    }
  });
});

describe('proxy nodes sharing one PostgreSQL', { skip: postgresSkip() }, () => {
  let postgres: TestPostgres;
  let channel: Awaited<ReturnType<typeof startChannelUpstream>>;
  const nodes: ProxyNode[] = [];

  before(async () => {
    postgres = await startPostgres();
    channel = await startChannelUpstream();
  });
  after(async () => {
    for (const node of nodes) await node.close();
    channel?.server.close();
    await postgres?.stop();
  });

  it('a quarantine added on node A is refused by node B within its propagation time', async () => {
    const db = intelStore();
    for (let count = 0; count < 2; count++) {
      const dir = tempDirectory();
      const file = join(dir, 'proxy.toml');
      writeFileSync(file, configText({ db, channel: channel.url, state: `postgres = "${postgres.url}"` }));
      nodes.push(
        await startProxy(parseProxyConfig(readFileSync(file, 'utf8'), file, ENV), { port: 0, env: ENV, log: () => {} }),
      );
    }
    const [a, b] = nodes as [ProxyNode, ProxyNode];
    const url = `${b.url}/conda/cf/noarch/${conda2}`;
    assert.equal((await fetch(url)).status, 200);
    const added = await admin(a, 'POST', '/quarantine', {
      ecosystem: 'conda',
      name: 'pyfoo',
      file: conda2,
      reason: 'tampered build',
    });
    assert.equal(added.status, 201);
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 403; attempt++) {
      status = (await fetch(url)).status;
      if (status !== 403) await sleep(100);
    }
    assert.equal(status, 403);
    const listed = await admin(b, 'GET', '/quarantine');
    assert.match(JSON.stringify(listed.body), /tampered build/);
  });
});

describe('a proxy node killed mid-write', () => {
  it('loses no acknowledged quarantine entry or audit line', async () => {
    const db = intelStore();
    const channel = await startChannelUpstream();
    const dir = tempDirectory();
    const file = join(dir, 'proxy.toml');
    writeFileSync(file, configText({ db, channel: channel.url, state: 'sqlite = "state.db"' }));
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      [join(projectRoot, 'bin/cvebuild.js'), 'proxy', 'serve', '--config', file, '--port', String(port)],
      { env: { ...process.env, ...ENV }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const node = { url: `http://127.0.0.1:${port}` };
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          if ((await fetch(`${node.url}/healthz`)).ok) break;
        } catch {}
        if (attempt > 150 || child.exitCode !== null) assert.fail(`the node did not start: ${stderr}`);
        await sleep(100);
      }
      const acknowledged: string[] = [];
      const writers = Array.from({ length: 4 }, async (_, writer) => {
        for (let i = 0; ; i++) {
          try {
            const added = await admin(node, 'POST', '/quarantine', {
              ecosystem: 'conda',
              name: `pkg-${writer}-${i}`,
              reason: 'durability test',
            });
            if (added.status === 201 && added.body.id) acknowledged.push(added.body.id);
          } catch {
            return;
          }
          if (acknowledged.length >= 30 && writer === 0) child.kill('SIGKILL');
        }
      });
      await Promise.all(writers);
      // a child killed by a signal has a signalCode and no exitCode
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      await new Promise((resolve) => (exited() ? resolve(undefined) : child.once('exit', resolve)));
      assert.ok(acknowledged.length >= 30);
      const state = openSqliteState(join(dir, 'state.db'));
      try {
        const active = new Set((await state.active(new Date())).map((entry) => entry.id));
        const audit = await state.auditLog({ action: 'quarantine', limit: 1000 });
        const audited = new Set(audit.map((event) => String(event.detail?.id ?? '')));
        for (const id of acknowledged) {
          assert.ok(active.has(id), `entry ${id} was acknowledged but is gone`);
          assert.ok(audited.has(id), `entry ${id} has no audit line`);
        }
      } finally {
        await state.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      channel.server.close();
    }
  });
});
