/**
 * The rule table (ids, CWE, severities, help) is consistent with what the detectors and the preset
 * mapping produce; preset-only formats come out under our ids with engine `secretlint`.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { SecretLintCoreResultMessage } from '@secretlint/types';
import { SEVERITIES } from '../../../src/model/finding.ts';
import { DETECTORS } from '../../../src/secrets/detectors/index.ts';
import {
  PRESET_ID,
  PRESET_VERSION,
  presetDetection,
  presetIsTabled,
  presetRuleId,
  TABLED_PRESET_RULES,
} from '../../../src/secrets/preset.ts';
import { SECRET_RULES, SECRETS_OWASP, secretRule } from '../../../src/secrets/rules.ts';
import { scanText } from '../../../src/secrets/scan.ts';
import { PRESET_RULES } from '../../../src/secrets/secretlint.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';

describe('secret rule table', () => {
  it('has unique kebab-case ids with a title, help, CWE and a known severity', () => {
    const ids = SECRET_RULES.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of SECRET_RULES) {
      assert.match(rule.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      assert.ok(rule.title.length > 3 && rule.help.length > 40, rule.id);
      assert.match(rule.cwe, /^CWE-\d+$/);
      assert.ok(SEVERITIES.includes(rule.severity), rule.id);
      assert.ok(rule.engines.length > 0);
    }
    assert.equal(SECRETS_OWASP, 'A07:2021-Identification and Authentication Failures');
  });

  it('names every detector of ours and every rule the preset maps to', () => {
    for (const detector of DETECTORS) assert.ok(secretRule(detector.id).engines.includes('cvebuild'), detector.id);
    for (const entry of PRESET_RULES) {
      const messageIds = Object.keys(entry.creator.messages);
      for (const messageId of messageIds) {
        const id = presetRuleId({ ruleId: entry.id, messageId });
        const rule = secretRule(id);
        assert.notEqual(id, 'secretlint-other', `${entry.id} ${messageId} has no id of ours`);
        assert.ok(rule.engines.includes('secretlint'), `${id} should list secretlint as an engine`);
      }
    }
  });

  it('runs with AWS ID scanning on, and every preset rule has anchors', () => {
    const aws = PRESET_RULES.find((entry) => entry.id.endsWith('-aws'));
    assert.deepEqual(aws?.options, { enableIDScanRule: true });
    for (const entry of PRESET_RULES) assert.ok(entry.anchors.literals || entry.anchors.pattern, entry.id);
  });

  // Texts without an anchor skip loading the preset: that is exact only if the table knows all its rules.
  it('lists every rule of the installed preset, in its order, and names its version', () => {
    const installed = (createRequire(import.meta.url)(`${PRESET_ID}/package.json`) as { version: string }).version;
    assert.equal(PRESET_VERSION, installed, 'review the PRESET table for the new preset, then bump PRESET_VERSION');
    assert.ok(presetIsTabled());
    assert.deepEqual(
      TABLED_PRESET_RULES.map((rule) => rule.id),
      PRESET_RULES.map((entry) => entry.id),
    );
  });
});

describe('preset-only formats', () => {
  const fake = new FakeSecrets(3);
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const cases: [string, string][] = [
    ['slack-token', `xoxb-${fake.chars('0123456789', 11)}-${fake.chars('0123456789', 12)}-${fake.mixed(ALNUM, 24)}`],
    ['stripe-key', `sk_live_${fake.mixed(ALNUM, 24)}`],
    ['gitlab-token', `glpat-${fake.mixed(ALNUM, 20)}`],
    ['npm-token', `npm_${fake.mixed(ALNUM, 36)}`],
    ['docker-token', `dckr_pat_${fake.mixed(ALNUM, 27)}`],
    ['sendgrid-api-key', `SG.${fake.mixed(ALNUM, 22)}.${fake.mixed(ALNUM, 43)}`],
  ];
  for (const [rule, secret] of cases) {
    it(`${rule} comes from secretlint under our id, masked`, async () => {
      const hits = await scanText('conf/app.py', `# settings\nVALUE = "${secret}"\n`);
      assert.equal(hits.length, 1, JSON.stringify(hits));
      const [hit] = hits;
      assert.equal(hit?.rule, rule);
      assert.equal(hit?.engine, 'secretlint');
      assert.equal(hit?.line, 2);
      assert.equal(hit?.column, 10);
      assert.match(String(hit?.extra?.secretlintRule), /^@secretlint\/secretlint-rule-/);
      assert.ok(!JSON.stringify(hit).includes(secret.slice(-12)));
    });
  }

  it('finds the AWS secret value the preset reports at the key name', () => {
    const secret = fake.awsSecret();
    const content = `x = 1\nAWS_SECRET_ACCESS_KEY = "${secret}"\n`;
    const at = content.indexOf('AWS_SECRET');
    const message = {
      type: 'message',
      ruleId: '@secretlint/secretlint-rule-aws',
      messageId: 'AWSSecretAccessKey',
      message: '',
      range: [at, at + 40],
      loc: { start: { line: 2, column: 0 }, end: { line: 2, column: 40 } },
      severity: 'error',
    } as SecretLintCoreResultMessage;
    const detection = presetDetection(message, content);
    assert.equal(content.slice(detection?.secretStart, detection?.secretEnd), secret);
    assert.equal(detection?.rule, 'aws-secret-access-key');
  });

  it('keeps one hit when the preset and a detector of ours find the same secret (ours wins)', async () => {
    const token = fake.githubClassic();
    const hits = await scanText('a.py', `T = "${token}"\n`);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.engine, 'cvebuild');
    const presetOnly = await scanText('a.py', `T = "${token}"\n`, { preset: false });
    assert.equal(presetOnly.length, 1);
  });

  it('leaves secretlint-disable comments to the caller (suppressed hits stay in reports as accepted)', async () => {
    const token = fake.githubClassic();
    const hits = await scanText('a.py', `T = "${token}" # secretlint-disable-line\n`);
    assert.equal(hits.length, 1);
  });
});
