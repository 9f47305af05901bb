/**
 * Issue 17, a terminal that helps: severities and the verdict in colour on a terminal, honouring
 * NO_COLOR, FORCE_COLOR and --no-color; the gate's progress on standard error while it checks;
 * and nothing of that piped, in CI or in a machine format. Colour never carries outside text: a
 * painted table is the plain one with cvebuild's own SGR sequences around some of its words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { mappingCoverage } from '../../../src/intel/mapping-coverage.ts';
import type { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import type { Package } from '../../../src/model/package.ts';
import { renderAuditTable } from '../../../src/report/audit-table.ts';
import { renderCoverageTable } from '../../../src/report/coverage-table.ts';
import { renderDiffTable } from '../../../src/report/diff.ts';
import { renderInventoryTable } from '../../../src/report/inventory-table.ts';
import { ansiPaint, colourWanted, type Paint, type TerminalStream } from '../../../src/terminal/colour.ts';
import { runCli } from '../../helpers/cli.ts';
import { controlCases, type HostileScenario, hostileScenario } from '../../helpers/hostile-report.ts';
import { fixture } from '../../helpers/paths.ts';
import { runCliInTerminal, shownLines } from '../../helpers/terminal.ts';
import { cliInTmux, tmuxSkip } from '../../helpers/tmux.ts';

const ESC = '\u001b';
/** A colour (foreground) SGR sequence. */
const COLOUR = new RegExp(`${ESC}\\[(?:\\d+;)*(?:3[0-7]|9[0-7])m`);
/** SGR sequences that open a colour or attribute: what cvebuild's paint writes. */
const OWN_SGR = new RegExp(`^${ESC}\\[\\d+m`);
const LITELLM = ['gate', 'examples/litellm-compromise', '--db', 'examples/litellm-compromise/intel'];

