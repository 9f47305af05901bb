/**
 * The sast and secrets checks through the audit engine: one planted project tree (a leaked token,
 * shell=True, inline suppressions, a gitignored .env, a .cvebuildignore'd directory, a binary, an
 * oversized file, a non-UTF-8 module), run with `root`, and the policy keys that shape the result
 * (min-confidence, enabled, rule severities, waivers by rule id, external engines).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECKS } from '../../../src/checks/registry.ts';
import { type AuditResult, runAudit } from '../../../src/engine/run-checks.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { emptyInventory } from '../../../src/model/inventory.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import type { Policy } from '../../../src/policy/policy.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const NOW = new Date('2026-11-20T12:00:00Z');

const fake = new FakeSecrets(2026);
/** One distinct well-formed token per place, so a finding can only come from where it was planted. */
const TOKENS = {
  settings: fake.githubClassic(),
  env: fake.githubClassic(),
  vendor: fake.githubClassic(),
  binary: fake.githubClassic(),
  oversized: fake.githubClassic(),
  repeated: fake.githubClassic(),
  password: fake.githubClassic(),
};

const SETTINGS_PY = `import os\n\nGITHUB_TOKEN = "${TOKENS.settings}"\nDEBUG = os.environ.get("DEBUG")\n`;
const RUN_PY = [
  'import subprocess',
  '',
  'def run(cmd):',
  '    subprocess.run(cmd, shell=True)',
  '    subprocess.call(cmd, shell=True)  # nosec',
  '    return eval(cmd)  # cvebuild: ignore[eval]',
  '',
  'assert run',
  '',
].join('\n');
const REPEAT_TXT = `first=${TOKENS.repeated}\nplain line\nagain=${TOKENS.repeated}\nthird=${TOKENS.repeated}\n`;
const PASSWORD_PY = `password = "${TOKENS.password}"\n`;

/** The planted tree; returns its (absolute) root. */
function plantedProject(): string {
  const dir = tempDirectory();
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  write('app/settings.py', SETTINGS_PY);
  write('app/run.py', RUN_PY);
  write('app/pw.py', PASSWORD_PY);
  write('conf/repeat.txt', REPEAT_TXT);
  write('.gitignore', '.env\n');
  write('.env', `GH_TOKEN=${TOKENS.env}\n`);
  write('.cvebuildignore', 'vendor/\n');
  write('vendor/lib.py', `import subprocess\nsubprocess.run(x, shell=True)\nT = "${TOKENS.vendor}"\n`);
  // A NUL byte in the first bytes makes it binary, whatever its extension.
  write('assets/blob.dat', Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`key=${TOKENS.binary}\n`)]));
  write('big/data.txt', `${'x'.repeat(3000)}\nTOKEN=${TOKENS.oversized}\n`);
  write('legacy/latin.py', Buffer.from('# caf\xe9\nimport subprocess\nsubprocess.run(x, shell=True)\n', 'latin1'));
  return dir;
}

/** A policy read from a cvebuild.toml outside the tree (so it is not scanned itself). */
function policyFrom(toml: string): Policy {
  const file = writeTemp('cvebuild.toml', toml);
  return loadPolicy(dirname(file), file);
}

/** The secrets size bound every run here uses, so big/data.txt is over it. */
const SMALL_SECRETS = '[checks.secrets]\nmax-file-size = 2000\n';

/** `checks: null` takes the checks from the policy (an explicit list overrides what it enables). */
async function audit(dir: string, toml = SMALL_SECRETS, checks: string[] | null = ['sast', 'secrets']) {
  return runAudit(emptyInventory(), undefined, {
    root: dir,
    checks: checks ?? undefined,
    now: NOW,
    policy: policyFrom(toml),
  });
}

function at(result: AuditResult, file: string, line: number, rule: string): Finding {
  const found = result.findings.filter(
    (finding) => finding.evidence.path === file && finding.location?.line === line && finding.rule === rule,
  );
  assert.equal(found.length, 1, `one ${rule} at ${file}:${line}; have ${listFindings(result)}`);
  return found[0] as Finding;
}

