import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Finding, withFlags } from '../../../src/model/finding.ts';
import { renderCycloneDx } from '../../../src/report/cyclonedx.ts';
import { exampleReport } from '../../helpers/report-fixture.ts';
import { cycloneDxErrors } from '../../helpers/schemas.ts';
import { condaPackage, inventoryOf, NOW, reportOf } from './sbom-fixtures.ts';

interface Component {
  'bom-ref': string;
  name: string;
  version: string;
  purl: string;
  hashes?: { alg: string; content: string }[];
  licenses?: ({ license: { id?: string; name?: string } } | { expression: string })[];
  externalReferences?: { url: string; type: string }[];
  properties?: { name: string; value: string }[];
}
interface Vulnerability {
  id: string;
  source?: { name: string; url?: string };
  ratings: { score?: number; severity?: string; method?: string; vector?: string }[];
  cwes?: number[];
  recommendation?: string;
  analysis: { state: string; response?: string[]; detail?: string };
  affects: { ref: string; versions?: { version: string; status: string }[] }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  serialNumber: string;
  metadata: { timestamp: string; component: { name: string; 'bom-ref': string }; lifecycles: { phase: string }[] };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
  vulnerabilities?: Vulnerability[];
}

const parse = (json: string) => JSON.parse(json) as Bom;
const byName = (bom: Bom, name: string) => bom.components.find((c) => c.name === name) as Component;
const property = (item: { properties?: { name: string; value: string }[] }, name: string) =>
  item.properties?.find((p) => p.name === name)?.value;

