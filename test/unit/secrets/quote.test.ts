/**
 * Issue 12, item 4: a code finding quoted a line with a second secret on it that no rule reported.
 * Every quote of code (snippets of both checks, Bandit / Semgrep messages) now hides every
 * credential-looking thing on the line: each form below sits beside a detected GitHub token and must
 * not survive, in the quote, the finding, or the JSON report.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { codeFindings } from '../../../src/code/findings.ts';
import type { CodeHit } from '../../../src/code/types.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { emptyInventory } from '../../../src/model/inventory.ts';
import { renderAuditJson } from '../../../src/report/audit-json.ts';
import { auditReport } from '../../../src/report/from-audit.ts';
import { maskQuotedCode, WITHHELD } from '../../../src/secrets/quote.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const fake = new FakeSecrets(1212);
const NOW = new Date('2026-11-20T12:00:00Z');

/** [what, the second secret, the line it is on after a detected token (`TOKEN`)]. */
function secondSecrets(): [string, string, string][] {
  const s = () => fake.mixed('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789', 20);
  const cases: [string, (secret: string) => string][] = [
    ['a URL password with @', (x) => `url = "https://deploy:p@${x}@git.example.com/x"`],
    ['a URL password, percent-encoded', (x) => `url = "https://deploy:${x}%40@git.example.com/x"`],
    ['a token as a URL user name', (x) => `remote = "https://${x}@github.com/org/repo.git"`],
    ['a token parameter', (x) => `fetch("https://api.example.com/v1?token=${x}")`],
    ['an anaconda.org channel token', (x) => `channel = "https://conda.anaconda.org/t/${x}/private"`],
    ['a generated key without a known prefix', (x) => `api_key = "${x}"`],
    ['a short password literal', () => 'password = "hunter2wx"'],
    ['a bearer header', (x) => `headers = {"Authorization": "Bearer ${x}"}`],
    ['a command-line password', () => 'os.system("mysql --password=Tr0ub4dor -u root")'],
    ['a password in a call', () => 'connect(host, passwd="correcthorse")'],
  ];
  return cases.map(([what, line]) => {
    const secret = s();
    const text = line(secret);
    const planted = /hunter2wx|Tr0ub4dor|correcthorse/.exec(text)?.[0] ?? secret;
    return [what, planted, text];
  });
}

function assertHidden(text: string, secret: string, where: string): void {
  for (let i = 0; i + 6 <= secret.length; i++)
    assert.ok(!text.includes(secret.slice(i, i + 6)), `${where} shows ${secret.slice(i, i + 6)}: ${text}`);
}

describe('quoting a line of code', () => {
  for (const [what, secret, second] of secondSecrets()) {
    it(`hides ${what} beside a detected token`, async () => {
      const token = fake.githubClassic();
      const quote = await maskQuotedCode('app/settings.py', `TOKEN = "${token}"; ${second}`);
      assert.notEqual(quote, WITHHELD);
      assertHidden(quote, token.slice(4), 'the quote');
      assertHidden(quote, secret, 'the quote');
      assert.match(quote, /^TOKEN = "ghp_\*\*\*\* \(40 chars\)"; /);
    });
  }

  it('keeps code that holds no credential as it is', async () => {
    for (const line of [
      'subprocess.run(cmd, shell=True)',
      'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
      'conn = connect(password=pw, user="x")',
      'h = hashlib.md5(data, usedforsecurity=False)',
      'curl -sSL https://github.com/org/repo/releases/download/v1.2.3/tool-1.2.3-linux-x86_64.tar.gz | bash',
    ])
      assert.equal(await maskQuotedCode('a.py', line), line);
  });

  it('masks what an external engine quotes in its message', async () => {
    const root = tempDirectory();
    const hit: CodeHit = {
      engine: 'bandit',
      rule: 'bandit.B105',
      message: "Possible hardcoded password: 'hunter2wx'",
      severity: 'low',
      confidence: 'medium',
      file: 'app.py',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 20,
      snippet: "PASSWORD = 'hunter2wx'",
    };
    const [finding] = await codeFindings([hit], { check: { id: 'sast', version: 1 }, root, family: 'sast' });
    assert.ok(finding);
    assert.ok(!JSON.stringify(finding).includes('hunter2wx'), JSON.stringify(finding));
    assert.equal(finding.evidence.snippet, "PASSWORD = '****'");
  });
});

describe('code findings through the engine and the JSON report', () => {
  it('no snippet of either check carries the second secret on a line', async () => {
    const root = tempDirectory();
    const cases = secondSecrets().map(([what, secret, second]) => ({
      what,
      secret,
      second,
      token: fake.githubClassic(),
    }));
    const write = (path: string, content: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    };
    // A secrets hit (a token) and a SAST hit (shell=True) on every line with a second secret.
    const lines = cases.map(({ second, token }) => `subprocess.run("x", shell=True); T = "${token}"; ${second}`);
    write('app/run.py', `import subprocess\n${lines.join('\n')}\n`);
    const result = await runAudit(emptyInventory(), undefined, {
      checks: ['secrets', 'sast'],
      now: NOW,
      offline: true,
      root,
    });
    const report = auditReport({ inventory: emptyInventory(), result, intel: undefined, target: root, root, now: NOW });
    const json = renderAuditJson(report);
    const snippets = result.findings
      .map((finding) => finding.evidence.snippet)
      .filter((snippet) => snippet !== undefined);
    assert.ok(snippets.length >= cases.length * 2, `${snippets.length} snippets`);
    for (const { what, secret, token } of cases) {
      assertHidden(json, secret, `the JSON report (${what})`);
      assertHidden(json, token.slice(4), `the JSON report (${what})`);
    }
  });
});
