import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, Severity } from '../../../src/model/finding.ts';
import { renderSarif, resultLevel } from '../../../src/report/sarif.ts';
import { exampleReport, variedReport } from '../../helpers/report-fixture.ts';
import { condaPackage, inventoryOf, ROOT, reportOf } from './sbom-fixtures.ts';

interface Location {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Location[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; status: string; justification: string; location: Location }[];
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  helpUri?: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}
interface Run {
  tool: { driver: { name: string; semanticVersion: string; rules: Rule[] } };
  automationDetails: { id: string };
  results: Result[];
  properties: { verdict: string };
}

const runOf = (json: string) => (JSON.parse(json) as { runs: Run[] }).runs[0] as Run;
const where = (result: Result) => {
  const { artifactLocation, region } = result.locations[0]?.physicalLocation ?? ({} as Location['physicalLocation']);
  return `${artifactLocation.uri}:${region.startLine}`;
};

function finding(fields: Partial<Finding> = {}): Finding {
  return {
    check: 'vulnerability',
    checkVersion: 1,
    rule: 'CVE-2024-0001',
    severity: 'high',
    subject: { ecosystem: 'conda', name: 'openssl', version: '3.0.0', platform: 'linux-64', environments: ['default'] },
    message: 'openssl 3.0.0 is affected by CVE-2024-0001',
    evidence: { id: 'CVE-2024-0001', cwes: ['CWE-787'], score: 9.8, summary: 'Heap overflow' },
    remedy: 'upgrade openssl to 3.0.8 or later',
    location: { file: `${ROOT}/pixi.lock`, line: 91 },
    ...fields,
  };
}

const reportWith = (findings: Finding[]) => reportOf(inventoryOf([condaPackage('openssl', '3.0.0')]), { findings });