function listFindings(result: AuditResult): string {
  return JSON.stringify(result.findings.map((f) => `${f.rule}@${f.evidence.path}:${f.location?.line}`));
}

function columnOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, needle);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

describe('code checks through runAudit', () => {
  const dir = plantedProject();
  let baseline: AuditResult;

  it('reports the planted token as a critical, blocking secret at its line and column', async () => {
    baseline = await audit(dir);
    const secret = at(baseline, 'app/settings.py', 3, 'github-token');
    const { line, column } = columnOf(SETTINGS_PY, TOKENS.settings);
    assert.equal(secret.check, 'secrets');
    assert.equal(secret.severity, 'critical');
    assert.equal(secret.blocking, true);
    assert.equal(secret.waiver, undefined);
    assert.deepEqual(secret.location, {
      file: join(dir, 'app/settings.py'),
      line,
      column,
      endLine: line,
      endColumn: column + TOKENS.settings.length,
    });
    assert.deepEqual(secret.evidence.cwes, ['CWE-798']);
    assert.equal(secret.subject, undefined);
  });

  it('reports shell=True as a high, blocking SAST finding with its CWE and Bandit id', () => {
    const shell = at(baseline, 'app/run.py', 4, 'subprocess-shell-true');
    const { column } = columnOf(RUN_PY, 'subprocess.run(cmd, shell=True)');
    assert.equal(shell.check, 'sast');
    assert.equal(shell.severity, 'high');
    assert.equal(shell.blocking, true);
    assert.equal(shell.location?.column, column);
    assert.equal(shell.location?.endColumn, column + 'subprocess.run(cmd, shell=True)'.length);
    assert.deepEqual(shell.evidence.cwes, ['CWE-78']);
    assert.equal(shell.evidence.bandit, 'B602');
    const assertUsed = at(baseline, 'app/run.py', 8, 'assert-used');
    assert.equal(assertUsed.severity, 'low');
    assert.equal(assertUsed.blocking, false);
  });

  it('waives inline-suppressed hits (# nosec, cvebuild: ignore[eval]) without letting them block', () => {
    const nosec = at(baseline, 'app/run.py', 5, 'subprocess-shell-true');
    assert.equal(nosec.severity, 'high', 'keeps its severity');
    assert.equal(nosec.blocking, false);
    assert.equal(nosec.waiver?.inline, true);
    assert.match(nosec.waiver?.reason ?? '', /# nosec/);
    assert.deepEqual(nosec.waiver?.origin, { file: join(dir, 'app/run.py'), line: 5 });
    const evalHit = at(baseline, 'app/run.py', 6, 'eval');
    assert.equal(evalHit.blocking, false);
    assert.equal(evalHit.waiver?.inline, true);
    assert.match(evalHit.waiver?.reason ?? '', /cvebuild: ignore\[eval\]/);
  });

  it('never reads gitignored, .cvebuildignore’d or binary files (and does not list binaries as unscanned)', () => {
    for (const finding of baseline.findings) {
      const file = finding.location?.file ?? '';
      assert.ok(!file.startsWith(join(dir, '.env')), `${finding.rule} in .env`);
      assert.ok(!file.startsWith(join(dir, 'vendor')), `${finding.rule} in vendor/`);
      assert.ok(!file.startsWith(join(dir, 'assets')), `${finding.rule} in assets/`);
      const files = (finding.evidence.files as string[] | undefined) ?? [];
      assert.ok(!files.includes('assets/blob.dat'), 'binaries are expected, not reported as unscanned');
      assert.ok(!files.includes('.env'));
    }
  });

  it('names the oversized file in one informational secrets/not-scanned finding', () => {
    const skipped = baseline.findings.filter((finding) => finding.rule === 'secrets/not-scanned');
    assert.equal(skipped.length, 1, listFindings(baseline));
    const [finding] = skipped as [Finding];
    assert.equal(finding.severity, 'info');
    assert.equal(finding.blocking, false);
    assert.deepEqual(finding.evidence.files, ['big/data.txt']);
    assert.equal(finding.evidence.reason, 'too-large');
    assert.match(finding.message, /big\/data\.txt/);
    assert.match(finding.message, /2000 bytes/);
    assert.equal(finding.location?.file, join(dir, 'big/data.txt'));
    // The token past the bound was not read, so it is not reported.
    assert.ok(!baseline.findings.some((f) => f.evidence.path === 'big/data.txt' && f.rule === 'github-token'));
  });

  it('names the non-UTF-8 module in a sast/not-scanned finding', () => {
    const skipped = baseline.findings.filter((finding) => finding.rule === 'sast/not-scanned');
    assert.equal(skipped.length, 1, listFindings(baseline));
    const [finding] = skipped as [Finding];
    assert.equal(finding.severity, 'info');
    assert.equal(finding.blocking, false);
    assert.deepEqual(finding.evidence.files, ['legacy/latin.py']);
    assert.match(finding.message, /legacy\/latin\.py/);
  });

  it('fails the verdict with one reason per blocking finding, none for waived or low ones', () => {
    assert.equal(baseline.verdict.outcome, 'fail');
    const blocking = baseline.findings.filter((finding) => finding.blocking);
    assert.deepEqual(blocking.map((f) => `${f.rule}@${f.evidence.path}:${f.location?.line}`).sort(), [
      'github-token@app/pw.py:1',
      'github-token@app/settings.py:3',
      'github-token@conf/repeat.txt:1',
      'subprocess-shell-true@app/run.py:4',
    ]);
    assert.equal(baseline.verdict.reasons.length, 4, baseline.verdict.reasons.join('\n'));
    assert.ok(baseline.verdict.reasons.some((reason) => reason.startsWith('critical: app/settings.py:3: ')));
    assert.ok(baseline.verdict.reasons.some((reason) => reason.startsWith('high: app/run.py:4: ')));
    assert.ok(!baseline.verdict.reasons.some((reason) => /run\.py:[568]:/.test(reason)));
    assert.deepEqual(baseline.verdict.warnings, []);
    assert.deepEqual(
      baseline.checks.map((check) => check.id),
      ['sast', 'secrets'],
    );
  });

  it('reports a token repeated on three lines of one file once, with the lines it is on', () => {
    const repeated = baseline.findings.filter(
      (finding) => finding.evidence.path === 'conf/repeat.txt' && finding.check === 'secrets',
    );
    assert.equal(repeated.length, 1, listFindings(baseline));
    const [finding] = repeated as [Finding];
    assert.equal(finding.rule, 'github-token');
    assert.equal(finding.location?.line, 1);
    assert.deepEqual(finding.evidence.lines, [1, 3, 4]);
    assert.equal(finding.evidence.occurrences, 3);
  });

  it('never quotes a token in a SAST snippet (hard-coded password) or anywhere else in a finding', () => {
    const password = at(baseline, 'app/pw.py', 1, 'hardcoded-password-string');
    assert.equal(typeof password.evidence.snippet, 'string');
    const text = JSON.stringify(baseline.findings);
    for (const token of Object.values(TOKENS)) {
      for (let i = 0; i + 8 <= token.length; i++) {
        const piece = token.slice(i, i + 8);
        assert.ok(!String(password.evidence.snippet).includes(piece), `snippet quotes ${piece}`);
        assert.ok(!text.includes(piece), `a finding quotes ${piece}`);
      }
    }
  });

  it('min-confidence = "high" drops lower-confidence hits and keeps the rest', async () => {
    const lowConfidence = baseline.findings.filter((f) => f.check === 'sast' && f.evidence.confidence !== 'high');
    assert.ok(
      lowConfidence.some((f) => f.rule === 'hardcoded-password-string'),
      'the baseline has a medium-confidence hit',
    );
    const result = await audit(dir, `${SMALL_SECRETS}[checks.sast]\nmin-confidence = "high"\n`);
    const sast = result.findings.filter((f) => f.check === 'sast' && f.rule !== 'sast/not-scanned');
    assert.ok(sast.length > 0);
    assert.deepEqual(
      sast.filter((f) => f.evidence.confidence !== 'high').map((f) => f.rule),
      [],
    );
    assert.ok(!result.findings.some((f) => f.rule === 'hardcoded-password-string'));
    at(result, 'app/run.py', 4, 'subprocess-shell-true');
  });

  it('enabled = false for secrets leaves it out of a run that takes the checks from the policy', async () => {
    const others = CHECKS.filter((check) => check.id !== 'sast')
      .map((check) => `[checks.${check.id}]\nenabled = false\n`)
      .join('');
    const result = await audit(dir, others, null);
    assert.deepEqual(
      result.checks.map((check) => check.id),
      ['sast'],
    );
    assert.deepEqual(
      result.findings.filter((f) => f.check === 'secrets'),
      [],
    );
    at(result, 'app/run.py', 4, 'subprocess-shell-true');
    assert.equal(result.verdict.outcome, 'fail');
    assert.ok(!result.verdict.reasons.some((reason) => reason.startsWith('critical:')));
  });

  it('[checks.sast.rules] maps a rule’s severity, which then blocks', async () => {
    const result = await audit(dir, `${SMALL_SECRETS}[checks.sast.rules]\n"assert-used" = "high"\n`);
    const finding = at(result, 'app/run.py', 8, 'assert-used');
    assert.equal(finding.severity, 'high');
    assert.equal(finding.originalSeverity, 'low');
    assert.equal(finding.blocking, true);
    assert.ok(result.verdict.reasons.some((reason) => reason.startsWith('high: app/run.py:8: ')));
    // Other rules keep theirs.
    assert.equal(at(result, 'app/pw.py', 1, 'hardcoded-password-string').severity, 'low');
  });

  it('a policy waiver naming a code rule id accepts those findings', async () => {
    const toml = `${SMALL_SECRETS}
[[waivers]]
id = "subprocess-shell-true"
reason = "commands are built from constants"
by = "alice@example.org"
expires = 2099-12-31

[[waivers]]
id = "github-token"
check = "secrets"
reason = "test fixtures, revoked"
expires = 2099-12-31
`;
    const result = await audit(dir, toml);
    const shell = at(result, 'app/run.py', 4, 'subprocess-shell-true');
    assert.equal(shell.blocking, false);
    assert.equal(shell.waiver?.id, 'subprocess-shell-true');
    assert.equal(shell.waiver?.by, 'alice@example.org');
    assert.notEqual(shell.waiver?.inline, true, 'a policy waiver is not inline');
    assert.match(shell.waiver?.origin.file ?? '', /cvebuild\.toml$/);
    // The inline suppression stays the reason for the # nosec hit.
    assert.equal(at(result, 'app/run.py', 5, 'subprocess-shell-true').waiver?.inline, true);
    const secret = at(result, 'app/settings.py', 3, 'github-token');
    assert.equal(secret.blocking, false);
    assert.equal(secret.waiver?.reason, 'test fixtures, revoked');
    assert.equal(result.verdict.outcome, 'pass', result.verdict.reasons.join('\n'));
    assert.deepEqual(result.verdict.warnings, []);
  });

  it('an external engine the policy asks for but cannot run fails closed', async () => {
    const emptyPath = tempDirectory();
    const savedPath = process.env.PATH;
    process.env.PATH = emptyPath;
    let result: AuditResult;
    try {
      result = await audit(dir, `${SMALL_SECRETS}[checks.sast]\nengines = ["semgrep"]\n`);
    } finally {
      process.env.PATH = savedPath;
    }
    const failures = result.findings.filter((f) => f.rule === 'sast/engine-failed');
    assert.equal(failures.length, 1, listFindings(result));
    const [failure] = failures as [Finding];
    assert.equal(failure.check, 'sast');
    assert.equal(failure.severity, 'high');
    assert.equal(failure.blocking, true);
    assert.equal(failure.evidence.unchecked, true);
    assert.equal(failure.evidence.engine, 'semgrep');
    assert.match(String(failure.evidence.error), /semgrep/);
    assert.ok(result.verdict.reasons.some((reason) => reason.startsWith('not checked: semgrep could not run')));
    // Our own rules still ran.
    at(result, 'app/run.py', 4, 'subprocess-shell-true');
  });
});
