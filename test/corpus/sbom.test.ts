/**
 * Every real lock in the corpus becomes a CycloneDX BOM that validates against the 1.6 schema, with
 * exactly one component per inventory package, unique bom-refs, and a dependency graph that stays on
 * each component's platform; and an SPDX document that meets the SPDX 2.3 rules. Validating all of
 * them takes ~10 s (the 4,353-component ros2-nav2 BOM alone ~4.6 s), so all of them are validated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInventory } from '../../src/engine/read-project.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import { renderCycloneDx } from '../../src/report/cyclonedx.ts';
import { reportPolicy } from '../../src/report/from-audit.ts';
import { type ReportInput, TOOL } from '../../src/report/report.ts';
import { renderSpdx } from '../../src/report/spdx.ts';
import { manifestLockRows } from '../helpers/manifest-table.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { cycloneDxErrors, spdxErrors } from '../helpers/schemas.ts';

const NEGATIVE = /parse-fails\/|forward-compatible-lock/;

interface Bom {
  metadata: { component: { 'bom-ref': string } };
  components: { 'bom-ref': string }[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

function reportFor(path: string): ReportInput {
  return {
    tool: TOOL,
    generatedAt: new Date('2026-11-20T12:00:00Z'),
    target: path,
    root: path.slice(0, path.lastIndexOf('/')),
    inventory: readInventory(path),
    findings: [],
    verdict: { outcome: 'pass', reasons: [], warnings: [] },
    checks: [],
    policy: reportPolicy(defaultPolicy()),
    undecided: [],
  };
}

/** `conda:linux-64/name@…` → `linux-64`. */
const platformOf = (ref: string) => ref.slice(ref.indexOf(':') + 1, ref.indexOf('/'));

describe('SBOMs of the corpus locks', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  const rows = hasCorpus ? manifestLockRows().filter((row) => !NEGATIVE.test(row.path)) : [];

  it('covers the real locks', () => {
    assert.ok(rows.length >= 50, `${rows.length} locks`);
  });

  for (const row of rows) {
    it(row.path, async () => {
      const report = reportFor(corpus(row.path));
      const packages = report.inventory.packages.length;

      const json = renderCycloneDx(report, { vulnerabilities: false });
      const bom = JSON.parse(json) as Bom;
      assert.equal(bom.components.length, packages);
      const refs = bom.components.map((component) => component['bom-ref']);
      assert.equal(new Set(refs).size, refs.length, 'bom-refs are unique');
      const graph = new Map(bom.dependencies.map((entry) => [entry.ref, entry.dependsOn ?? []]));
      for (const ref of refs) {
        assert.ok(graph.has(ref), `${ref} is in the dependency graph`);
        for (const target of graph.get(ref) ?? [])
          assert.equal(platformOf(target), platformOf(ref), `${ref} → ${target}`);
      }
      assert.ok(graph.has(bom.metadata.component['bom-ref']));
      assert.deepEqual((await cycloneDxErrors(json)).slice(0, 5), []);

      const spdx = JSON.parse(renderSpdx(report));
      assert.equal(spdx.packages.length, packages + 1, 'the project and every package');
      assert.deepEqual(spdxErrors(spdx).slice(0, 5), []);
    });
  }
});
