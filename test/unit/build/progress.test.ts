/**
 * `cvebuild build`'s progress on a terminal: one line per stage with its mark and time, coloured
 * unless NO_COLOR, and nothing at all in CI, for a machine format, or when standard error is not
 * a terminal. Run through a real pseudo-terminal (`script`), the report going to a file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { progressWanted } from '../../../src/build/progress.ts';
import { STAGE_NAMES } from '../../../src/build/types.ts';
import { cphCommand, noCph, recipeDirectory } from '../../helpers/build-recipe.ts';
import { runCli } from '../../helpers/cli.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { COLOUR, ESC, noScript, runCliInTerminal, shownLines } from '../../helpers/terminal.ts';

const terminal = { isTTY: true } as Parameters<typeof progressWanted>[0];
const pipe = { isTTY: false } as Parameters<typeof progressWanted>[0];

describe('when build progress shows', () => {
  it('only on a terminal, outside CI, with a TERM that can redraw, beside a report for people', () => {
    assert.equal(progressWanted(terminal, {}, 'table'), true);
    assert.equal(progressWanted(terminal, {}, 'markdown'), true);
    assert.equal(progressWanted(terminal, {}, 'html'), true);
    assert.equal(progressWanted(terminal, { TERM: 'xterm-256color', NO_COLOR: '1' }, 'table'), true, 'uncoloured');
    assert.equal(progressWanted(pipe, {}, 'table'), false);
    assert.equal(progressWanted(terminal, { CI: 'true' }, 'table'), false);
    assert.equal(progressWanted(terminal, { CI: '' }, 'table'), false, 'CI set to anything');
    assert.equal(progressWanted(terminal, { TERM: 'dumb' }, 'table'), false);
    assert.equal(progressWanted(terminal, {}, 'json'), false);
    assert.equal(progressWanted(terminal, {}, 'sarif'), false);
  });
});

/** A recipe whose dependency checks are off, so no threat data is needed to reach the build. */
function quietRecipe(name: string): string {
  const recipe = recipeDirectory(name, []);
  writeFileSync(
    join(recipe, 'cvebuild.toml'),
    ['typosquat', 'malicious', 'vulnerability', 'vendored-libs']
      .map((id) => `[checks.${id}]\nenabled = false\n`)
      .join('\n'),
  );
  return recipe;
}

describe('build progress on a terminal', { skip: noScript ?? noCph }, () => {
  const recipe = quietRecipe('progress-pkg');
  const args = (...more: string[]) => [
    ...['build', recipe, '--offline', '--output-dir', tempDirectory()],
    ...['--build-command', cphCommand('progress-pkg'), ...more],
  ];

  it('shows every stage with its mark and time, in colour, and leaves the report to standard output', () => {
    const run = runCliInTerminal(args());
    assert.equal(run.status, 0, run.terminal);
    const lines = shownLines(run.terminal);
    assert.deepEqual(
      lines.map((line) => line.split(/\s+/).slice(0, 2).join(' ')),
      STAGE_NAMES.map((name) =>
        ['typosquat', 'threat-intel', 'resolve', 'cve-audit', 'sign'].includes(name) ? `– ${name}` : `✓ ${name}`,
      ),
    );
    for (const line of lines) assert.match(line, /^[✓!✗–] [\w-]+ +\d+(\.\d)? m?s\b/, line);
    assert.match(lines.find((line) => line.startsWith('– sign')) ?? '', /skipped: not asked to sign/);
    assert.match(run.terminal, COLOUR, 'coloured marks');
    assert.match(run.stdout, /^recipe /, 'the table, on standard output');
    assert.ok(!run.stdout.includes(ESC), 'no escape sequence in the report');
  });

  it('draws no colour with NO_COLOR', () => {
    const run = runCliInTerminal(args(), { NO_COLOR: '1' });
    assert.equal(run.status, 0, run.terminal);
    assert.equal(shownLines(run.terminal).length, STAGE_NAMES.length);
    assert.doesNotMatch(run.terminal, COLOUR);
  });

  it('prints nothing extra in CI or for a JSON report, on a terminal all the same', () => {
    const ci = runCliInTerminal(args(), { CI: 'true' });
    assert.equal(ci.status, 0, ci.terminal);
    assert.equal(ci.terminal, '');
    assert.match(ci.stdout, /^recipe /);
    const json = runCliInTerminal(args('--format', 'json'));
    assert.equal(json.status, 0, json.terminal);
    assert.equal(json.terminal, '');
    assert.equal(JSON.parse(json.stdout).stages.length, STAGE_NAMES.length);
  });

  it('prints nothing extra when standard error is not a terminal', () => {
    // outside CI: only the pipe keeps it quiet
    const run = runCli(args(), { env: { CI: undefined } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
  });

  it('marks the stage that could not run, then gives the one-line error', () => {
    const failing = quietRecipe('failing-pkg');
    const run = runCliInTerminal([
      'build',
      failing,
      '--offline',
      '--output-dir',
      tempDirectory(),
      '--build-command',
      'exit 3',
    ]);
    assert.equal(run.status, 2, run.terminal);
    const lines = shownLines(run.terminal);
    assert.match(lines.at(-2) ?? '', /^✗ build +could not run$/);
    assert.match(lines.at(-1) ?? '', /^cvebuild: .*build\.log: the builder failed \(exit 3\)/);
    assert.equal(run.stdout, '');
  });
});
