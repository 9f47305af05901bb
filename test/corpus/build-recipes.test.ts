/**
 * Real corpus recipes through `cvebuild build` with the cph builder: the link-scripts package is
 * reported after the build, in the JSON report and in the HTML and SARIF reports of the same run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph } from '../helpers/build-recipe.ts';
import { type CliResult, runCli } from '../helpers/cli.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { sarifErrors } from '../helpers/schemas.ts';
import { tempDirectory } from '../helpers/temp.ts';

describe('cvebuild build on corpus recipes', { skip: !hasCorpus ? 'no ../shared corpus' : noCph }, () => {
  let result: CliResult;
  let reports: string;

  before(() => {
    const db = buildIntelStore();
    reports = tempDirectory();
    result = runCli([
      ...['build', corpus('recipes/rattler-link-scripts'), '--format', 'json', '--offline', '--db', db],
      ...['--output-dir', tempDirectory(), '--build-command', cphCommand('link-scripts')],
      ...['--output', join(reports, 'build.html'), join(reports, 'build.sarif')],
    ]);
  });

  it('reports the link scripts of rattler-link-scripts at the artifact-scan stage', () => {
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    const stages: { stage: string; outcome: string; findingList: { check: string; rule: string }[] }[] = JSON.parse(
      result.stdout,
    ).stages;
    assert.equal(stages.find((s) => s.stage === 'build')?.outcome, 'passed');
    const scan = stages.find((s) => s.stage === 'artifact-scan');
    assert.ok(scan && scan.outcome !== 'passed', JSON.stringify(scan));
    const rules = scan.findingList.filter((f) => f.check === 'link-scripts').map((f) => f.rule);
    assert.ok(
      rules.some((rule) => /post-link/.test(rule)),
      rules.join(', '),
    );
    assert.ok(
      rules.some((rule) => /pre-unlink/.test(rule)),
      rules.join(', '),
    );
  });

  it('gives the same findings as valid SARIF and in the HTML timeline and stage section', () => {
    const stages: { stage: string; outcome: string; findingList: { rule: string }[] }[] = JSON.parse(
      result.stdout,
    ).stages;
    const log = JSON.parse(readFileSync(join(reports, 'build.sarif'), 'utf8'));
    assert.deepEqual(sarifErrors(log), []);
    const [run] = log.runs;
    assert.deepEqual(
      run.results.map((r: { ruleId: string; properties: { stage: string } }) => `${r.properties.stage} ${r.ruleId}`),
      stages.flatMap((s) => s.findingList.map((f) => `${s.stage} ${f.rule}`)),
    );
    assert.equal(run.artifacts.length, 1, 'the built package');
    assert.match(run.artifacts[0].location.uri, /link-scripts-0\.1\.0-0\.conda$/);
    const scan = stages.find((s) => s.stage === 'artifact-scan');
    assert.ok(scan);
    const html = readFileSync(join(reports, 'build.html'), 'utf8');
    assert.match(html, new RegExp(`<li class="tl-item outcome-${scan.outcome}" data-stage="artifact-scan"`));
    const section = /<section class="stage [^"]*" id="stage-artifact-scan"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    assert.equal(section.match(/<li class="finding-card /g)?.length, scan.findingList.length);
    assert.match(section, /post-link/);
  });
});
