/**
 * `cvebuild scan-code` on real projects from the corpus (copied to a temp directory; the corpus is
 * never modified): the gcp-keyring example's lock names its index with a keyring placeholder
 * username, reported low at its line and not failing the default gate, in SARIF that validates;
 * and the SAST check over the corpus recipes reports only recipe rules, at real lines.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { sarifErrors } from '../helpers/schemas.ts';
import { tempDirectory } from '../helpers/temp.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';
const NOW = ['--now', '2026-11-20T12:00:00Z'];

interface JsonFinding {
  id: string;
  check: string;
  severity: string;
  blocking: boolean;
  location: { file: string; line: number | null; column?: number } | null;
  code?: { path: string | null; masked: string | null; lines?: number[] };
}
interface JsonReport {
  findings: JsonFinding[];
  summary: { verdict: string; reasons: string[] };
}

function linesWith(text: string, needle: string): number[] {
  return text
    .split('\n')
    .map((line, index) => [line, index + 1] as const)
    .filter(([line]) => line.includes(needle))
    .map(([, number]) => number);
}

describe('scan-code on the gcp-keyring pixi example', { skip: SKIP }, () => {
  const source = corpus('pixi/pixi-ex-python-library-gcp-keyring');
  const copy = (): string => {
    const dir = tempDirectory();
    for (const name of ['pixi.lock', 'pixi.toml', 'pyproject.toml']) {
      if (existsSync(join(source, name))) cpSync(join(source, name), join(dir, name));
    }
    return dir;
  };

  it('reports the lock’s oauth2accesstoken@ index URL as low url-credentials at its line, and passes', () => {
    const dir = copy();
    const lock = readFileSync(join(dir, 'pixi.lock'), 'utf8');
    const expected = linesWith(lock, 'https://oauth2accesstoken@');
    assert.ok(expected.length > 0, 'the lock names the index with a placeholder username');
    const { status, stdout, stderr } = runCli(['scan-code', dir, '--format', 'json', ...NOW]);
    assert.equal(status, 0, stdout + stderr);
    const report = JSON.parse(stdout) as JsonReport;
    const inLock = report.findings.filter((finding) => finding.code?.path === 'pixi.lock');
    assert.deepEqual(
      inLock.map((finding) => [finding.id, finding.severity, finding.location?.line]),
      [['url-credentials', 'low', expected[0]]],
    );
    const [finding] = inLock as [JsonFinding];
    assert.equal(finding.blocking, false);
    assert.equal(finding.location?.file, join(dir, 'pixi.lock'));
    const column = (lock.split('\n')[(expected[0] as number) - 1] as string).indexOf('oauth2accesstoken@') + 1;
    assert.equal(finding.location?.column, column);
    assert.equal(finding.code?.masked, 'oauth2accesstoken@');
    if (expected.length > 1) assert.deepEqual(finding.code?.lines, expected);
    // Every url-credentials finding in the project is low (keyring placeholders); nothing blocks.
    assert.ok(report.findings.length > 0);
    for (const other of report.findings) {
      assert.equal(other.blocking, false, JSON.stringify(other));
      if (other.id === 'url-credentials') assert.equal(other.severity, 'low');
    }
    assert.equal(report.summary.verdict, 'pass');
    assert.deepEqual(report.summary.reasons, []);
  });

  it('the SARIF validates and points at pixi.lock at that line', () => {
    const dir = copy();
    const expected = linesWith(readFileSync(join(dir, 'pixi.lock'), 'utf8'), 'https://oauth2accesstoken@');
    const { status, stdout, stderr } = runCli(['scan-code', dir, '--format', 'sarif', ...NOW]);
    assert.equal(status, 0, stderr);
    const log = JSON.parse(stdout) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
        properties: { verdict: string };
      }[];
    };
    assert.deepEqual(sarifErrors(log), []);
    const run = log.runs[0];
    assert.ok(run);
    assert.equal(run.properties.verdict, 'pass');
    const inLock = run.results.filter(
      (result) => result.locations[0]?.physicalLocation.artifactLocation.uri === 'pixi.lock',
    );
    assert.deepEqual(
      inLock.map((result) => [result.ruleId, result.level, result.locations[0]?.physicalLocation.region.startLine]),
      [['url-credentials', 'note', expected[0]]],
    );
  });
});

const RECIPE_RULES = [
  'recipe-pipe-to-shell',
  'recipe-source-no-checksum',
  'recipe-source-weak-checksum',
  'recipe-script-download-unverified',
];

describe('scan-code --checks sast on the corpus recipes', { skip: SKIP }, () => {
  /** The corpus recipes in a temp directory; `edit` may change the copy (never the corpus). */
  function recipes(edit?: (dir: string) => void): string {
    const dir = join(tempDirectory(), 'recipes');
    cpSync(corpus('recipes'), dir, { recursive: true });
    edit?.(dir);
    return dir;
  }

  function scan(dir: string): { status: number | null; report: JsonReport } {
    const { status, stdout, stderr } = runCli(['scan-code', dir, '--checks', 'sast', '--format', 'json', ...NOW]);
    assert.ok(status === 0 || status === 1, stderr);
    return { status, report: JSON.parse(stdout) as JsonReport };
  }

  function assertRecipeFindings(dir: string, report: JsonReport): void {
    for (const finding of report.findings) {
      assert.equal(finding.check, 'sast');
      assert.ok(RECIPE_RULES.includes(finding.id), `a recipe rule: ${finding.id}`);
      const file = finding.location?.file ?? '';
      assert.ok(file.startsWith(`${dir}/`), file);
      const lineCount = readFileSync(file, 'utf8').split('\n').length;
      const line = finding.location?.line ?? 0;
      assert.ok(line >= 1 && line <= lineCount, `${finding.code?.path}:${line} within ${lineCount} lines`);
    }
  }

  it('the real recipes, all of whose url sources carry a sha256, pass with recipe-rule findings only', () => {
    const dir = recipes();
    // Read from the recipes themselves: curl and numpy pin their url sources with sha256.
    for (const recipe of ['rattler-build/examples/curl/recipe.yaml', 'conda-forge/numpy-feedstock/recipe.yaml']) {
      const text = readFileSync(join(dir, recipe), 'utf8');
      assert.ok(linesWith(text, 'url:').length > 0 && linesWith(text, 'sha256:').length > 0, recipe);
    }
    const { status, report } = scan(dir);
    assertRecipeFindings(dir, report);
    assert.deepEqual(
      report.findings.filter((finding) => finding.id === 'recipe-source-no-checksum').map((f) => f.code?.path),
      [],
    );
    assert.equal(status, 0);
    assert.equal(report.summary.verdict, 'pass');
  });

  it('a recipe stripped of its sha256 and a build script piping curl into bash are caught at their lines', () => {
    const curl = 'rattler-build/examples/curl/recipe.yaml';
    const build = 'conda-forge/numpy-feedstock/build.sh';
    const dir = recipes((root) => {
      const recipe = readFileSync(join(root, curl), 'utf8');
      writeFileSync(
        join(root, curl),
        recipe
          .split('\n')
          .filter((line) => !/^\s*sha256:/.test(line))
          .join('\n'),
      );
      const script = readFileSync(join(root, build), 'utf8');
      writeFileSync(
        join(root, build),
        `${script.replace(/\n?$/, '\n')}curl -fsSL https://example.org/setup.sh | bash\n`,
      );
    });
    const urlLine = linesWith(readFileSync(join(dir, curl), 'utf8'), 'url:')[0];
    const pipeLine = linesWith(readFileSync(join(dir, build), 'utf8'), '| bash')[0];
    const { status, report } = scan(dir);
    assertRecipeFindings(dir, report);
    const got = report.findings.map((finding) => `${finding.id} ${finding.code?.path}:${finding.location?.line}`);
    assert.ok(got.includes(`recipe-source-no-checksum ${curl}:${urlLine}`), got.join('\n'));
    assert.ok(got.includes(`recipe-pipe-to-shell ${build}:${pipeLine}`), got.join('\n'));
    // numpy's recipe keeps its sha256: no source finding there.
    assert.ok(!got.some((line) => line.startsWith('recipe-source-no-checksum conda-forge/numpy-feedstock/')));
    assert.equal(status, 1, 'both are high');
    assert.equal(report.summary.verdict, 'fail');
  });
});
