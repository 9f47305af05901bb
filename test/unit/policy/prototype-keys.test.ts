/**
 * Keys from outside (advisory ids, rule ids, package and environment names, TOML/YAML/JSON keys)
 * that name an `Object.prototype` member must be plain data everywhere: a map keyed by them must
 * never answer with an inherited function. One such lookup once turned a CVSS 9.8 finding into a
 * pass. Every name is pushed through the policy, the advisory index, the readers and the reports.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECKS } from '../../../src/checks/registry.ts';
import { parseSize } from '../../../src/code/options.ts';
import { cooldownPolicy } from '../../../src/cooldown/policy.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { openIntelForAudit } from '../../../src/intel/open.ts';
import { levelFromText } from '../../../src/intel/severity.ts';
import { atLeast, compareSeverity, type Finding, type Severity } from '../../../src/model/finding.ts';
import { applyPolicy } from '../../../src/policy/evaluate.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { waiverMatches } from '../../../src/policy/waivers.ts';
import { FORMAT_NAMES, loadRenderer } from '../../../src/report/formats.ts';
import { auditReport } from '../../../src/report/from-audit.ts';
import { runCli } from '../../helpers/cli.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { condaPackage, inventory as cooldownInventory, pypiPackage } from '../cooldown/inventory-builder.ts';

// Object.prototype's own names include `__proto__` (an accessor).
const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];
const NOW = new Date('2026-11-22T12:00:00Z');
const CRITICAL_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

function finding(rule: string, severity: Severity, name = 'litellm'): Finding {
  return {
    check: 'vulnerability',
    checkVersion: 1,
    rule,
    severity,
    subject: { ecosystem: 'pypi', name, version: '1.0.0', platform: 'linux-64' },
    message: `${rule} message`,
    evidence: { id: rule, aliases: [] },
  };
}

function osv(id: string, pypiName: string): string {
  return JSON.stringify({
    id,
    modified: '2026-11-01T00:00:00Z',
    summary: `advisory ${id}`,
    severity: [{ type: 'CVSS_V3', score: CRITICAL_VECTOR }],
    database_specific: { severity: id },
    affected: [
      {
        package: { ecosystem: 'PyPI', name: pypiName },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      },
    ],
  });
}

/** A project whose lock has one environment and one PyPI package per prototype name, and threat data naming them. */
function hostileProject(): { dir: string; intel: string } {
  const dir = tempDirectory();
  // wheels named after their package, as they must be: the artifact's name is what gets audited
  const names = PROTOTYPE_NAMES.map((name, index) => ({ name, file: `${index}/${name}` }));
  const environments = names
    .map(
      ({ name, file }) =>
        `  ${JSON.stringify(name)}:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    indexes:\n    - https://pypi.org/simple\n    packages:\n      linux-64:\n      - pypi: https://files.pythonhosted.org/packages/py3/${file}-1.0.0-py3-none-any.whl`,
    )
    .join('\n');
  const records = names
    .map(
      ({ name, file }) =>
        `- pypi: https://files.pythonhosted.org/packages/py3/${file}-1.0.0-py3-none-any.whl\n  name: ${JSON.stringify(name)}\n  version: 1.0.0`,
    )
    .join('\n');
  writeFileSync(join(dir, 'pixi.lock'), `version: 6\nenvironments:\n${environments}\npackages:\n${records}\n`);
  writeFileSync(
    join(dir, 'cvebuild.toml'),
    '[checks.vulnerability]\nenabled = true\n\n[checks.typosquat]\nenabled = false\n[checks.cooldown]\nenabled = false\n',
  );
  const intel = join(dir, 'intel');
  mkdirSync(intel);
  names.forEach(({ name }, index) => {
    writeFileSync(join(intel, `advisory-${index}.json`), osv(name, name));
  });
  writeFileSync(
    join(intel, 'kev.json'),
    JSON.stringify({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.11.01',
      dateReleased: '2026-11-01T00:00:00Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'CVE-2014-0160',
          vendorProject: 'OpenSSL',
          product: 'OpenSSL',
          vulnerabilityName: 'Heartbleed',
          dateAdded: '2022-05-04',
          shortDescription: 'x',
          requiredAction: 'x',
          dueDate: '2022-05-25',
          knownRansomwareCampaignUse: 'Unknown',
          notes: '',
          cwes: [],
        },
      ],
    }),
  );
  return { dir, intel };
}

