import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advisoryFinding } from '../../../src/checks/advisory-findings.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import type { Advisory, AffectedPackage, AffectedSource, FeedName } from '../../../src/intel/model.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { Package } from '../../../src/model/package.ts';

function libexpat(version: string): Package {
  return {
    ecosystem: 'conda',
    name: 'libexpat',
    normalizedName: 'libexpat',
    version,
    platform: 'linux-64',
    location: `https://conda.anaconda.org/conda-forge/linux-64/libexpat-${version}-h0_0.conda`,
    depends: [],
    requiresDist: [],
    purls: [],
    purlsKnown: true,
    kind: 'registry',
    environments: ['default'],
    origin: { file: 'pixi.lock' },
  };
}

const below = (fixed: string) => [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] }];

function entry(source: AffectedSource | undefined, ranges: AffectedPackage['ranges']): AffectedPackage {
  return {
    ecosystem: 'upstream',
    name: 'expat',
    normalizedName: 'expat',
    scheme: 'upstream',
    ranges,
    versions: [],
    ...(source ? { source } : {}),
  };
}

function record(feed: FeedName, affected: AffectedPackage[]): Advisory {
  return {
    id: 'CVE-2099-7000',
    aliases: [],
    kind: 'vulnerability',
    summary: `${feed} says`,
    modified: '2099-01-01T00:00:00Z',
    severity: { vectors: [], level: 'high' },
    cwes: [],
    affected,
    references: [],
    feed,
  };
}

function matchWith(records: Advisory[], version: string) {
  const store = openStore(':memory:', { create: true });
  for (const item of records) store.upsertAdvisory(item);
  const matcher = new AdvisoryMatcher(store);
  const pkg = libexpat(version);
  const result = matcher.match(pkg);
  const findings = result.groups.map((group) => advisoryFinding(pkg, group));
  store.close();
  return { ...result, findings };
}

describe('source precedence for one CVE and one product: vendor > NVD > CNA > ADP', () => {
  it("NVD's range decides over the CNA's and ADP's, whichever was imported last", () => {
    const nvd = record('nvd', [entry('nvd', below('2.5.0'))]);
    const cve5 = record('cve5', [entry('cna', below('2.7.0')), entry('adp', below('2.8.0'))]);
    for (const order of [
      [nvd, cve5],
      [cve5, nvd],
    ]) {
      const { groups, undecided } = matchWith(order, '2.6.0');
      assert.deepEqual(groups, [], 'NVD says 2.6.0 is fixed');
      assert.deepEqual(undecided, []);
    }
  });

  it('the CNA decides where NVD names the product with no range; its evidence says so', () => {
    const nvd = record('nvd', [entry('nvd', [])]);
    const cve5 = record('cve5', [entry('cna', below('2.7.0')), entry('adp', below('2.5.0'))]);
    const { findings } = matchWith([nvd, cve5], '2.6.0');
    assert.equal(findings.length, 1, 'one finding per CVE per package');
    assert.equal(findings[0]?.evidence.statedBy, 'CNA entry');
    assert.equal(findings[0]?.evidence.source, 'cve5');
    assert.equal(findings[0]?.rule, 'CVE-2099-7000');
  });

  it("the ADP's range decides when it is the only one", () => {
    const cve5 = record('cve5', [entry('cna', []), entry('adp', below('2.6.3'))]);
    const { findings } = matchWith([cve5], '2.5.0');
    assert.equal(findings[0]?.evidence.statedBy, 'ADP entry');
  });

  it("a vendor feed's statement decides over NVD's", () => {
    const vendor = record('curl', [entry(undefined, below('2.5.0'))]);
    const nvd = record('nvd', [entry('nvd', below('2.7.0'))]);
    assert.deepEqual(matchWith([nvd, vendor], '2.6.0').groups, []);
    const { findings } = matchWith([nvd, vendor], '2.4.0');
    assert.equal(findings[0]?.evidence.statedBy, 'vendor feed');
    assert.match(findings[0]?.message ?? '', /curl says/, "the vendor's summary");
  });

  it('a product named with no range anywhere is undecided, never dropped and never guessed', () => {
    const nvd = record('nvd', [entry('nvd', [])]);
    const cve5 = record('cve5', [entry('cna', []), entry('adp', [])]);
    const { groups, undecided } = matchWith([nvd, cve5], '2.6.0');
    assert.deepEqual(groups, []);
    assert.deepEqual(
      undecided.map(({ advisoryId, reason, target }) => [advisoryId, reason, target.normalizedName]),
      [['CVE-2099-7000', 'unknown-range', 'expat']],
    );
  });

  it('a vendor record filed under its own id (NSWG-CORE-…, the CVE an alias) overrules NVD and the CVE List on that CVE', () => {
    const vendor: Advisory = {
      ...record('nodejs', [entry(undefined, below('2.6.0'))]),
      id: 'NSWG-CORE-9000',
      aliases: ['CVE-2099-7000'],
    };
    const nvd = record('nvd', [entry('nvd', below('2.9.0'))]);
    const cve5 = record('cve5', [entry('cna', below('2.9.0'))]);
    // the vendor says 2.7.0 is not affected: NVD's wider range does not make it so
    const fixedByVendor = matchWith([vendor, nvd, cve5], '2.7.0');
    assert.deepEqual(fixedByVendor.groups, []);
    assert.deepEqual(fixedByVendor.undecided, []);
    // below the vendor's fix, one finding joins both ids
    const affected = matchWith([vendor, nvd, cve5], '2.5.0');
    assert.equal(affected.groups.length, 1);
    assert.deepEqual([affected.groups[0]?.id, ...(affected.groups[0]?.aliases ?? [])].sort(), [
      'CVE-2099-7000',
      'NSWG-CORE-9000',
    ]);
    // a vendor record with no range decides nothing: NVD's statement stands
    const silent: Advisory = { ...vendor, affected: [entry(undefined, [])] };
    assert.equal(matchWith([silent, nvd], '2.7.0').groups.length, 1);
  });
});
