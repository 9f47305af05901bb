import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSpdx } from '../../../src/report/spdx.ts';
import { exampleReport } from '../../helpers/report-fixture.ts';
import { spdxErrors } from '../../helpers/schemas.ts';
import { condaPackage, inventoryOf, NOW, pypiPackage, reportOf } from './sbom-fixtures.ts';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  checksums?: { algorithm: string; checksumValue: string }[];
  licenseDeclared: string;
  licenseComments?: string;
  externalRefs?: { referenceLocator: string }[];
  primaryPackagePurpose: string;
}
interface SpdxDocument {
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string }[];
}

const parse = (json: string) => JSON.parse(json) as SpdxDocument;

describe('renderSpdx', () => {
  for (const example of ['ml-service', 'openssl-cve', 'litellm-compromise']) {
    it(`${example}: an SPDX 2.3 document with every inventory package`, async () => {
      const report = await exampleReport(example);
      const json = renderSpdx(report);
      const document = parse(json);
      assert.deepEqual(spdxErrors(JSON.parse(json)), []);
      assert.equal(document.name, example);
      assert.equal(document.creationInfo.created, '2026-11-20T12:00:00Z');
      assert.deepEqual(document.creationInfo.creators, ['Tool: cvebuild-0.1.0']);
      const packages = document.packages.filter((pkg) => pkg.primaryPackagePurpose === 'LIBRARY');
      assert.equal(packages.length, report.inventory.packages.length);
      assert.deepEqual(
        packages.map((pkg) => `${pkg.name}@${pkg.versionInfo}`),
        report.inventory.packages.map((pkg) => `${pkg.name}@${pkg.version}`),
      );
    });
  }

  it('describes the project and draws the lock graph as DEPENDS_ON', async () => {
    const document = parse(renderSpdx(await exampleReport('ml-service')));
    const idOf = (name: string) => document.packages.find((pkg) => pkg.name === name)?.SPDXID;
    assert.deepEqual(document.relationships[0], {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-Project',
    });
    const dependsOn = (from: string | undefined) =>
      document.relationships
        .filter((r) => r.spdxElementId === from && r.relationshipType === 'DEPENDS_ON')
        .map((r) => document.packages.find((pkg) => pkg.SPDXID === r.relatedSpdxElement)?.name);
    assert.deepEqual(dependsOn(idOf('requests')), ['certifi', 'charset-normalizer', 'idna', 'urllib3']);
    assert.ok(dependsOn('SPDXRef-Project').includes('python'));
    const python = document.packages.find((pkg) => pkg.name === 'python') as SpdxPackage;
    assert.equal(python.SPDXID, 'SPDXRef-Package-conda-linux-64-python-3.11.9-hb806964-0-cpython');
    assert.equal(
      python.downloadLocation,
      'https://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-hb806964_0_cpython.conda',
    );
    assert.deepEqual(python.checksums, [
      { algorithm: 'SHA256', checksumValue: '177f33a1fb8d3476b38f73c37b42f01c0b014fa0e039a701fd9f83d83aae6d40' },
      { algorithm: 'MD5', checksumValue: 'ac68acfa8b558ed406c75e98d3428d7b' },
    ]);
    assert.equal(python.licenseDeclared, 'Python-2.0');
    assert.equal(
      python.externalRefs?.[0]?.referenceLocator,
      'pkg:conda/python@3.11.9?build=hb806964_0_cpython&channel=conda-forge&subdir=linux-64&type=conda',
    );
  });

  it('declares LicenseRefs, and keeps other license text out of the expression', () => {
    const inventory = inventoryOf([
      condaPackage('tzdata', '2024a', { license: 'LicenseRef-Public-Domain' }),
      condaPackage('odd', '1.0', { license: 'BSD-like (see LICENSE)' }),
      pypiPackage('both', '1.0', { license: 'MIT AND LicenseRef-Custom-1' }),
    ]);
    const json = renderSpdx(reportOf(inventory));
    assert.deepEqual(spdxErrors(JSON.parse(json)), []);
    const document = parse(json);
    assert.deepEqual(
      document.hasExtractedLicensingInfos?.map((info) => info.licenseId),
      ['LicenseRef-Custom-1', 'LicenseRef-Public-Domain'],
    );
    const odd = document.packages.find((pkg) => pkg.name === 'odd') as SpdxPackage;
    assert.equal(odd.licenseDeclared, 'NOASSERTION');
    assert.match(odd.licenseComments ?? '', /BSD-like \(see LICENSE\)/);
  });

  it('gives local packages no download location and never prints credentials', () => {
    const local = pypiPackage('mine', '0.1.0', { kind: 'editable', url: undefined, location: '.', index: undefined });
    const privateChannel = condaPackage('secret', '1.0', { channel: 'https://conda.anaconda.org/t/tk-999/private' });
    const json = renderSpdx(reportOf(inventoryOf([local, privateChannel])));
    assert.deepEqual(spdxErrors(JSON.parse(json)), []);
    assert.equal(parse(json).packages.find((pkg) => pkg.name === 'mine')?.downloadLocation, 'NOASSERTION');
    assert.doesNotMatch(json, /tk-999/);
  });

  it('is deterministic, with a namespace that changes with the content', async () => {
    const report = await exampleReport('ml-service');
    const first = renderSpdx(report);
    assert.equal(renderSpdx(report), first);
    assert.match(
      parse(first).documentNamespace,
      /^https:\/\/github\.com\/cvebuild\/cvebuild\/spdx\/ml-service-[0-9a-f-]{36}$/,
    );
    const later = renderSpdx({ ...report, generatedAt: new Date(NOW.getTime() + 1000) });
    assert.notEqual(parse(later).documentNamespace, parse(first).documentNamespace);
  });

  it('the checker rejects a document that breaks the rules', async () => {
    const document = JSON.parse(renderSpdx(await exampleReport('ml-service')));
    document.packages[1].SPDXID = 'SPDXRef-has space';
    document.packages[2].licenseDeclared = 'LicenseRef-Nowhere';
    document.relationships.push({
      spdxElementId: 'SPDXRef-Project',
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: 'SPDXRef-missing',
    });
    delete document.creationInfo.creators;
    const errors = spdxErrors(document);
    for (const expected of [
      'packages[1].SPDXID SPDXRef-has space',
      'packages[2].licenseDeclared: undeclared LicenseRef-Nowhere',
      'relationship to unknown SPDXRef-missing',
      'at least one creator',
    ]) {
      assert.ok(errors.includes(expected), `${expected} in:\n${errors.join('\n')}`);
    }
  });
});
