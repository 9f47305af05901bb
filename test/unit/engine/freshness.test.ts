/**
 * The threat data is judged on every run against the engine's clock: a long-lived engine whose
 * data goes stale fails closed on its next run, exactly as `cvebuild gate` does on stale data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine } from '../../../src/engine/engine.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { type OpenedIntel, openIntelStore } from '../../../src/intel/open.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { reportingCheck } from './fake-checks.ts';

const HOUR = 3_600_000;
const inventory = readInventory(fixture('audit/project/pixi.lock'));
const request = { inventory, checks: ['malicious'], offline: true };

describe('engine: threat-data freshness', () => {
  it('a second run after the data went stale fails closed with the gate’s own error', async () => {
    // the fixture is loaded into memory, so its feeds are fetched "now"
    let now = new Date(Date.now() + HOUR);
    const engine = createEngine({ intel: () => openIntelStore({ db: fixture('audit/intel') }), clock: () => now });
    try {
      const first = await engine.audit(request);
      assert.equal(first.verdict.outcome, 'fail');
      assert.ok(first.findings.some((finding) => finding.rule === 'MAL-2026-2144'));
      assert.equal(first.now, now);

      now = new Date(Date.now() + 49 * HOUR);
      await assertCvebuildErrorAsync(
        () => engine.audit(request),
        'DB_STALE',
        /^threat data is older than 2\.0 d: ghsa \(2\.0 d old\), .*; run `cvebuild db update`, or allow older data with --max-db-age$/,
      );
      // the policy's max-db-age decides, per run
      const relaxed = await engine.audit({ ...request, policy: { ...first.policy, maxDbAgeMs: 72 * HOUR } });
      assert.equal(relaxed.verdict.outcome, 'fail');
    } finally {
      engine.close();
    }
  });

  it('opens the store once, at the first run that needs it, and closes only what it opened', async () => {
    let opened = 0;
    let closed = 0;
    const open = async (): Promise<OpenedIntel> => {
      opened++;
      const intel = await openIntelStore({ db: fixture('audit/intel') });
      const close = intel.store.close.bind(intel.store);
      intel.store.close = () => {
        closed++;
        close();
      };
      return intel;
    };
    const engine = createEngine({ intel: open, clock: () => new Date() });
    await createEngine({ intel: open, checks: [reportingCheck('plain')] }).audit({ inventory });
    assert.equal(opened, 0, 'no check needed threat data');
    await Promise.all([engine.audit(request), engine.audit(request)]);
    await engine.audit(request);
    assert.equal(opened, 1);
    engine.close();
    assert.equal(closed, 1);

    const own = await open();
    const borrowing = createEngine({ intel: own, clock: () => new Date() });
    const result = await borrowing.audit(request);
    assert.equal(result.intel, own);
    borrowing.close();
    assert.equal(closed, 1, 'a store passed in stays open');
    own.store.close();
  });

  it('a run whose checks need threat data fails closed without any', async () => {
    await assertCvebuildErrorAsync(
      () => createEngine().audit(request),
      'DB_MISSING',
      'the selected checks need the threat-intel store',
    );
  });

  it('a store that could not be opened is tried again on the next run', async () => {
    let attempts = 0;
    const engine = createEngine({
      intel: () => {
        attempts++;
        return openIntelStore({ db: attempts === 1 ? fixture('audit/missing.sqlite') : fixture('audit/intel') });
      },
    });
    await assertCvebuildErrorAsync(() => engine.audit(request), 'DB_MISSING', 'no threat-intel store');
    assert.equal((await engine.audit(request)).verdict.outcome, 'fail');
    assert.equal(attempts, 2);
    engine.close();
  });
});
