import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slsaClaim } from '../../../src/build/levels.ts';
import type { BuildRun } from '../../../src/build/pipeline.ts';
import { buildJson, buildMarkdown, buildTable } from '../../../src/build/report.ts';

const run = (fields: Partial<BuildRun> = {}): BuildRun => ({
  runDir: '/runs/run-0123456789abcdef',
  recipeFile: '/recipes/demo/recipe.yaml',
  digest: '0123456789abcdef',
  outcome: 'fail',
  stages: [
    { stage: 'typosquat', outcome: 'passed', findings: [], ms: 12, inputs: 'a' },
    {
      stage: 'secrets',
      outcome: 'halted',
      ms: 30,
      inputs: 'b',
      reason: 'a | b <script>alert(1)</script>',
      findings: [
        {
          check: 'secrets',
          rule: 'secrets/github-token',
          severity: 'critical',
          message: 'token in build.sh, ask @octocat or see https://evil.example/x',
          blocking: true,
          file: 'build.sh',
          line: 3,
        },
      ],
    },
    { stage: 'build', outcome: 'skipped', findings: [], ms: 0, inputs: 'c', reason: 'halted at secrets' },
  ],
  ...fields,
});

describe('the build report in Markdown', () => {
  it('gives the verdict, one table row per stage and the findings with where they are', () => {
    const markdown = buildMarkdown(run());
    const lines = markdown.split('\n');
    assert.equal(lines[0], '## cvebuild build: FAIL, halted at `secrets`');
    assert.ok(lines.includes('| `typosquat` | passed | 12 | 0 |   |'), markdown);
    assert.ok(lines.some((line) => line.startsWith('| `build` | skipped | 0 | 0 | halted at secrets |')));
    assert.ok(lines.includes('### Findings'));
    assert.ok(lines.some((line) => line.includes('`secrets/github-token`') && line.includes('build.sh:3')));
  });

  it('keeps recipe and finding text inert: no cell break-out, no HTML, no mention, no autolink', () => {
    const markdown = buildMarkdown(run());
    const secrets = markdown.split('\n').find((line) => line.startsWith('| `secrets` | halted'));
    assert.ok(secrets);
    // the row keeps its five cells: the reason's pipe is escaped
    assert.equal(secrets.split(/(?<!\\)\|/).length - 2, 5, secrets);
    assert.ok(!markdown.includes('<script>'));
    assert.ok(!/@octocat/.test(markdown), 'the mention is broken');
    assert.ok(!markdown.includes('https://evil.example'), 'no autolink');
  });

  it('says PASS and lists safe pins when the run passed', () => {
    const passed = run({
      outcome: 'pass',
      stages: [
        {
          stage: 'cve-audit',
          outcome: 'surfaced',
          findings: [],
          ms: 40,
          inputs: 'd',
          details: { safePins: ['openssl >=3.0.8'] },
        },
      ],
    });
    const markdown = buildMarkdown(passed);
    assert.match(markdown, /^## cvebuild build: PASS\n/);
    assert.match(markdown, /### Safe pins for the recipe\n\n- `openssl >=3\.0\.8`\n/);
  });
});

describe('the build report: supply-chain levels', () => {
  it('states Build L0 when the run halted before its provenance, in every format', () => {
    const halted = run();
    assert.equal(JSON.parse(buildJson(halted)).claims.slsa.label, 'Build L0');
    assert.match(buildTable(halted), /^SLSA {3}Build L0: no provenance was written for this run$/m);
    assert.match(buildMarkdown(halted), /^- \*\*SLSA Build L0\*\*: no provenance was written for this run\.$/m);
  });

  it("states the provenance stage's claim: L1, with why L2 and L3 are not met, and the S2C2F requirements", () => {
    const slsa = slsaClaim({ signed: 'keyed', subjects: 1, packages: 2 });
    const s2c2f = {
      level: null,
      note: 'no level claimed',
      requirements: [{ id: 'SCA-1', title: 'Scan OSS for known vulnerabilities', status: 'held', evidence: 'scanned' }],
    };
    const passed = run({
      outcome: 'pass',
      stages: [{ stage: 'provenance', outcome: 'passed', findings: [], ms: 3, inputs: 'e', details: { slsa, s2c2f } }],
    });
    assert.deepEqual(JSON.parse(buildJson(passed)).claims, { slsa, s2c2f });
    const table = buildTable(passed);
    assert.match(table, /^SLSA {3}Build L1: /m);
    assert.match(table, /^ {7}not Build L2: needs a hosted build platform/m);
    assert.match(table, /^ {7}not Build L3: /m);
    assert.match(table, /^ {7}SCA-1 held: scanned$/m);
    const markdown = buildMarkdown(passed);
    assert.match(markdown, /^### Supply-chain levels$/m);
    assert.match(markdown, /^- \*\*SLSA Build L1\*\*: /m);
    assert.match(markdown, /^- `SCA-1` Scan OSS for known vulnerabilities: held, scanned\.$/m);
  });
});