describe('renderSarif', () => {
  it('points each result at its lock record, relative to the root', async () => {
    const report = await variedReport();
    const run = runOf(renderSarif(report));
    assert.equal(run.tool.driver.name, 'cvebuild');
    assert.equal(run.tool.driver.semanticVersion, '0.1.0');
    assert.equal(run.automationDetails.id, 'cvebuild/');
    assert.equal(run.properties.verdict, 'fail');
    const malicious = run.results.find((result) => result.ruleId === 'MAL-2026-2144') as Result;
    assert.equal(where(malicious), 'pixi.lock:307');
    assert.equal(malicious.locations[0]?.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.equal(malicious.level, 'error');
    assert.match(malicious.message.text, /Fix: remove litellm 1\.82\.7 and rotate/);
    // a finding about no record points at the first input file
    const unlocated = report.findings.findIndex((f) => !f.location);
    assert.ok(unlocated >= 0, 'the example has a finding without a location');
    assert.equal(where(run.results[unlocated] as Result), 'pixi.lock:1');
  });

  it('carries a waiver as an accepted external suppression', async () => {
    const report = await variedReport();
    const run = runOf(renderSarif(report));
    const waived = run.results.find((result) => result.suppressions);
    assert.equal(waived?.ruleId, report.findings.find((f) => f.waiver)?.rule);
    assert.equal(run.results.filter((result) => result.suppressions).length, 1);
    const [suppression] = waived?.suppressions ?? [];
    assert.equal(suppression?.kind, 'external');
    assert.equal(suppression?.status, 'accepted');
    assert.equal(
      suppression?.justification,
      'reviewed: <not> reachable & "safe". Accepted by alice@example.org. Expires 2026-12-31.',
    );
    assert.equal(suppression?.location.physicalLocation.artifactLocation.uri, 'cvebuild.toml');
    assert.equal(suppression?.location.physicalLocation.region.startLine, 7);
  });

  it('levels: blocking or high and above is an error, medium and unknown a warning, low and info a note', () => {
    const levels = (['critical', 'high', 'medium', 'unknown', 'low', 'info'] as Severity[]).map((severity) =>
      resultLevel(finding({ severity })),
    );
    assert.deepEqual(levels, ['error', 'error', 'warning', 'warning', 'note', 'note']);
    assert.equal(resultLevel(finding({ severity: 'low', blocking: true })), 'error');
    const run = runOf(renderSarif(reportWith([finding({ severity: 'low' }), finding({ severity: 'medium' })])));
    assert.deepEqual(
      run.results.map((result) => result.level),
      ['note', 'warning'],
    );
    assert.equal(run.tool.driver.rules[0]?.defaultConfiguration.level, 'warning', 'the rule takes its worst finding');
  });

  it('has one rule per advisory, shared by every result it produces', async () => {
    const run = runOf(renderSarif(await exampleReport('openssl-cve')));
    const ids = run.tool.driver.rules.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    const zlib = run.results.filter((result) => result.ruleId === 'CVE-2022-37434');
    assert.deepEqual(zlib.map(where), ['pixi.lock:81', 'pixi.lock:168']);
    const rule = run.tool.driver.rules.find((r) => r.id === 'CVE-2022-37434') as Rule;
    assert.equal(rule.name, 'CVE-2022-37434');
    assert.equal(rule.properties['security-severity'], '9.8');
    assert.equal(rule.properties.precision, 'high');
    assert.ok(rule.properties.tags.includes('security'));
    assert.ok(rule.properties.tags.includes('external/cwe/cwe-787'));
    assert.equal(rule.helpUri, 'https://www.cve.org/CVERecord?id=CVE-2022-37434');
    assert.match(rule.help.text, /Fix: no fixed version known/);
    assert.match(rule.help.markdown, /\[CWE-787\]\(https:\/\/cwe\.mitre\.org\/data\/definitions\/787\.html\)/);
    assert.match(rule.help.markdown, /\[CVE-2022-37434\]\(https:\/\/www\.cve\.org\/CVERecord\?id=CVE-2022-37434\)/);
  });

  it('names check rules in PascalCase and keeps rule metadata within GitHub limits', () => {
    const long = finding({
      evidence: { summary: 'x'.repeat(2000), cwes: Array.from({ length: 12 }, (_, i) => `CWE-${i + 1}`) },
    });
    const cooldown = finding({ check: 'cooldown', rule: 'cooldown/not-checked', severity: 'low' });
    const run = runOf(renderSarif(reportWith([long, cooldown])));
    const [advisory, check] = run.tool.driver.rules as [Rule, Rule];
    assert.ok(advisory.shortDescription.text.length <= 1024);
    assert.ok(advisory.properties.tags.length <= 10);
    assert.equal(check.name, 'CooldownNotChecked');
  });

  it('fingerprints what a result is about, not where it is', () => {
    const fingerprint = (f: Finding) =>
      runOf(renderSarif(reportWith([f]))).results[0]?.partialFingerprints['cvebuild/v1'];
    const base = fingerprint(finding());
    assert.match(base ?? '', /^[0-9a-f]{64}$/);
    assert.equal(fingerprint(finding({ location: { file: `${ROOT}/pixi.lock`, line: 4000 } })), base);
    assert.equal(fingerprint(finding({ message: 'reworded' })), base);
    const other = finding();
    other.subject = { ...(other.subject as NonNullable<Finding['subject']>), version: '3.0.1' };
    assert.notEqual(fingerprint(other), base);
    assert.notEqual(fingerprint(finding({ rule: 'CVE-2024-0002' })), base);
  });

  it('writes paths with forward slashes, encoded, and files outside the root as file URIs', () => {
    const nested = finding({ location: { file: `${ROOT}/envs/dev space/pixi.lock`, line: 3 } });
    const outside = finding({ rule: 'CVE-2024-0002', location: { file: '/elsewhere/pixi.lock', line: 5 } });
    const run = runOf(renderSarif(reportWith([nested, outside])));
    assert.equal(where(run.results[0] as Result), 'envs/dev%20space/pixi.lock:3');
    const external = run.results[1]?.locations[0]?.physicalLocation.artifactLocation;
    assert.deepEqual(external, { uri: 'file:///elsewhere/pixi.lock' });
  });

  it('is deterministic', async () => {
    const report = await variedReport();
    assert.equal(renderSarif(report), renderSarif(report));
  });

  it('says, as tool-execution notifications, which advisories could not decide and how many packages were not checked for CVEs', () => {
    const report = reportOf(inventoryOf([condaPackage('libxml2', '2.10.3'), condaPackage('ros-humble-demo', '1.0')]), {
      undecided: ['libxml2@2.10.3: CVE-2024-25062 (unknown-range)'],
      notCheckedForCves: { packages: 1, reasons: [{ reason: 'no upstream product or PyPI name', packages: 1 }] },
    });
    const log = JSON.parse(renderSarif(report)) as {
      runs: {
        results: unknown[];
        invocations: {
          toolExecutionNotifications: { level: string; message: { text: string }; descriptor: { id: string } }[];
        }[];
      }[];
    };
    const [run] = log.runs;
    assert.deepEqual(run?.results, []);
    const notes = run?.invocations[0]?.toolExecutionNotifications ?? [];
    assert.deepEqual(
      notes.map((note) => [note.descriptor.id, note.level]),
      [
        ['cvebuild/not-checked-for-cves', 'warning'],
        ['cvebuild/undecided-advisory', 'note'],
      ],
    );
    assert.match(
      notes[0]?.message.text ?? '',
      /^Not checked for CVEs: 1 of 2 packages map to no advisory source \(1 no upstream product or PyPI name\)/,
    );
    assert.match(notes[1]?.message.text ?? '', /CVE-2024-25062 \(unknown-range\)/);
  });

  it('adds no notifications when every package was looked up and every advisory decided', () => {
    const log = JSON.parse(renderSarif(reportWith([finding()]))) as {
      runs: { invocations: Record<string, unknown>[] }[];
    };
    assert.equal(log.runs[0]?.invocations[0]?.toolExecutionNotifications, undefined);
  });
});
