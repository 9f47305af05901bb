/**
 * What every ProxyState store must do, run against SQLite and PostgreSQL alike, and the durability
 * check: a writer killed with SIGKILL mid-run loses none of the entries it reported written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StateSpec } from '../../../src/proxy/state/open.ts';
import { openProxyState } from '../../../src/proxy/state/open.ts';
import type { ProxyState } from '../../../src/proxy/types.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Registers the contract tests; `fresh` gives an empty store each time. */
export function storeContract(fresh: () => Promise<ProxyState>): void {
  it('adds entries with normalized names, lists the active ones and bumps the revision with each write', async () => {
    const state = await fresh();
    try {
      const start = await state.revision();
      const whole = await state.quarantine(
        { ecosystem: 'pypi', upstream: 'pypi', name: 'Zope.Interface' },
        { reason: 'malware report', by: 'alice' },
        at(0),
      );
      assert.match(whole.id, /^[A-Za-z0-9_-]{16}$/);
      assert.equal(whole.name, 'zope-interface');
      assert.equal(whole.createdAt, '2026-01-01T00:00:00.000Z');
      assert.equal(await state.revision(), start + 1);
      const file = await state.quarantine(
        { ecosystem: 'conda', upstream: '*', name: 'NumPy', version: '2.0.0', file: 'numpy-2.0.0-py312h_0.conda' },
        { reason: 'bad build', by: 'bob', expiresAt: '2026-01-01T02:00:00+01:00' },
        at(1),
      );
      assert.equal(file.name, 'numpy');
      assert.equal(file.expiresAt, '2026-01-01T01:00:00.000Z');
      assert.equal(await state.revision(), start + 2);
      const active = await state.active(at(2));
      assert.deepEqual(
        active.map((entry) => [entry.id, entry.name, entry.version, entry.file, entry.by, entry.reason]),
        [
          [whole.id, 'zope-interface', undefined, undefined, 'alice', 'malware report'],
          [file.id, 'numpy', '2.0.0', 'numpy-2.0.0-py312h_0.conda', 'bob', 'bad build'],
        ],
      );
    } finally {
      await state.close();
    }
  });

  it('leaves expired entries out of the active list but keeps them in the history', async () => {
    const state = await fresh();
    try {
      const entry = await state.quarantine(
        { ecosystem: 'pypi', upstream: '*', name: 'left-pad' },
        { reason: 'r', by: 'a', expiresAt: at(10).toISOString() },
        at(0),
      );
      assert.deepEqual(
        (await state.active(at(9))).map((e) => e.id),
        [entry.id],
      );
      assert.deepEqual(await state.active(at(10)), []);
      assert.equal(await state.release(entry.id, { reason: 'late', by: 'a' }, at(11)), false, 'expired: not active');
      assert.deepEqual(
        (await state.history({})).map((e) => e.id),
        [entry.id],
      );
    } finally {
      await state.close();
    }
  });

  it('releases an entry once, keeps it with who and why, and audits both actions newest first', async () => {
    const state = await fresh();
    try {
      const entry = await state.quarantine(
        { ecosystem: 'pypi', upstream: 'pypi', name: 'requests', version: '2.99.0' },
        { reason: 'typosquat clone', by: 'alice' },
        at(0),
      );
      const before = await state.revision();
      assert.equal(await state.release('no-such-id', { reason: 'x', by: 'bob' }, at(1)), false);
      assert.equal(await state.revision(), before, 'a failed release changes nothing');
      assert.equal(await state.release(entry.id, { reason: 'false positive', by: 'bob' }, at(2)), true);
      assert.equal(await state.revision(), before + 1);
      assert.equal(await state.release(entry.id, { reason: 'again', by: 'bob' }, at(3)), false);
      assert.deepEqual(await state.active(at(4)), []);
      const [record] = await state.history({});
      assert.equal(record?.releasedAt, at(2).toISOString());
      assert.equal(record?.releasedBy, 'bob');
      assert.equal(record?.releaseReason, 'false positive');
      await state.audit({ at: at(5).toISOString(), action: 'block-download', actor: '127.0.0.1', name: 'requests' });
      const log = await state.auditLog({});
      assert.deepEqual(
        log.map((event) => [event.action, event.actor, event.detail?.id]),
        [
          ['block-download', '127.0.0.1', undefined],
          ['release', 'bob', entry.id],
          ['quarantine', 'alice', entry.id],
        ],
      );
      assert.equal(log[1]?.detail?.reason, 'false positive');
      assert.equal(log[2]?.version, '2.99.0');
      assert.deepEqual(
        (await state.auditLog({ action: 'release' })).map((e) => e.action),
        ['release'],
      );
      assert.deepEqual(
        (await state.auditLog({ since: at(2).toISOString() })).map((e) => e.action),
        ['block-download', 'release'],
      );
      assert.equal((await state.auditLog({ limit: 1 })).length, 1);
    } finally {
      await state.close();
    }
  });
}

const WRITER = fileURLToPath(new URL('../../fixtures/proxy/state-writer.ts', import.meta.url));

/**
 * Starts the writer on `spec`, kills it with SIGKILL once it reported `count` writes, and returns
 * every id it printed (the kill lands while further writes are in flight).
 */
export async function killWriterMidRun(spec: StateSpec, count = 25): Promise<string[]> {
  const child = spawn(process.execPath, [WRITER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').length - 2 >= count && child.exitCode === null) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`the writer exited before it was killed: ${stderr}`)));
  });
  assert.equal(await exited, 'SIGKILL');
  const ids = stdout.split('\n').filter((line) => line !== '' && line !== 'ready');
  assert.ok(ids.length >= count, `the writer reported ${ids.length} writes`);
  return ids;
}

/** Every reported id is in the store, with its audit line. */
export async function assertAllWritten(spec: StateSpec, ids: readonly string[]): Promise<void> {
  const state = await openProxyState(spec);
  try {
    const stored = new Set((await state.history({ limit: 1000 })).map((entry) => entry.id));
    const audited = new Set(
      (await state.auditLog({ action: 'quarantine', limit: 1000 })).map((event) => String(event.detail?.id)),
    );
    assert.ok(stored.size < 1000 && audited.size < 1000, 'the writer wrote fewer entries than one page');
    for (const id of ids) {
      assert.ok(stored.has(id), `entry ${id} was reported written but is missing`);
      assert.ok(audited.has(id), `entry ${id} has no audit line`);
    }
    assert.equal(await state.revision(), stored.size, 'one revision per write');
  } finally {
    await state.close();
  }
}
