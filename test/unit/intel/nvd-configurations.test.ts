import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importSources } from '../../../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { Package } from '../../../src/model/package.ts';
import { writeTemp } from '../../helpers/temp.ts';

const match = (criteria: string, vulnerable: boolean, bounds: Record<string, string> = {}) => ({
  vulnerable,
  criteria,
  ...bounds,
});

function record(id: string, configurations: unknown[]) {
  return {
    id,
    sourceIdentifier: 'cve@mitre.org',
    published: '2025-01-01T00:00:00.000',
    lastModified: '2025-01-02T00:00:00.000',
    vulnStatus: 'Analyzed',
    descriptions: [{ lang: 'en', value: `${id}` }],
    metrics: {},
    configurations,
  };
}

const NODE = 'cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*';
const WINDOWS = 'cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*';

function nodejs(platform: string): Package {
  return {
    ecosystem: 'conda',
    name: 'nodejs',
    normalizedName: 'nodejs',
    version: '20.11.0',
    platform,
    location: `https://conda.anaconda.org/conda-forge/${platform}/nodejs-20.11.0-h0_0.conda`,
    depends: [],
    requiresDist: [],
    purls: [],
    purlsKnown: true,
    kind: 'registry',
    environments: ['default'],
    origin: { file: 'pixi.lock' },
  };
}

describe('NVD configurations: OS nodes, AND conditions, negation', async () => {
  const store = openStore(':memory:', { create: true });
  const records = [
    // Node.js on Windows only (the shape of CVE-2024-3566)
    record('CVE-2099-3001', [
      {
        operator: 'AND',
        nodes: [
          { operator: 'OR', negate: false, cpeMatch: [match(NODE, true, { versionEndIncluding: '21.7.2' })] },
          { operator: 'OR', negate: false, cpeMatch: [match(WINDOWS, false)] },
        ],
      },
    ]),
    // Node.js with a host application as the condition: cannot be checked, so kept everywhere
    record('CVE-2099-3002', [
      {
        operator: 'AND',
        nodes: [
          { operator: 'OR', negate: false, cpeMatch: [match(NODE, true, { versionEndExcluding: '22.0.0' })] },
          { operator: 'OR', negate: false, cpeMatch: [match('cpe:2.3:a:acme:host:*:*:*:*:*:*:*:*', false)] },
        ],
      },
    ]),
    // an operating system's own CPE never names a conda product; a negated node says "not this"
    record('CVE-2099-3003', [
      {
        nodes: [{ operator: 'OR', negate: false, cpeMatch: [match('cpe:2.3:o:nodejs:node.js:*:*:*:*:*:*:*:*', true)] }],
      },
      { nodes: [{ operator: 'OR', negate: true, cpeMatch: [match(NODE, true)] }] },
    ]),
  ];
  await importSources(store, [
    { path: writeTemp('nvd.jsonl', records.map((item) => JSON.stringify(item)).join('\n')) },
  ]);

  it('keeps an AND configuration on Windows as a Windows-only entry', () => {
    assert.deepEqual(
      store.advisoryById('CVE-2099-3001')?.affected.map(({ name, platforms }) => [name, platforms]),
      [['nodejs', ['win']]],
    );
    assert.equal(store.advisoryById('CVE-2099-3002')?.affected[0]?.platforms, undefined);
    assert.equal(store.advisoryById('CVE-2099-3003'), undefined, 'no application CPE of a mapped product');
  });

  it('matches a Windows-only entry on win-64, not on linux-64 or osx-arm64', () => {
    const ids = (platform: string) =>
      new AdvisoryMatcher(store)
        .match(nodejs(platform))
        .groups.map((group) => group.id)
        .sort();
    assert.deepEqual(ids('win-64'), ['CVE-2099-3001', 'CVE-2099-3002']);
    assert.deepEqual(ids('linux-64'), ['CVE-2099-3002']);
    assert.deepEqual(ids('osx-arm64'), ['CVE-2099-3002']);
  });

  it('answers each platform on its own through one matcher, whichever platform asks first', () => {
    const matcher = new AdvisoryMatcher(store);
    const ids = (platform: string) =>
      matcher
        .match(nodejs(platform))
        .groups.map((group) => group.id)
        .sort();
    assert.deepEqual(ids('linux-64'), ['CVE-2099-3002']);
    assert.deepEqual(ids('win-64'), ['CVE-2099-3001', 'CVE-2099-3002']);
    assert.deepEqual(ids('osx-arm64'), ['CVE-2099-3002']);
    assert.deepEqual(ids('noarch'), ['CVE-2099-3001', 'CVE-2099-3002'], 'an unknown platform keeps the entry');
  });
});