describe('when there is colour', () => {
  const terminal: TerminalStream = { isTTY: true, hasColors: (env) => !('NO_COLOR' in (env ?? {})) };
  const pipe: TerminalStream = { isTTY: false };

  it('on a terminal that has colours, outside CI', () => {
    assert.equal(colourWanted(terminal, {}), true);
    assert.equal(colourWanted(terminal, { NO_COLOR: '1' }), false, "NO_COLOR, as the terminal's own answer says");
    assert.equal(colourWanted(terminal, { CI: 'true' }), false);
    assert.equal(colourWanted(pipe, {}), false);
  });

  it('FORCE_COLOR forces it, into a pipe or a CI log; 0 and false turn it off; empty is unset', () => {
    assert.equal(colourWanted(pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(colourWanted(pipe, { FORCE_COLOR: '3', CI: 'true' }), true);
    assert.equal(colourWanted(terminal, { FORCE_COLOR: '0' }), false);
    assert.equal(colourWanted(terminal, { FORCE_COLOR: 'false' }), false);
    assert.equal(colourWanted(pipe, { FORCE_COLOR: '' }), false);
    assert.equal(colourWanted(terminal, { FORCE_COLOR: '' }), true);
  });
});

describe('a painted table', () => {
  it('is the plain table with SGR sequences around some words, even with hostile text in every field', () => {
    for (const { label, text } of controlCases()) {
      const { report } = hostileScenario((value) => `${value}${text}FORGED`);
      const plain = renderAuditTable(report);
      const painted = renderAuditTable(report, { paint: ansiPaint });
      assert.equal(stripVTControlCharacters(painted), plain, label);
      // every escape in it opens one of cvebuild's own colour or attribute sequences
      const sequences = [...painted.matchAll(new RegExp(ESC, 'g'))].map((match) =>
        painted.slice(match.index, match.index + 8),
      );
      for (const sequence of sequences) assert.match(sequence, OWN_SGR, `${label}: ${JSON.stringify(sequence)}`);
    }
    const { report } = hostileScenario((value) => value);
    assert.match(renderAuditTable(report, { paint: ansiPaint }), COLOUR);
  });
});

/** The diff, coverage and inventory tables of a scenario, plain or painted. */
function otherTables(scenario: HostileScenario, paint?: Paint): { diff: string; coverage: string; inventory: string } {
  const { packages } = scenario.report.inventory;
  // every other package mapped, the rest unmapped with their name as the reason: outside text either way
  const matcher = {
    targetsOf: (pkg: Package) =>
      packages.indexOf(pkg) % 2 === 0 ? [{ ecosystem: 'PyPI', normalizedName: pkg.name, mappedBy: 'purl' }] : [],
    unmappedReason: (pkg: Package) => `no map for ${pkg.name}`,
  } as unknown as AdvisoryMatcher;
  const coverage = mappingCoverage(packages, matcher);
  return {
    diff: renderDiffTable(scenario.diff, scenario.diffAudit, { paint }),
    coverage: renderCoverageTable(coverage, scenario.report.inventory, 'intel.db', { paint }),
    inventory: renderInventoryTable(scenario.report.inventory, { paint }),
  };
}

describe('the diff, coverage and inventory tables, painted', () => {
  it('are the plain tables with SGR sequences around some words, even with hostile text in every field', () => {
    for (const { label, text } of controlCases()) {
      const scenario = hostileScenario((value) => `${value}${text}FORGED`);
      const plain = otherTables(scenario);
      const painted = otherTables(scenario, ansiPaint);
      for (const [table, document] of Object.entries(painted)) {
        assert.equal(stripVTControlCharacters(document), plain[table as keyof typeof plain], `${table}: ${label}`);
        for (const match of document.matchAll(new RegExp(ESC, 'g')))
          assert.match(document.slice(match.index, match.index + 8), OWN_SGR, `${table}: ${label}`);
      }
    }
    const painted = otherTables(
      hostileScenario((value) => value),
      ansiPaint,
    );
    for (const [table, document] of Object.entries(painted)) assert.match(document, COLOUR, table);
  });

  it('paint what a reader scans for: red flags, added and removed, severities, unmapped packages, warnings', () => {
    const { diff, coverage, inventory } = otherTables(
      hostileScenario((value) => value),
      (tone, text) => `<${tone}>${text}</${tone}>`,
    );
    assert.match(diff, /^<fail>\S+ \(!\)<\/fail>/m, 'a red flag');
    assert.match(diff, /^<fail>red flag<\/fail>: /m);
    assert.match(diff, /^ {2}<(critical|high|medium|low|unknown|info)>[A-Z]+<\/\1> /m, 'a finding on a new package');
    assert.match(coverage, /<warning>none<\/warning>/);
    assert.match(coverage, /^<warning>not mapped<\/warning>: /m);
    assert.match(inventory, /^<warning>warning<\/warning>: /m);
  });
});

describe('colour from the command line, piped', () => {
  it('none by default', () => {
    const run = runCli(LITELLM, { env: { CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined } });
    assert.equal(run.status, 1, run.stderr);
    assert.ok(!run.stdout.includes(ESC) && !run.stderr.includes(ESC));
  });

  it('FORCE_COLOR paints the severities and the verdict; --no-color and FORCE_COLOR=0 undo it', () => {
    const forced = runCli(LITELLM, { env: { CI: 'true', FORCE_COLOR: '1', NO_COLOR: undefined } });
    assert.equal(forced.status, 1, forced.stderr);
    const lines = forced.stdout.split('\n');
    assert.ok(lines.find((line) => line.includes('MAL-2026-2144'))?.startsWith(`${ESC}[1m${ESC}[35mCRITICAL${ESC}`));
    assert.ok(lines.find((line) => line.includes('reason(s)'))?.startsWith(`${ESC}[1m${ESC}[31mFAIL${ESC}`));
    assert.equal(forced.stderr, '', 'colour, never progress, in a pipe');
    for (const env of [{ FORCE_COLOR: '0' }, { FORCE_COLOR: '1', args: ['--no-color'] }]) {
      const { args = [], ...rest } = env as { args?: string[]; FORCE_COLOR: string };
      const run = runCli([...LITELLM, ...args], { env: { CI: undefined, NO_COLOR: undefined, ...rest } });
      assert.equal(run.status, 1, run.stderr);
      assert.ok(!run.stdout.includes(ESC), JSON.stringify(env));
    }
  });

  it('diff, coverage and inventory: none by default, FORCE_COLOR paints their tables, --no-color undoes it', () => {
    const commands = [
      ['diff', 'examples/ml-service', 'examples/litellm-compromise', '--checks', 'none'],
      ['coverage', fixture('coverage/project'), '--db', fixture('coverage/intel'), '--now', '2026-11-22T12:00:00Z'],
      ['inventory', fixture('pixi-lock/v4-editable.lock')],
    ];
    const expected = [`${ESC}[32madded${ESC}[39m`, `${ESC}[33mnone${ESC}[39m`, `${ESC}[33meditable${ESC}[39m`];
    commands.forEach((args, i) => {
      const plain = runCli(args, { env: { CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined } });
      assert.equal(plain.stderr, '', args[0]);
      assert.ok(!plain.stdout.includes(ESC), `${args[0]} piped`);
      const forced = runCli(args, { env: { CI: 'true', FORCE_COLOR: '1', NO_COLOR: undefined } });
      assert.ok(forced.stdout.includes(expected[i] as string), `${args[0]}: ${forced.stdout}`);
      assert.equal(stripVTControlCharacters(forced.stdout), plain.stdout, args[0]);
      const off = runCli([...args, '--no-color'], { env: { CI: undefined, FORCE_COLOR: '1', NO_COLOR: undefined } });
      assert.equal(off.stdout, plain.stdout, `${args[0]} --no-color`);
      const json = runCli([...args, '--format', 'json'], { env: { FORCE_COLOR: '1' } });
      assert.ok(!json.stdout.includes(ESC), `${args[0]} --format json`);
    });
  });

  it('never in a machine format', () => {
    for (const format of ['json', 'sarif']) {
      const run = runCli([...LITELLM, '--format', format], { env: { FORCE_COLOR: '1' } });
      assert.equal(run.status, 1, run.stderr);
      assert.ok(!run.stdout.includes(ESC), format);
    }
  });
});

describe('the gate on a terminal', () => {
  it('shows what it is checking on standard error while it runs, and clears it before the report', () => {
    const run = runCliInTerminal(LITELLM);
    assert.equal(run.status, 1, run.terminal);
    assert.match(run.terminal, /reading examples\/litellm-compromise/);
    assert.match(run.terminal, /malicious \(\d+\/\d+\) · 27 packages/);
    assert.deepEqual(shownLines(run.terminal), [], 'nothing stays on the terminal');
    assert.ok(!run.stdout.includes(ESC), 'the report went to a file: no colour in it');
  });

  it('draws its progress without colour under --no-color', () => {
    const plain = runCliInTerminal([...LITELLM, '--no-color']);
    assert.match(plain.terminal, /malicious \(\d+\/\d+\)/);
    assert.doesNotMatch(plain.terminal, COLOUR);
    assert.match(runCliInTerminal(LITELLM).terminal, COLOUR, 'the spinner is coloured otherwise');
  });

  it('shows nothing in CI or for a JSON report', () => {
    assert.equal(runCliInTerminal(LITELLM, { CI: 'true' }).terminal, '');
    assert.equal(runCliInTerminal([...LITELLM, '--format', 'json']).terminal, '');
  });

  describe('in a real terminal (tmux)', { skip: tmuxSkip() }, () => {
    for (const { name, env, args, coloured } of [
      { name: 'in colour', env: {}, args: [], coloured: true },
      { name: 'without colour under NO_COLOR', env: { NO_COLOR: '1' }, args: [], coloured: false },
      { name: 'without colour with --no-color', env: {}, args: ['--no-color'], coloured: false },
    ]) {
      it(`prints the table ${name}`, async () => {
        const pane = await cliInTmux([...LITELLM, ...args], env);
        try {
          const { status, shown, painted } = await pane.exited();
          assert.equal(status, 1, shown);
          assert.match(shown, /^ {2}litellm 1\.82\.7: malicious release \(MAL-2026-2144\) on linux-64; remove it$/m);
          if (coloured) {
            assert.ok(painted.includes(`${ESC}[31mFAIL${ESC}`), painted);
            assert.ok(painted.includes(`${ESC}[35mCRITICAL${ESC}`), painted);
          } else {
            assert.doesNotMatch(painted, COLOUR);
          }
        } finally {
          await pane.close();
        }
      });
    }
  });
});
