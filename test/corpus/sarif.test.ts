/**
 * The SARIF output validates against the official OASIS SARIF 2.1.0 schema (kept in the shared
 * corpus, not in the repository), for every bundled example and for the branches the examples do
 * not reach; and the validator does reject a broken file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/model/finding.ts';
import { renderSarif } from '../../src/report/sarif.ts';
import { hasCorpus } from '../helpers/paths.ts';
import { exampleReport, variedReport } from '../helpers/report-fixture.ts';
import { sarifErrors } from '../helpers/schemas.ts';

describe('SARIF against the SARIF 2.1.0 schema', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  for (const example of ['litellm-compromise', 'openssl-cve', 'ml-service']) {
    it(`${example} is valid`, async () => {
      assert.deepEqual(sarifErrors(JSON.parse(renderSarif(await exampleReport(example)))), []);
    });
  }

  it('waivers, mapped severities, unlocated findings and files outside the root are valid', async () => {
    const report = await variedReport();
    const [first] = report.findings as [Finding, ...Finding[]];
    const findings: Finding[] = [
      ...report.findings,
      { ...first, rule: 'CVE-2000-0001', originalSeverity: 'critical', severity: 'medium' },
      { ...first, rule: 'CVE-2000-0002', location: { file: '/elsewhere/with space/pixi.lock', line: 9 } },
      { ...first, rule: 'CVE-2000-0003', location: undefined, subject: undefined },
    ];
    const document = JSON.parse(renderSarif({ ...report, findings }));
    assert.deepEqual(sarifErrors(document), []);
    assert.equal(document.runs[0].results.filter((r: { suppressions?: unknown }) => r.suppressions).length, 1);
  });

  it('undecided advisories and packages not checked for CVEs, as notifications, are valid', async () => {
    const report = await variedReport();
    const notCheckedForCves = { packages: 3, reasons: [{ reason: 'no upstream product or PyPI name', packages: 3 }] };
    const undecided = ['libxml2@2.10.3: CVE-2024-25062 (unknown-range)'];
    const document = JSON.parse(renderSarif({ ...report, undecided, notCheckedForCves }));
    assert.deepEqual(sarifErrors(document), []);
    assert.equal(document.runs[0].invocations[0].toolExecutionNotifications.length, 2);
  });

  it('a result without a message is rejected', async () => {
    const document = JSON.parse(renderSarif(await exampleReport('litellm-compromise')));
    delete document.runs[0].results[0].message;
    const errors = sarifErrors(document);
    assert.ok(
      errors.some((error) => error.startsWith('/runs/0/results/0') && error.includes('"missingProperty":"message"')),
      errors.join('\n'),
    );
  });

  it('a bad level is rejected', async () => {
    const document = JSON.parse(renderSarif(await exampleReport('openssl-cve')));
    document.runs[0].results[0].level = 'critical';
    assert.ok(sarifErrors(document).some((error) => error.startsWith('/runs/0/results/0/level enum')));
  });
});
