import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { openIntelForAudit } from '../../../src/intel/open.ts';
import { fixture } from '../../helpers/paths.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('audit: a lock that says purls: [] for a package the name map knows', async () => {
  const { store } = await openIntelForAudit({ db: fixture('coverage/intel'), maxAgeMs: 48 * 3_600_000, now: NOW });
  const { findings } = await runAudit(readInventory(fixture('coverage/project/pixi.lock')), store, {
    now: NOW,
    offline: true,
    checks: ['vulnerability'],
  }).finally(() => store.close());

  it('finds the PyPI advisory through the name map, marked as the weaker name-map-fallback', () => {
    const [finding] = findings.filter((candidate) => candidate.subject?.name === 'zizmor');
    assert.equal(finding?.rule, 'GHSA-zzzz-mmmm-0001');
    assert.equal(finding?.evidence.mappedBy, 'name-map-fallback');
    assert.equal(finding?.evidence.target, 'PyPI:zizmor');
    assert.match(finding?.message ?? '', /via name-map-fallback/);
  });

  it('leaves the other mappings as they were', () => {
    assert.equal(findings.filter((candidate) => candidate.evidence.mappedBy === 'name-map').length, 0);
    assert.deepEqual(
      findings.filter((candidate) => candidate.subject?.name === 'libfoo'),
      [],
    );
  });
});
