/**
 * Build runs for the report tests, without running a build: every stage of the pipeline with
 * self-made outcomes, times, findings and details. `haltedRun` stops at secrets with a finding
 * whose message carries markup, a mention, a URL with credentials and a bidi override;
 * `passedRun` builds, signs and describes a package and surfaces a CVE with a safe pin.
 */
import type { BuildRun } from '../../src/build/pipeline.ts';
import { STAGE_NAMES, type StageName, type StageRecord } from '../../src/build/types.ts';

export const HOSTILE_MESSAGE =
  'token in build.sh <script>alert(1)</script><img src=x onerror=alert(2)> ask @octocat, see https://user:hunter2@evil.example/x \u202etxt.exe';

const RECIPE_DIR = '/recipes/demo-<b>pkg&';

function stage(stage: StageName, fields: Partial<StageRecord> = {}): StageRecord {
  return { stage, outcome: 'passed', findings: [], ms: 10, inputs: `inputs-${stage}`, ...fields };
}

export function haltedRun(): BuildRun {
  const before: StageRecord[] = [
    stage('typosquat', { ms: 34 }),
    stage('threat-intel', { ms: 3 }),
    stage('resolve', {
      outcome: 'skipped',
      ms: 0,
      reason: 'solving against channels is not built yet (no pixi.lock beside the recipe)',
    }),
    stage('cve-audit', {
      outcome: 'surfaced',
      ms: 120,
      reason: 'high: requests 2.31.0 CVE-2024-35195',
      findings: [
        {
          check: 'vulnerability',
          rule: 'CVE-2024-35195',
          severity: 'medium',
          package: 'requests 2.31.0',
          message: 'requests 2.31.0 is affected by CVE-2024-35195',
          blocking: false,
          file: `${RECIPE_DIR}/recipe.yaml`,
          line: 12,
        },
      ],
      details: { safePins: ['requests >=2.32.0'] },
    }),
    stage('sast', { ms: 410 }),
    stage('secrets', {
      outcome: 'halted',
      ms: 95,
      reason: 'secrets: build.sh:3 github-token <script>alert(3)</script>',
      findings: [
        {
          check: 'secrets',
          rule: 'secrets/github-token',
          severity: 'critical',
          message: HOSTILE_MESSAGE,
          blocking: true,
          file: `${RECIPE_DIR}/build.sh`,
          line: 3,
        },
        {
          check: 'secrets',
          rule: 'secrets/generic-api-key',
          severity: 'high',
          message: 'an API key in the recipe',
          blocking: true,
        },
      ],
    }),
  ];
  const after = STAGE_NAMES.slice(before.length).map((name) =>
    stage(name, { outcome: 'skipped', ms: 0, reason: 'halted at secrets' }),
  );
  return {
    runDir: '/runs/run-0123456789abcdef',
    recipeFile: `${RECIPE_DIR}/recipe.yaml`,
    digest: '0123456789abcdef'.repeat(4),
    outcome: 'fail',
    stages: [...before, ...after],
  };
}

export function passedRun(): BuildRun {
  const run = haltedRun();
  const output = `${run.runDir}/output/demo-pkg-0.1.0-0.conda`;
  const records: Record<StageName, Partial<StageRecord>> = {
    typosquat: { ms: 30 },
    'threat-intel': { ms: 2 },
    resolve: { outcome: 'skipped', ms: 0, reason: 'solving against channels is not built yet' },
    'cve-audit': run.stages[3] ?? {},
    sast: { ms: 300 },
    secrets: { ms: 80 },
    build: {
      ms: 2100,
      reason: '1 package(s) built',
      details: { artifacts: [{ file: output, sha256: 'ab'.repeat(32) }], log: `${run.runDir}/build.log` },
    },
    'artifact-scan': {
      ms: 140,
      details: {
        packages: ['demo-pkg 0.1.0 0'],
        checks: [
          { id: 'link-scripts', status: 'ok' },
          { id: 'artifact-files', status: 'ok' },
        ],
      },
    },
    sign: { ms: 60, reason: '1 bundle(s), keyed', details: { bundles: [`${output}.sigstore.json`] } },
    sbom: { ms: 180, reason: 'CycloneDX of 1 package(s)', details: { sbom: `${run.runDir}/sbom.cdx.json` } },
    provenance: { outcome: 'skipped', ms: 0, reason: 'SLSA provenance is not built yet' },
  };
  return {
    ...run,
    outcome: 'pass',
    stages: STAGE_NAMES.map((name) => {
      const { stage: _stage, ...fields } = records[name] as StageRecord;
      return stage(name, fields);
    }),
  };
}
