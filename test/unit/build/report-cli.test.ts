/**
 * `cvebuild build --format` and `--output` through the real CLI: every format on standard output,
 * one more report per `--output` with its format from the file's name or `FORMAT=` (as the gate's
 * audit reads them), names that tell no format or one the build does not write refused before
 * the build, and a leaked token in no format at all.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STAGE_NAMES } from '../../../src/build/types.ts';
import { cphCommand, noCph, recipeDirectory } from '../../helpers/build-recipe.ts';
import { runCli } from '../../helpers/cli.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { hasCorpus } from '../../helpers/paths.ts';
import { sarifErrors } from '../../helpers/schemas.ts';
import { tempDirectory } from '../../helpers/temp.ts';

/** Dependency checks off: no threat data is needed for these runs. */
function offlineRecipe(name: string, files: Record<string, string> = {}): string {
  const recipe = recipeDirectory(name, [], files);
  writeFileSync(
    join(recipe, 'cvebuild.toml'),
    ['typosquat', 'malicious', 'vulnerability', 'vendored-libs']
      .map((id) => `[checks.${id}]\nenabled = false\n`)
      .join('\n'),
  );
  return recipe;
}

describe('cvebuild build: report formats and --output', () => {
  it('writes each --output in the format its name says, beside SARIF on standard output', { skip: noCph }, () => {
    const recipe = offlineRecipe('formats-pkg');
    const out = tempDirectory();
    const file = (name: string) => join(out, name);
    const result = runCli([
      ...['build', recipe, '--offline', '--output-dir', out, '--build-command', cphCommand('formats-pkg')],
      ...['--format', 'sarif', '--output', file('report.html'), file('report.sarif'), file('report.md')],
      ...['--output', file('report.json'), '--output', `json=${file('report.out')}`],
    ]);
    assert.equal(result.status, 0, result.stderr);
    const log = JSON.parse(result.stdout);
    assert.equal(log.runs[0].invocations[0].toolExecutionNotifications.length, STAGE_NAMES.length);
    assert.equal(log.runs[0].properties.verdict, 'pass');
    assert.deepEqual(JSON.parse(readFileSync(file('report.sarif'), 'utf8')), log);
    if (hasCorpus) assert.deepEqual(sarifErrors(log), []);

    const html = readFileSync(file('report.html'), 'utf8');
    assert.equal(html.match(/<li class="tl-item /g)?.length, STAGE_NAMES.length);
    assert.match(html, /<span class="verdict-word">PASS<\/span>/);
    assert.match(html, /formats-pkg-0\.1\.0-0\.conda/);
    assert.match(readFileSync(file('report.md'), 'utf8'), /^## cvebuild build: PASS\n/);
    const json = JSON.parse(readFileSync(file('report.json'), 'utf8'));
    assert.equal(json.stages.length, STAGE_NAMES.length);
    assert.deepEqual(JSON.parse(readFileSync(file('report.out'), 'utf8')), json);
  });

  it('reports a halt at secrets in HTML and SARIF without the token, located at the file that leaks it', () => {
    const token = new FakeSecrets(21).githubClassic();
    const recipe = offlineRecipe('leak-pkg', { 'build.sh': `#!/bin/sh\nexport GITHUB_TOKEN=${token}\n` });
    const out = tempDirectory();
    const html = join(out, 'build.html');
    const result = runCli([
      ...['build', recipe, '--offline', '--output-dir', out, '--build-command', 'exit 9'],
      ...['--format', 'sarif', '--output', html],
    ]);
    assert.equal(result.status, 1, result.stderr);
    assert.ok(!result.stdout.includes(token));
    const [run] = JSON.parse(result.stdout).runs;
    assert.equal(run.properties.haltedAt, 'secrets');
    const leak = run.results.find((r: { properties: { stage: string } }) => r.properties.stage === 'secrets');
    assert.ok(leak, JSON.stringify(run.results));
    assert.equal(leak.level, 'error');
    assert.deepEqual(leak.locations[0].physicalLocation.artifactLocation, { uri: 'build.sh', uriBaseId: '%SRCROOT%' });
    assert.equal(leak.locations[0].physicalLocation.region.startLine, 2);
    const page = readFileSync(html, 'utf8');
    assert.ok(!page.includes(token));
    assert.match(page, /<li class="tl-item outcome-halted" data-stage="secrets"/);
  });

  it('refuses, before building, an --output name that tells no format or one the build does not write', () => {
    const recipe = offlineRecipe('refused-output-pkg');
    const out = tempDirectory();
    const args = ['build', recipe, '--offline', '--output-dir', out, '--build-command', 'exit 9'];
    const unknown = runCli([...args, '--output', join(out, 'report.bin')]);
    assert.equal(unknown.status, 2);
    assert.match(
      unknown.stderr,
      /^cvebuild: --output .*report\.bin: cannot tell the format from the file name; write FORMAT=FILE \(formats: table, json, markdown, html, sarif\)\n$/,
    );
    const sbom = runCli([...args, '--output', join(out, 'bom.cdx.json')]);
    assert.equal(sbom.status, 2);
    assert.match(sbom.stderr, /bom\.cdx\.json: the name says cyclonedx, which this command does not write/);
    const named = runCli([...args, '--output', `spdx=${join(out, 'x.json')}`]);
    assert.equal(named.status, 2);
    assert.match(named.stderr, /--output: unknown format "spdx" \(have: table, json, markdown, html, sarif\)/);
    assert.ok(!existsSync(join(out, 'x.json')));
    assert.equal(
      runCli([...args, '--format', 'pdf']).status,
      2,
      'an unknown --format is refused as every other flag value',
    );
  });
});
