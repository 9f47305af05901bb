/**
 * The build report as SARIF 2.1.0: one run whose results are every stage's findings, located at
 * their file and line (the recipe file otherwise), whose invocation tells how each stage ended as
 * tool-execution notifications, and which validates against the official schema.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSarif } from '../../../src/build/report-sarif.ts';
import { STAGE_NAMES } from '../../../src/build/types.ts';
import { haltedRun, passedRun } from '../../helpers/build-run.ts';
import { hasCorpus } from '../../helpers/paths.ts';
import { sarifErrors } from '../../helpers/schemas.ts';

const CONTEXT = { generatedAt: new Date('2026-11-20T12:00:00Z'), root: '/recipes' };

interface Log {
  runs: {
    tool: { driver: { name: string; rules: { id: string }[] } };
    automationDetails: { id: string };
    invocations: {
      executionSuccessful: boolean;
      endTimeUtc: string;
      toolExecutionNotifications: {
        level: string;
        message: { text: string };
        descriptor: { id: string };
        properties: { stage: string; outcome: string };
      }[];
    }[];
    artifacts?: { location: { uri: string }; hashes: Record<string, string> }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
      }[];
      partialFingerprints: Record<string, string>;
      properties: { stage: string; blocking: boolean; package?: string };
    }[];
    properties: { verdict: string; haltedAt?: string; stages: { stage: string }[]; safePins?: string[] };
  }[];
}

const parse = (text: string) => JSON.parse(text) as Log;

describe('the build report in SARIF', () => {
  it('is one run whose results are every stage’s findings, with their rules', () => {
    const log = parse(buildSarif(haltedRun(), CONTEXT));
    assert.equal(log.runs.length, 1);
    const [run] = log.runs;
    assert.ok(run);
    assert.equal(run.automationDetails.id, 'cvebuild/build/', 'its own code-scanning category, apart from the gate');
    assert.deepEqual(
      run.results.map((result) => `${result.properties.stage}:${result.ruleId}:${result.level}`),
      [
        'cve-audit:CVE-2024-35195:warning',
        'secrets:secrets/github-token:error',
        'secrets:secrets/generic-api-key:error',
      ],
    );
    const rules = run.tool.driver.rules.map((rule) => rule.id);
    for (const result of run.results) assert.equal(rules[result.ruleIndex], result.ruleId);
    const fingerprints = new Set(run.results.map((result) => result.partialFingerprints['cvebuild/v1']));
    assert.equal(fingerprints.size, run.results.length);
  });

  it('locates a finding at its file and line, relative to the root, and one without a file at the recipe', () => {
    const [run] = parse(buildSarif(haltedRun(), CONTEXT)).runs;
    const where = run?.results.map((result) => {
      const location = result.locations[0]?.physicalLocation;
      return `${location?.artifactLocation.uriBaseId} ${location?.artifactLocation.uri}:${location?.region.startLine}`;
    });
    assert.deepEqual(where, [
      '%SRCROOT% demo-%3Cb%3Epkg%26/recipe.yaml:12',
      '%SRCROOT% demo-%3Cb%3Epkg%26/build.sh:3',
      '%SRCROOT% demo-%3Cb%3Epkg%26/recipe.yaml:1',
    ]);
    const outside = parse(buildSarif(haltedRun(), { ...CONTEXT, root: '/elsewhere' })).runs[0];
    assert.match(
      outside?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri ?? '',
      /^file:\/\/\/recipes\//,
    );
  });

  it('tells how each stage ended as a tool-execution notification; a halted run still executed successfully', () => {
    const [run] = parse(buildSarif(haltedRun(), CONTEXT)).runs;
    const [invocation] = run?.invocations ?? [];
    assert.ok(invocation);
    // as the gate's log for a failing verdict: the halt is the verdict, not the tool failing
    assert.equal(invocation.executionSuccessful, true);
    assert.equal(invocation.endTimeUtc, '2026-11-20T12:00:00.000Z');
    const notifications = invocation.toolExecutionNotifications;
    assert.deepEqual(
      notifications.map((n) => n.properties.stage),
      [...STAGE_NAMES],
    );
    assert.deepEqual(
      notifications.map((n) => `${n.properties.outcome}:${n.level}`),
      [
        'passed:note',
        'passed:note',
        'skipped:warning',
        'surfaced:warning',
        'passed:note',
        'halted:error',
        ...Array(5).fill('skipped:warning'),
      ],
    );
    const halted = notifications[5];
    assert.equal(halted?.descriptor.id, 'cvebuild/build-stage-halted');
    assert.match(halted?.message.text ?? '', /^Secret scan \(secrets\): halted: secrets: build\.sh:3 github-token/);
    assert.equal(notifications[6]?.message.text, 'Build (build): skipped: halted at secrets (0 ms, 0 findings)');
    assert.equal(run?.properties.verdict, 'fail');
    assert.equal(run?.properties.haltedAt, 'secrets');
  });

  it('names the built packages as artifacts with their sha256, and a resumed stage as a note', () => {
    const built = passedRun();
    const build = built.stages.find((record) => record.stage === 'build');
    assert.ok(build);
    Object.assign(build, { outcome: 'skipped', recorded: 'passed', reason: 'resumed: passed in an earlier run' });
    const [run] = parse(buildSarif(built, { ...CONTEXT, root: '/runs' })).runs;
    assert.deepEqual(run?.artifacts, [
      {
        location: { uri: 'run-0123456789abcdef/output/demo-pkg-0.1.0-0.conda', uriBaseId: '%SRCROOT%' },
        hashes: { 'sha-256': 'ab'.repeat(32) },
        roles: ['analysisTarget'],
      },
    ]);
    const notification = run?.invocations[0]?.toolExecutionNotifications.find((n) => n.properties.stage === 'build');
    assert.equal(notification?.level, 'note');
    assert.match(notification?.message.text ?? '', /skipped, resumed \(passed in an earlier run\)/);
    assert.equal(run?.properties.verdict, 'pass');
    assert.deepEqual(run?.properties.safePins, ['requests >=2.32.0']);
  });

  it('masks credentials, shows bidi characters as escapes and escapes SARIF link brackets in outside text', () => {
    const run = haltedRun();
    const secrets = run.stages.find((record) => record.stage === 'secrets');
    assert.ok(secrets?.findings[1]);
    secrets.findings[1].message = 'see [docs](https://evil.example) for the key';
    const text = buildSarif(run, CONTEXT);
    assert.ok(!text.includes('hunter2'));
    assert.ok(!text.includes('\u202e'));
    const messages = parse(text).runs[0]?.results.map((result) => result.message.text);
    assert.ok(messages?.includes('see \\[docs\\](https://evil.example) for the key'), JSON.stringify(messages));
  });

  it('validates against the SARIF 2.1.0 schema, halted and passed', {
    skip: !hasCorpus && 'needs ../shared/corpus',
  }, () => {
    for (const run of [haltedRun(), passedRun()]) {
      assert.deepEqual(sarifErrors(JSON.parse(buildSarif(run, CONTEXT))), []);
    }
    const broken = JSON.parse(buildSarif(haltedRun(), CONTEXT));
    broken.runs[0].invocations[0].toolExecutionNotifications[0].level = 'fatal';
    assert.ok(sarifErrors(broken).length > 0, 'the validator does reject a bad notification');
  });
});
