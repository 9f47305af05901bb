/** Real corpus recipes through `cvebuild build` with the cph builder: the link-scripts package is reported after the build. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph } from '../helpers/build-recipe.ts';
import { runCli } from '../helpers/cli.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';

describe('cvebuild build on corpus recipes', { skip: !hasCorpus ? 'no ../shared corpus' : noCph }, () => {
  it('reports the link scripts of rattler-link-scripts at the artifact-scan stage', () => {
    const db = buildIntelStore();
    const result = runCli([
      ...['build', corpus('recipes/rattler-link-scripts'), '--format', 'json', '--offline', '--db', db],
      ...['--output-dir', tempDirectory(), '--build-command', cphCommand('link-scripts')],
    ]);
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
});
