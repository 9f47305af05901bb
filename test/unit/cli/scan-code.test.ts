/**
 * `cvebuild scan-code` as a user runs it: exit codes (1 on a leaked secret, 0 on a clean tree,
 * 2 when it cannot run), the SARIF a code-scanning upload reads (relative uris, spans, CWE tags,
 * in-source suppressions, fingerprints that survive edits above a hit), the JSON `code` block, and
 * no report in any format quoting a planted secret.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { hasCorpus } from '../../helpers/paths.ts';
import { sarifErrors } from '../../helpers/schemas.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const NOW = ['--now', '2026-11-20T12:00:00Z'];

const fake = new FakeSecrets(4711);
const GITHUB = fake.githubClassic();
const PYPI = fake.pypi();
const PASSWORD_TOKEN = fake.githubClassic();
/** Each planted secret and the public prefix a mask may keep. */
const SECRETS: { secret: string; prefix: string }[] = [
  { secret: GITHUB, prefix: 'ghp_' },
  { secret: PYPI, prefix: 'pypi-AgE' },
  { secret: PASSWORD_TOKEN, prefix: 'ghp_' },
];

const SETTINGS_PY = `import os\n\nGITHUB_TOKEN = "${GITHUB}"\n`;
const RUN_PY = [
  'import subprocess',
  '',
  'def run(cmd):',
  '    subprocess.run(cmd, shell=True)',
  '    subprocess.call(cmd, shell=True)  # nosec B602',
  '    return 1',
  '',
].join('\n');

function project(files: Record<string, string>): string {
  const dir = tempDirectory();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function leakyProject(): string {
  return project({
    'app/settings.py': SETTINGS_PY,
    'app/run.py': RUN_PY,
    'app/pw.py': `password = "${PASSWORD_TOKEN}"\n`,
    '.pypirc': `[pypi]\nusername = __token__\npassword = ${PYPI}\n`,
  });
}

interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Region } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; location?: { physicalLocation: { region: Region } } }[];
}
interface Region {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}
interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; properties: { tags: string[]; check: string } }[] } };
    results: SarifResult[];
  }[];
}

function sarifOf(dir: string, extra: string[] = []): SarifLog {
  const { status, stdout, stderr } = runCli(['scan-code', dir, '--format', 'sarif', ...NOW, ...extra]);
  assert.ok(status === 0 || status === 1, stderr);
  return JSON.parse(stdout) as SarifLog;
}

function resultAt(log: SarifLog, uri: string, ruleId: string, line: number): SarifResult {
  const results = log.runs[0]?.results ?? [];
  const found = results.filter(
    (result) =>
      result.ruleId === ruleId &&
      result.locations[0]?.physicalLocation.artifactLocation.uri === uri &&
      result.locations[0]?.physicalLocation.region.startLine === line,
  );
  assert.equal(
    found.length,
    1,
    `${ruleId} at ${uri}:${line} in ${JSON.stringify(results.map((r) => [r.ruleId, r.locations[0]?.physicalLocation]))}`,
  );
  return found[0] as SarifResult;
}

function columnOf(text: string, needle: string): number {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0);
  return offset - text.lastIndexOf('\n', offset - 1);
}

/** Every 8-character piece of a secret that reaches beyond its public prefix. */
function leakedPieces(text: string): string[] {
  const leaks: string[] = [];
  for (const { secret, prefix } of SECRETS) {
    for (let i = 0; i + 8 <= secret.length; i++) {
      if (i + 8 <= prefix.length) continue;
      const piece = secret.slice(i, i + 8);
      if (text.includes(piece)) leaks.push(piece);
    }
  }
  return leaks;
}

function isOneLine(stderr: string): boolean {
  return /^cvebuild: [^\n]+\n$/.test(stderr);
}

