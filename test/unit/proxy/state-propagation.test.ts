import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openProxyState } from '../../../src/proxy/state/open.ts';
import { QuarantineWatcher } from '../../../src/proxy/state/propagation.ts';
import type { ProxyState } from '../../../src/proxy/types.ts';

const T0 = new Date('2026-01-01T00:00:00Z');

function clockAt(start: Date): { now: () => Date; advance: (minutes: number) => void } {
  let time = start.getTime();
  return { now: () => new Date(time), advance: (minutes) => (time += minutes * 60_000) };
}

/** A store whose reads fail while `down` is set, as an unreachable database would. */
function flaky(state: ProxyState): ProxyState & { down: boolean } {
  const wrapper = Object.create(state) as ProxyState & { down: boolean };
  wrapper.down = false;
  wrapper.revision = async () => {
    if (wrapper.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (postgres://u:secret@db/x)');
    return state.revision();
  };
  wrapper.active = (now) => state.active(now);
  return wrapper;
}

describe('the quarantine watcher', () => {
  it('matches by name, upstream, version and file as the entries say, and never an expired entry', async () => {
    const clock = clockAt(T0);
    const state = await openProxyState({ sqlite: ':memory:' });
    const watcher = new QuarantineWatcher(state, { clock: clock.now });
    const whole = await state.quarantine(
      { ecosystem: 'pypi', upstream: '*', name: 'evil-pkg' },
      { reason: 'malware', by: 'a' },
      clock.now(),
    );
    const version = await state.quarantine(
      { ecosystem: 'pypi', upstream: 'pypi', name: 'requests', version: '2.99.0' },
      { reason: 'bad release', by: 'a', expiresAt: new Date(T0.getTime() + 60 * 60_000).toISOString() },
      clock.now(),
    );
    const file = await state.quarantine(
      {
        ecosystem: 'conda',
        upstream: 'conda-forge',
        name: 'numpy',
        version: '2.0.0',
        file: 'numpy-2.0.0-py312_0.conda',
      },
      { reason: 'bad build', by: 'a' },
      clock.now(),
    );
    await watcher.start();
    try {
      const ids = (target: Parameters<QuarantineWatcher['matches']>[0]) => watcher.matches(target).map((e) => e.id);
      assert.deepEqual(ids({ ecosystem: 'pypi', upstream: 'internal', name: 'Evil_Pkg', version: '1.0' }), [whole.id]);
      assert.deepEqual(ids({ ecosystem: 'pypi', upstream: 'internal', name: 'evil-pkg' }), [whole.id]);
      assert.deepEqual(ids({ ecosystem: 'conda', upstream: 'conda-forge', name: 'evil-pkg' }), [], 'other ecosystem');
      assert.deepEqual(ids({ ecosystem: 'pypi', upstream: 'pypi', name: 'requests', version: '2.99.0' }), [version.id]);
      assert.deepEqual(ids({ ecosystem: 'pypi', upstream: 'pypi', name: 'requests', version: '2.32.0' }), []);
      assert.deepEqual(ids({ ecosystem: 'pypi', upstream: 'mirror', name: 'requests', version: '2.99.0' }), []);
      assert.deepEqual(ids({ ecosystem: 'pypi', upstream: 'pypi', name: 'requests' }), [], 'the project as a whole');
      const numpy = { ecosystem: 'conda', upstream: 'conda-forge', name: 'numpy', version: '2.0.0' } as const;
      assert.deepEqual(ids({ ...numpy, file: 'numpy-2.0.0-py312_0.conda' }), [file.id]);
      assert.deepEqual(ids({ ...numpy, file: 'numpy-2.0.0-py313_0.conda' }), []);
      assert.equal(watcher.entries().length, 3);
      clock.advance(60);
      assert.deepEqual(
        ids({ ecosystem: 'pypi', upstream: 'pypi', name: 'requests', version: '2.99.0' }),
        [],
        'expired',
      );
      assert.equal(watcher.entries().length, 2);
    } finally {
      watcher.stop();
      await state.close();
    }
  });

  it('picks up a change on its next poll and reloads at once on refreshNow', async () => {
    const state = await openProxyState({ sqlite: ':memory:' });
    const watcher = new QuarantineWatcher(state, { propagationMs: 20 });
    await watcher.start();
    try {
      assert.equal(watcher.revision, 0);
      await state.quarantine({ ecosystem: 'pypi', upstream: '*', name: 'a' }, { reason: 'r', by: 'x' }, new Date());
      await until(() => watcher.matches({ ecosystem: 'pypi', upstream: 'pypi', name: 'a' }).length === 1);
      assert.equal(watcher.revision, 1);
      watcher.stop();
      await state.quarantine({ ecosystem: 'pypi', upstream: '*', name: 'b' }, { reason: 'r', by: 'x' }, new Date());
      assert.equal(watcher.matches({ ecosystem: 'pypi', upstream: 'pypi', name: 'b' }).length, 0, 'not polling');
      await watcher.refreshNow();
      assert.equal(watcher.matches({ ecosystem: 'pypi', upstream: 'pypi', name: 'b' }).length, 1);
    } finally {
      watcher.stop();
      await state.close();
    }
  });

  it('keeps the last list when the store is unreachable, and reports stale with the masked error', async () => {
    const inner = await openProxyState({ sqlite: ':memory:' });
    const state = flaky(inner);
    const errors: unknown[] = [];
    const watcher = new QuarantineWatcher(state, { onError: (error) => errors.push(error) });
    await inner.quarantine({ ecosystem: 'pypi', upstream: '*', name: 'a' }, { reason: 'r', by: 'x' }, new Date());
    await watcher.refreshNow();
    assert.equal(watcher.stale, false);
    state.down = true;
    await watcher.refreshNow();
    await watcher.refreshNow();
    assert.equal(watcher.stale, true);
    assert.equal(errors.length, 2);
    const health = watcher.health();
    assert.equal(health.failures, 2);
    assert.equal(health.entries, 1, 'the last list is kept');
    assert.match(health.lastError ?? '', /ECONNREFUSED/);
    assert.doesNotMatch(health.lastError ?? '', /secret/);
    assert.equal(watcher.matches({ ecosystem: 'pypi', upstream: 'pypi', name: 'a' }).length, 1);
    state.down = false;
    await watcher.refreshNow();
    assert.equal(watcher.stale, false);
    await inner.close();
  });

  it('is stale and empty when its first load fails', async () => {
    const state = flaky(await openProxyState({ sqlite: ':memory:' }));
    state.down = true;
    const watcher = new QuarantineWatcher(state);
    await watcher.start();
    watcher.stop();
    assert.equal(watcher.stale, true);
    assert.equal(watcher.revision, -1);
    assert.deepEqual(watcher.entries(), []);
  });
});

/** Waits for the condition; the deadline only guards against a hang, it asserts no timing. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