describe('keys named after Object.prototype members are data', () => {
  it('the policy: a rule id of every such name maps only its own finding', () => {
    for (const name of PROTOTYPE_NAMES) {
      const dir = tempDirectory();
      writeFileSync(
        join(dir, 'cvebuild.toml'),
        `[checks.vulnerability.rules]\n${JSON.stringify(name)} = "info"\n"CVE-2020-0001" = "low"\n`,
      );
      const policy = loadPolicy(dir);
      assert.equal(policy.checks.get('vulnerability')?.rules.get(name), 'info', name);
      const { findings, verdict } = applyPolicy([finding(name, 'critical'), finding('other', 'critical')], policy, {
        now: NOW,
        checks: CHECKS,
      });
      assert.deepEqual(
        findings.map((item) => [item.rule, item.severity, item.blocking]),
        [
          [name, 'info', false],
          ['other', 'critical', true],
        ],
        name,
      );
      assert.equal(verdict.outcome, 'fail', name);
    }
  });

  it('the policy: an advisory id of every such name keeps its severity under a [checks.vulnerability] table', () => {
    const dir = tempDirectory();
    writeFileSync(join(dir, 'cvebuild.toml'), '[checks.vulnerability]\nenabled = true\n');
    const policy = loadPolicy(dir);
    for (const name of PROTOTYPE_NAMES) {
      const { findings, verdict } = applyPolicy([finding(name, 'critical')], policy, { now: NOW, checks: CHECKS });
      assert.equal(findings[0]?.severity, 'critical', name);
      assert.equal(findings[0]?.blocking, true, name);
      assert.equal(verdict.outcome, 'fail', name);
    }
  });

  it('the policy: a check table named after such a member is an unknown key, not a crash', () => {
    for (const name of PROTOTYPE_NAMES.filter((name) => name !== '__proto__')) {
      const dir = tempDirectory();
      writeFileSync(join(dir, 'cvebuild.toml'), `[checks.${JSON.stringify(name)}]\nenabled = false\n`);
      assert.throws(() => loadPolicy(dir), { code: 'MANIFEST_INVALID' }, name);
    }
  });

  it('waivers: an id or package of such a name waives only what it names', () => {
    for (const name of PROTOTYPE_NAMES) {
      const waiver = { id: name, reason: 'r', expires: '2026-12-31', origin: { file: 'cvebuild.toml' } };
      assert.equal(waiverMatches(waiver, finding(name, 'high')), true, name);
      assert.equal(waiverMatches(waiver, finding('CVE-2020-0001', 'high')), false, name);
      const byPackage = { package: name, reason: 'r', expires: '2026-12-31', origin: { file: 'cvebuild.toml' } };
      assert.equal(waiverMatches(byPackage, finding('CVE-2020-0001', 'high', 'litellm')), false, name);
    }
  });

  it('severities: a value that is not a severity ranks as critical (fail closed)', () => {
    for (const name of PROTOTYPE_NAMES) {
      const odd = name as Severity;
      assert.equal(atLeast(odd, 'critical'), true, name);
      assert.ok(compareSeverity(odd, 'high') > 0, name);
      const { verdict } = applyPolicy([finding('CVE-2020-0001', odd)], defaultPolicy(), { now: NOW, checks: CHECKS });
      assert.equal(verdict.outcome, 'fail', name);
    }
  });

  it('lookup tables keyed by outside text: severity words and size units', () => {
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(levelFromText(name), undefined, name);
      assert.equal(levelFromText(name.toUpperCase()), undefined, name);
      assert.equal(parseSize(`5${name}`), undefined, name);
    }
  });

  it('the cooldown: exemptions and cutoffs keyed by such names apply only to that name', () => {
    // conda names are lowercase in the manifest's maps, as the reader writes them
    const exemptions = Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name.toLowerCase(), '*']));
    const packages = Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name.toLowerCase(), '0d']));
    const inventory = cooldownInventory([], { workspace: '7d', exemptions, packages });
    const cooldown = cooldownPolicy(inventory, undefined, NOW);
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(cooldown.conda(condaPackage(name, '1.0')).status, 'exempt', name);
    }
    assert.equal(cooldown.conda(condaPackage('numpy', '2.0')).status, 'applies');
    assert.equal(cooldown.pypi(pypiPackage('numpy', '2.0', 'https://pypi.org/simple')).status, 'applies');
  });

  it('the readers and the advisory index: environments, packages and advisory ids of every such name', async () => {
    const { dir, intel } = hostileProject();
    const inventory = readInventory(join(dir, 'pixi.lock'));
    assert.deepEqual(inventory.environments.map((environment) => environment.name).sort(), [...PROTOTYPE_NAMES].sort());
    const opened = await openIntelForAudit({ db: intel, maxAgeMs: 48 * 3_600_000, now: new Date() });
    try {
      const result = await runAudit(inventory, opened.store, {
        policy: loadPolicy(dir),
        now: new Date(),
        offline: true,
        checks: ['vulnerability', 'malicious'],
      });
      const ids = result.findings.filter((item) => item.check === 'vulnerability').map((item) => item.rule);
      assert.deepEqual(ids.sort(), [...PROTOTYPE_NAMES].sort());
      for (const item of result.findings) {
        if (item.check !== 'vulnerability') continue;
        assert.equal(item.severity, 'critical', item.rule);
        assert.equal(item.blocking, true, item.rule);
      }
      assert.equal(result.verdict.outcome, 'fail');
      const report = auditReport({ inventory, result, intel: opened, target: dir, root: dir, now: NOW });
      for (const format of FORMAT_NAMES) {
        const text = (await loadRenderer(format))(report);
        assert.ok(text.length > 0, format);
      }
    } finally {
      opened.store.close();
    }
  });

  it('the gate: FAIL and exit 1 in every format', () => {
    const { dir, intel } = hostileProject();
    for (const format of ['table', 'json', 'sarif', 'markdown', 'html']) {
      const result = runCli(['gate', dir, '--db', intel, '--format', format, '--offline']);
      assert.equal(result.status, 1, `${format}: ${result.stderr}`);
      assert.equal(result.stderr, '', format);
      if (format === 'json') {
        const json = JSON.parse(result.stdout) as {
          summary: { verdict: string };
          findings: { check: string; id: string; severity: string; blocking: boolean }[];
        };
        assert.equal(json.summary.verdict, 'fail');
        const advisories = json.findings.filter((item) => item.check === 'vulnerability');
        assert.deepEqual(advisories.map((item) => item.id).sort(), [...PROTOTYPE_NAMES].sort());
        assert.ok(advisories.every((item) => item.severity === 'critical' && item.blocking));
      }
    }
  });
});