describe('renderCycloneDx', () => {
  for (const example of ['ml-service', 'openssl-cve', 'litellm-compromise']) {
    it(`${example}: a valid 1.6 BOM with one component per inventory package`, async () => {
      const report = await exampleReport(example);
      const json = renderCycloneDx(report, { vulnerabilities: true });
      assert.deepEqual(await cycloneDxErrors(json), []);
      const bom = parse(json);
      assert.equal(bom.components.length, report.inventory.packages.length);
      const refs = bom.components.map((c) => c['bom-ref']);
      assert.equal(new Set(refs).size, refs.length, 'bom-refs are unique');
      assert.equal(bom.metadata.component.name, example);
      assert.equal(bom.metadata.timestamp, '2026-11-20T12:00:00.000Z');
      assert.deepEqual(bom.metadata.lifecycles, [{ phase: 'pre-build' }]);
      const inGraph = new Set(bom.dependencies.map((d) => d.ref));
      for (const ref of [...refs, bom.metadata.component['bom-ref']])
        assert.ok(inGraph.has(ref), `${ref} in the graph`);
      assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  }

  it('describes ml-service packages with exact purls, hashes, licenses and the lock graph', async () => {
    const bom = parse(renderCycloneDx(await exampleReport('ml-service'), { vulnerabilities: false }));
    const python = byName(bom, 'python');
    assert.equal(
      python.purl,
      'pkg:conda/python@3.11.9?build=hb806964_0_cpython&channel=conda-forge&subdir=linux-64&type=conda',
    );
    assert.equal(python['bom-ref'], 'conda:linux-64/python@3.11.9-hb806964_0_cpython');
    assert.deepEqual(python.hashes, [
      { alg: 'SHA-256', content: '177f33a1fb8d3476b38f73c37b42f01c0b014fa0e039a701fd9f83d83aae6d40' },
      { alg: 'MD5', content: 'ac68acfa8b558ed406c75e98d3428d7b' },
    ]);
    assert.deepEqual(python.licenses, [{ license: { id: 'Python-2.0' } }]);
    assert.deepEqual(python.externalReferences, [
      {
        url: 'https://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-hb806964_0_cpython.conda',
        type: 'distribution',
      },
    ]);
    assert.equal(property(python, 'cvebuild:environments'), 'default,minimal');
    assert.equal(property(python, 'cvebuild:origin'), 'pixi.lock:242');
    assert.equal(property(python, 'conda:channel'), 'https://conda.anaconda.org/conda-forge');

    const requests = byName(bom, 'requests');
    assert.equal(requests.purl, 'pkg:pypi/requests@2.32.3');
    assert.equal(property(requests, 'pypi:index'), 'https://pypi.org/simple');
    assert.deepEqual(bom.dependencies.find((d) => d.ref === requests['bom-ref'])?.dependsOn, [
      'pypi:linux-64/certifi@2024.7.4',
      'pypi:linux-64/charset-normalizer@3.3.2',
      'pypi:linux-64/idna@3.8',
      'pypi:linux-64/urllib3@2.2.2',
    ]);
    const project = bom.dependencies.find((d) => d.ref === 'project:ml-service');
    assert.ok(project?.dependsOn?.includes(python['bom-ref']));
    assert.ok(project?.dependsOn?.includes(requests['bom-ref']));
    assert.equal(bom.vulnerabilities, undefined);
  });

  it('keeps SPDX expressions, names other license text, and drops placeholders', async () => {
    const inventory = inventoryOf([
      condaPackage('a', '1', { license: 'MIT' }),
      condaPackage('b', '1', { license: 'MIT OR Apache-2.0' }),
      condaPackage('c', '1', { license: 'LicenseRef-Public-Domain' }),
      condaPackage('d', '1', { license: 'BSD License' }),
      condaPackage('e', '1', { license: 'None' }),
    ]);
    const json = renderCycloneDx(reportOf(inventory), { vulnerabilities: false });
    assert.deepEqual(await cycloneDxErrors(json), []);
    const bom = parse(json);
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e'].map((name) => byName(bom, name).licenses),
      [
        [{ license: { id: 'MIT' } }],
        [{ expression: 'MIT OR Apache-2.0' }],
        [{ expression: 'LicenseRef-Public-Domain' }],
        [{ license: { name: 'BSD License' } }],
        undefined,
      ],
    );
  });

  it('gives the same artifact on two platforms, or from two channels, distinct refs; hides credentials', async () => {
    const linux = condaPackage('six', '1.16.0', { subdir: 'noarch' });
    const mac = condaPackage('six', '1.16.0', { subdir: 'noarch', platform: 'osx-arm64' });
    const mirror = condaPackage('six', '1.16.0', {
      subdir: 'noarch',
      channel: 'https://user:s3cret@mirror.example.com/conda-forge',
    });
    const json = renderCycloneDx(reportOf(inventoryOf([linux, mac, mirror])), { vulnerabilities: false });
    assert.deepEqual(await cycloneDxErrors(json), []);
    const refs = parse(json).components.map((c) => c['bom-ref']);
    assert.equal(new Set(refs).size, 3);
    assert.ok(refs.includes('conda:osx-arm64/six@1.16.0-h0_0'));
    assert.doesNotMatch(json, /s3cret/);
  });

  it('lists advisory findings as VEX: one entry per advisory and waiver, affecting every hit component', async () => {
    const report = await exampleReport('openssl-cve');
    const findings: Finding[] = report.findings.map((finding) =>
      finding.rule === 'CVE-2022-37434' && finding.subject?.name === 'libzlib'
        ? {
            ...finding,
            blocking: false,
            waiver: {
              id: 'CVE-2022-37434',
              reason: 'inflate is never given untrusted input',
              by: 'alice@example.org',
              expires: '2026-12-31',
              origin: { file: `${report.root}/cvebuild.toml`, line: 4 },
            },
          }
        : finding.rule === 'CVE-2023-0286'
          ? withFlags(finding, { ...finding.flags, kev: { dateAdded: '2024-01-02' } })
          : finding,
    );
    const json = renderCycloneDx({ ...report, findings }, { vulnerabilities: true });
    assert.deepEqual(await cycloneDxErrors(json), []);
    const vulnerabilities = parse(json).vulnerabilities ?? [];
    assert.deepEqual(
      vulnerabilities.map((v) => `${v.id} ${v.analysis.state} ${v.affects.map((a) => a.ref.split('/')[1]).join(',')}`),
      [
        'CVE-2022-3602 in_triage openssl@3.0.0-h7f98852_2',
        'CVE-2022-37434 in_triage zlib@1.2.11-h36c2ea0_1013',
        'CVE-2022-37434 exploitable libzlib@1.2.11-h36c2ea0_1013',
        'CVE-2022-3786 in_triage openssl@3.0.0-h7f98852_2',
        'CVE-2023-0286 in_triage openssl@3.0.0-h7f98852_2',
      ],
    );
    const waived = vulnerabilities[2] as Vulnerability;
    assert.deepEqual(waived.analysis, {
      state: 'exploitable',
      response: ['will_not_fix'],
      detail: 'Risk accepted by alice@example.org until 2026-12-31: inflate is never given untrusted input',
    });
    assert.deepEqual(waived.ratings, [
      {
        source: { name: 'NVD' },
        score: 9.8,
        severity: 'critical',
        method: 'CVSSv31',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      },
    ]);
    assert.deepEqual(waived.cwes, [787]);
    assert.deepEqual(waived.source, { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-37434' });
    assert.deepEqual(waived.affects[0]?.versions, [{ version: '1.2.11', status: 'affected' }]);
    const kev = vulnerabilities.find((v) => v.id === 'CVE-2023-0286') as Vulnerability;
    assert.equal(property(kev, 'cvebuild:kev'), 'true');
    assert.equal(property(kev, 'cvebuild:kev-date-added'), '2024-01-02');
    assert.equal(kev.recommendation, 'upgrade openssl to 3.0.8 or later');
    assert.equal(property(kev, 'cvebuild:blocking'), 'true');
  });

  it('marks an open malicious release exploitable', async () => {
    const bom = parse(renderCycloneDx(await exampleReport('litellm-compromise'), { vulnerabilities: true }));
    const [malicious] = bom.vulnerabilities ?? [];
    assert.equal(malicious?.id, 'MAL-2026-2144');
    assert.equal(malicious?.analysis.state, 'exploitable');
    assert.deepEqual(
      malicious?.affects.map((a) => a.ref),
      ['pypi:linux-64/litellm@1.82.7'],
    );
    assert.equal(property(malicious as Vulnerability, 'cvebuild:check'), 'malicious');
  });

  it('is byte-identical for the same input and time, with a serial number that follows the content', async () => {
    const report = await exampleReport('ml-service');
    const first = renderCycloneDx(report, { vulnerabilities: false });
    assert.equal(renderCycloneDx(report, { vulnerabilities: false }), first);
    const later = renderCycloneDx(
      { ...report, generatedAt: new Date(NOW.getTime() + 1000) },
      { vulnerabilities: false },
    );
    assert.notEqual(parse(later).serialNumber, parse(first).serialNumber);
  });

  it('orders lists the same under any locale', () => {
    const fixtures = new URL('./sbom-fixtures.ts', import.meta.url).href;
    const renderer = new URL('../../../src/report/cyclonedx.ts', import.meta.url).href;
    const script = `
      import { condaPackage, inventoryOf, reportOf } from ${JSON.stringify(fixtures)};
      import { renderCycloneDx } from ${JSON.stringify(renderer)};
      const packages = ['yaml', 'jinja2', 'Zlib', 'idna'].map((name) => condaPackage(name, '1.0', { depends: ['yaml', 'jinja2', 'idna'] }));
      process.stdout.write(renderCycloneDx(reportOf(inventoryOf(packages)), { vulnerabilities: false }));`;
    const run = (locale: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, LC_ALL: locale, LANG: locale },
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('.', import.meta.url)),
      });
    const c = run('C');
    const lithuanian = run('lt_LT.UTF-8');
    assert.equal(c.status, 0, c.stderr);
    assert.equal(lithuanian.stdout, c.stdout);
    assert.deepEqual(
      parse(c.stdout).components.map((component) => component.name),
      ['idna', 'jinja2', 'yaml', 'Zlib'],
    );
  });

  it('a broken BOM fails validation', async () => {
    const bom = parse(renderCycloneDx(await exampleReport('ml-service'), { vulnerabilities: false }));
    const badHash = structuredClone(bom);
    (badHash.components[0]?.hashes as { alg: string }[])[0] = { alg: 'SHA-999' };
    const hashErrors = await cycloneDxErrors(JSON.stringify(badHash));
    assert.ok(
      hashErrors.some((error) => error.startsWith('/components/0/hashes/0')),
      hashErrors.join('\n'),
    );
    const nameless = structuredClone(bom);
    delete (nameless.components[1] as Partial<Component>).name;
    const nameErrors = await cycloneDxErrors(JSON.stringify(nameless));
    assert.ok(
      nameErrors.some((error) => error.includes('"missingProperty":"name"')),
      nameErrors.join('\n'),
    );
  });
});