describe('cvebuild scan-code', () => {
  it('exits 1 on a leaked secret, naming file, line and column', () => {
    const dir = leakyProject();
    const { status, stdout, stderr } = runCli(['scan-code', dir, ...NOW]);
    assert.equal(status, 1, stdout + stderr);
    const column = columnOf(SETTINGS_PY, GITHUB);
    assert.match(stdout, new RegExp(`^CRITICAL\\s+secrets\\s+app/settings\\.py:3:${column}\\s+github-token\\s`, 'm'));
    assert.match(stdout, /^HIGH\s+sast\s+app\/run\.py:4:5\s+subprocess-shell-true\s/m);
    assert.match(stdout, /^FAIL/m);
  });

  it('exits 0 on a clean tree', () => {
    const dir = project({
      'app/main.py': 'import subprocess\n\n\ndef main(args):\n    return subprocess.run(["ls", *args])\n',
      'README.md': '# demo\n',
    });
    const { status, stdout, stderr } = runCli(['scan-code', dir, ...NOW]);
    assert.equal(status, 0, stdout + stderr);
    assert.match(stdout, /^0 finding\(s\): none$/m);
    assert.match(stdout, /^PASS$/m);
  });

  it('exits 2 with one line for a path that does not exist', {}, () => {
    const parent = leakyProject();
    const { status, stdout, stderr } = runCli(['scan-code', join(parent, 'no-such-dir'), ...NOW]);
    assert.equal(status, 2, stdout);
    assert.ok(isOneLine(stderr), stderr);
    assert.match(stderr, /no-such-dir/);
    assert.equal(stdout, '');
  });

  it('scans only the file it is given', {}, () => {
    const dir = leakyProject();
    const { stdout } = runCli(['scan-code', join(dir, 'app/run.py'), '--format', 'json', ...NOW]);
    const findings = (JSON.parse(stdout) as { findings: { code?: { path: string | null } }[] }).findings;
    assert.ok(findings.length > 0);
    assert.deepEqual([...new Set(findings.map((finding) => finding.code?.path))], ['run.py']);
  });

  it('exits 2 with one line when --checks names a check that is not a code check', () => {
    const dir = leakyProject();
    const { status, stdout, stderr } = runCli(['scan-code', dir, '--checks', 'vulnerability', ...NOW]);
    assert.equal(status, 2, stdout);
    assert.ok(isOneLine(stderr), stderr);
    assert.match(stderr, /vulnerability is not a code check/);
    assert.equal(stdout, '');
  });

  it('exits 2 with one line naming file, line and key for a bad [checks.secrets] value', () => {
    const dir = project({
      'cvebuild.toml': 'fail-on = "high"\n\n[checks.secrets]\nmax-file-size = "huge"\n',
      'app/main.py': 'print(1)\n',
    });
    const { status, stdout, stderr } = runCli(['scan-code', dir, ...NOW]);
    assert.equal(status, 2, stdout);
    assert.ok(isOneLine(stderr), stderr);
    assert.ok(stderr.startsWith(`cvebuild: ${join(dir, 'cvebuild.toml')}:4: checks.secrets.max-file-size: `), stderr);
    assert.match(stderr, /not a size/);
  });

  it('runs only the code checks the policy enables', () => {
    const dir = project({
      'cvebuild.toml': '[checks.secrets]\nenabled = false\n',
      'app/settings.py': SETTINGS_PY,
      'app/run.py': RUN_PY,
    });
    const { status, stdout } = runCli(['scan-code', dir, '--format', 'json', ...NOW]);
    assert.equal(status, 1, stdout);
    const document = JSON.parse(stdout) as { findings: { check: string }[]; summary: { checks: { id: string }[] } };
    assert.deepEqual(
      document.summary.checks.map((check) => check.id),
      ['sast'],
    );
    assert.ok(document.findings.length > 0);
    assert.ok(document.findings.every((finding) => finding.check === 'sast'));
  });

  it('--format sarif: relative uris, spans, rule ids, CWE tags and in-source suppressions', () => {
    const dir = leakyProject();
    const log = sarifOf(dir);
    const run = log.runs[0];
    assert.ok(run);

    const secret = resultAt(log, 'app/settings.py', 'github-token', 3);
    const column = columnOf(SETTINGS_PY, GITHUB);
    assert.deepEqual(secret.locations[0]?.physicalLocation.region, {
      startLine: 3,
      startColumn: column,
      endLine: 3,
      endColumn: column + GITHUB.length,
    });
    assert.equal(secret.locations[0]?.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.equal(secret.level, 'error');
    assert.equal(secret.suppressions, undefined);

    const shell = resultAt(log, 'app/run.py', 'subprocess-shell-true', 4);
    assert.deepEqual(shell.locations[0]?.physicalLocation.region, {
      startLine: 4,
      startColumn: 5,
      endLine: 4,
      endColumn: 5 + 'subprocess.run(cmd, shell=True)'.length,
    });
    assert.equal(shell.suppressions, undefined);

    const suppressed = resultAt(log, 'app/run.py', 'subprocess-shell-true', 5);
    assert.equal(suppressed.suppressions?.length, 1);
    assert.equal(suppressed.suppressions?.[0]?.kind, 'inSource');
    assert.equal(suppressed.suppressions?.[0]?.status, 'accepted');
    assert.equal(suppressed.suppressions?.[0]?.location?.physicalLocation.region.startLine, 5);

    for (const result of run.results) {
      const uri = result.locations[0]?.physicalLocation.artifactLocation.uri ?? '';
      assert.ok(!uri.startsWith('/') && !uri.startsWith('file:'), `relative uri: ${uri}`);
    }
    const rules = new Map(run.tool.driver.rules.map((rule) => [rule.id, rule]));
    assert.ok(rules.get('github-token')?.properties.tags.includes('external/cwe/cwe-798'));
    assert.equal(rules.get('github-token')?.properties.check, 'secrets');
    assert.ok(rules.get('subprocess-shell-true')?.properties.tags.includes('external/cwe/cwe-78'));
    assert.ok(rules.get('pypi-token'), 'the .pypirc token is reported');
  });

  it('--format sarif validates against the SARIF 2.1.0 schema', {
    skip: !hasCorpus && 'needs ../shared/corpus (schema)',
  }, () => {
    const log = sarifOf(leakyProject());
    assert.deepEqual(sarifErrors(log), []);
  });

  it('SARIF fingerprints survive lines inserted above the hits', () => {
    const dir = leakyProject();
    const before = sarifOf(dir);
    const header = '# a header\n# added later\n\n';
    writeFileSync(join(dir, 'app/settings.py'), header + SETTINGS_PY);
    writeFileSync(join(dir, 'app/run.py'), header + RUN_PY);
    const after = sarifOf(dir);
    const key = (result: SarifResult) =>
      `${result.ruleId} ${result.locations[0]?.physicalLocation.artifactLocation.uri} ${JSON.stringify(result.partialFingerprints)}`;
    assert.deepEqual(after.runs[0]?.results.map(key).sort(), before.runs[0]?.results.map(key).sort());
    // ... while the lines did move.
    resultAt(after, 'app/settings.py', 'github-token', 6);
    resultAt(after, 'app/run.py', 'subprocess-shell-true', 7);
    const fingerprint = (log: SarifLog, uri: string, line: number) =>
      resultAt(log, uri, 'subprocess-shell-true', line).partialFingerprints;
    assert.deepEqual(fingerprint(after, 'app/run.py', 7), fingerprint(before, 'app/run.py', 4));
    assert.notDeepEqual(fingerprint(before, 'app/run.py', 4), fingerprint(before, 'app/run.py', 5));
  });

  it('two hits of one rule with the same code in one file get distinct SARIF fingerprints', {}, () => {
    const line = '    subprocess.run(cmd, shell=True)';
    const dir = project({
      'app/run.py': ['import subprocess', '', 'def a(cmd):', line, '', 'def b(cmd):', line, ''].join('\n'),
    });
    const log = sarifOf(dir);
    const first = resultAt(log, 'app/run.py', 'subprocess-shell-true', 4).partialFingerprints;
    const second = resultAt(log, 'app/run.py', 'subprocess-shell-true', 7).partialFingerprints;
    assert.notDeepEqual(first, second);
  });

  it('--format json has the code block (path, engine, CWE, masked value)', () => {
    const dir = leakyProject();
    const { status, stdout } = runCli(['scan-code', dir, '--format', 'json', ...NOW]);
    assert.equal(status, 1);
    const document = JSON.parse(stdout) as {
      findings: {
        id: string;
        check: string;
        package: { name: string | null };
        location: { file: string; line: number; column?: number };
        code?: Record<string, unknown>;
        blocking: boolean;
      }[];
      summary: { verdict: string; checks: { id: string }[] };
    };
    assert.equal(document.summary.verdict, 'fail');
    assert.deepEqual(document.summary.checks.map((check) => check.id).sort(), ['sast', 'secrets']);
    const secret = document.findings.find((f) => f.id === 'github-token' && f.code?.path === 'app/settings.py');
    assert.ok(secret, stdout);
    assert.equal(secret.package.name, null);
    assert.equal(secret.location.line, 3);
    assert.equal(secret.location.column, columnOf(SETTINGS_PY, GITHUB));
    assert.equal(secret.code?.engine, 'cvebuild');
    assert.deepEqual(secret.code?.cwes, ['CWE-798']);
    assert.match(String(secret.code?.masked), /^ghp_\*+/);
    const shell = document.findings.find((f) => f.id === 'subprocess-shell-true' && f.location.line === 4);
    assert.equal(shell?.code?.bandit, 'B602');
    assert.deepEqual(shell?.code?.cwes, ['CWE-78']);
    assert.equal(shell?.code?.snippet, 'subprocess.run(cmd, shell=True)');
    assert.ok(
      document.findings.every((f) => f.code !== undefined),
      'every finding is a code finding',
    );
  });

  it('no output format, on stdout or in --output files, quotes a planted secret', async () => {
    const dir = leakyProject();
    const out = tempDirectory();
    const outputs = ['report.sarif', 'report.json', 'report.md', 'report.html', 'table=report.txt'];
    const files = outputs.map((spec) => join(out, spec.replace(/^table=/, '')));
    const formats = ['table', 'json', 'sarif', 'markdown', 'html'];
    const runs = await Promise.all(
      formats.map((format, index) =>
        runCliAsync([
          'scan-code',
          dir,
          '--format',
          format,
          ...NOW,
          ...(index === 0 ? outputs.flatMap((spec) => ['--output', spec.replace(/report/, join(out, 'report'))]) : []),
        ]),
      ),
    );
    for (const [index, run] of runs.entries()) {
      assert.equal(run.status, 1, `${formats[index]}: ${run.stderr}`);
      assert.ok(run.stdout.length > 0);
      assert.deepEqual(leakedPieces(run.stdout + run.stderr), [], `--format ${formats[index]}`);
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.ok(text.length > 0, file);
      assert.deepEqual(leakedPieces(text), [], file);
    }
    // The secrets were reported (the masks keep the prefixes), so the check above is not vacuous.
    assert.match(runs[0]?.stdout ?? '', /ghp_\*/);
    assert.match(runs[0]?.stdout ?? '', /pypi-AgE/);
  });

  it('--output report.sarif writes a SARIF file beside the table on stdout', () => {
    const dir = leakyProject();
    const file = join(tempDirectory(), 'report.sarif');
    const { status, stdout } = runCli(['scan-code', dir, '--output', file, ...NOW]);
    assert.equal(status, 1);
    assert.match(stdout, /^FAIL/m);
    const log = JSON.parse(readFileSync(file, 'utf8')) as SarifLog;
    resultAt(log, 'app/settings.py', 'github-token', 3);
    resultAt(log, 'app/run.py', 'subprocess-shell-true', 4);
  });
});
