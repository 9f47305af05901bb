/** Stopping a run (AbortSignal) and hearing how it goes (progress events). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine } from '../../../src/engine/engine.ts';
import type { EngineEvent } from '../../../src/engine/events.ts';
import { inventoryFromPackages } from '../../../src/readers/packages.ts';
import { condaPackage } from '../report/sbom-fixtures.ts';
import { deafCheck, fakeCheck, reportingCheck, throwingCheck, waitingCheck } from './fake-checks.ts';

const inventory = inventoryFromPackages([condaPackage('numpy', '2.0.0'), condaPackage('zlib', '1.3.1')]);
const clock = () => new Date('2026-11-22T12:00:00Z');

describe('engine: abort', () => {
  for (const [label, slow] of [
    ['a check waiting on the signal', waitingCheck('slow')],
    ['a check that never looks at the signal', deafCheck('slow')],
  ] as const) {
    it(`rejects promptly with an AbortError, aborted during ${label}`, async () => {
      const controller = new AbortController();
      const started: string[] = [];
      const ended: { id: string; status: string }[] = [];
      const engine = createEngine({
        clock,
        http: null,
        checks: [reportingCheck('first'), slow, reportingCheck('never')],
      });
      const begun = performance.now();
      await assert.rejects(
        engine.audit(
          { inventory },
          {
            signal: controller.signal,
            onEvent: (event) => {
              if (event.type === 'check-start') {
                started.push(event.id);
                // abort once the slow check is under way
                if (event.id === 'slow') setTimeout(() => controller.abort(), 20);
              }
              if (event.type === 'check-end') ended.push({ id: event.id, status: event.status });
            },
          },
        ),
        { name: 'AbortError' },
      );
      assert.ok(performance.now() - begun < 1000, 'the run stops within a second');
      assert.deepEqual(started, ['first', 'slow']);
      assert.deepEqual(ended, [
        { id: 'first', status: 'ok' },
        { id: 'slow', status: 'aborted' },
      ]);
    });
  }

  it('aborted from the progress event of a check starting: that check never runs', async () => {
    const controller = new AbortController();
    let ran = false;
    const engine = createEngine({
      clock,
      http: null,
      checks: [
        reportingCheck('first'),
        fakeCheck('second', () => {
          ran = true;
          return [];
        }),
      ],
    });
    await assert.rejects(
      engine.audit(
        { inventory },
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'check-start' && event.id === 'second') controller.abort();
          },
        },
      ),
      { name: 'AbortError' },
    );
    assert.equal(ran, false);
  });

  it('aborted from a progress event between checks: the next check does not start', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const engine = createEngine({ clock, http: null, checks: [reportingCheck('first'), reportingCheck('second')] });
    await assert.rejects(
      engine.audit(
        { inventory },
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'check-start') started.push(event.id);
            if (event.type === 'check-end') controller.abort();
          },
        },
      ),
      { name: 'AbortError' },
    );
    assert.deepEqual(started, ['first']);
  });

  it('an already aborted signal runs nothing, and the abort reason is what the run rejects with', async () => {
    const reason = new Error('shutting down');
    const events: EngineEvent[] = [];
    const engine = createEngine({ clock, http: null, checks: [reportingCheck('first')] });
    await assert.rejects(
      engine.audit({ inventory }, { signal: AbortSignal.abort(reason), onEvent: (event) => events.push(event) }),
      (error) => error === reason,
    );
    assert.deepEqual(events, []);
  });
});

describe('engine: progress events', () => {
  it('run-start, a start and an end per check in order with counts, then run-end', async () => {
    const events: EngineEvent[] = [];
    const engine = createEngine({
      clock,
      http: null,
      checks: [reportingCheck('first', 'high'), throwingCheck('boom', new Error('bug')), reportingCheck('third')],
    });
    const result = await engine.audit({ inventory }, { onEvent: (event) => events.push(event) });
    const shown = events.map((event) =>
      event.type === 'check-end' || event.type === 'run-end' ? { ...event, ms: 0 } : event,
    );
    assert.deepEqual(shown, [
      { type: 'run-start', packages: 2, checks: 3 },
      { type: 'check-start', id: 'first', index: 0, total: 3 },
      { type: 'check-end', id: 'first', index: 0, total: 3, status: 'ok', ms: 0, findings: 2, reason: undefined },
      { type: 'check-start', id: 'boom', index: 1, total: 3 },
      { type: 'check-end', id: 'boom', index: 1, total: 3, status: 'failed', ms: 0, findings: 1, reason: 'bug' },
      { type: 'check-start', id: 'third', index: 2, total: 3 },
      { type: 'check-end', id: 'third', index: 2, total: 3, status: 'ok', ms: 0, findings: 2, reason: undefined },
      { type: 'run-end', packages: 2, findings: 5, outcome: 'fail', ms: 0 },
    ]);
    assert.equal(result.findings.length, 5);
    for (const event of events) if ('ms' in event) assert.ok(event.ms >= 0);
  });
});
