/**
 * The typosquat check over a small store built from self-made top-pypi, feedstock-outputs and
 * parselmouth files: findings' shape, PEP 503 equivalence, the conda rules, allow-list, dedupe.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { CheckContext } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { typosquatCheck } from '../../../src/checks/typosquat.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { APPLICATION_ID, MIGRATIONS } from '../../../src/intel/store-schema.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { emptyManifest, type Inventory } from '../../../src/model/inventory.ts';
import { type Ecosystem, normalizeName, type Package } from '../../../src/model/package.ts';
import { findSquat } from '../../../src/typosquat/match.ts';
import {
  buildPopularNames,
  hasCurrentSquatIndex,
  popularNamesFor,
  squatIndexStamp,
} from '../../../src/typosquat/popular.ts';
import { syntheticLock } from '../../helpers/synthetic-lock.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const TOP = ['requests', 'numpy', 'torch', 'matplotlib', 'python-dateutil', 'black', 'colorama', 'scikit-learn'];

async function newStore(lists: { top?: boolean; condaForge?: boolean } = {}, path = ':memory:'): Promise<IntelStore> {
  const store = openStore(path, { create: true });
  const paths: string[] = [];
  if (lists.top !== false) {
    const rows = TOP.map((project, i) => ({ project, download_count: 1000 - i }));
    paths.push(writeTemp('top-pypi-packages.min.json', JSON.stringify({ last_update: '2026-01-01', rows })));
  }
  if (lists.condaForge !== false) {
    const outputs = ['requests', 'numpy', 'pytorch', 'matplotlib', 'matplotlib-base', 'python-dateutil', 'libgcc'];
    outputs.push('libgcc-ng', 'blark', 'colorama', 'scikit-learn');
    paths.push(writeTemp('feedstock-outputs.json', JSON.stringify(Object.fromEntries(outputs.map((n) => [n, [n]])))));
    const map = {
      requests: ['requests'],
      numpy: ['numpy'],
      pytorch: ['torch'],
      'matplotlib-base': ['matplotlib'],
      'python-dateutil': ['python-dateutil'],
      libgcc: null,
      'libgcc-ng': null,
      blark: ['blark'],
      colorama: ['colorama'],
    };
    paths.push(writeTemp('parselmouth-conda-forge-compressed_mapping.v0.json', JSON.stringify(map)));
  }
  await importSources(
    store,
    paths.map((path) => ({ path })),
  );
  return store;
}

const USER_CHANNEL = 'https://conda.anaconda.org/someone';
const CONDA_FORGE = 'https://conda.anaconda.org/conda-forge';

function pkg(ecosystem: Ecosystem, name: string, extra: Partial<Package> = {}): Package {
  return {
    ecosystem,
    name,
    normalizedName: normalizeName(ecosystem, name),
    version: '1.0',
    platform: 'linux-64',
    location: `https://example.org/${name}`,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: 'pixi.lock', line: 7 },
    ...(ecosystem === 'conda' ? { channel: USER_CHANNEL } : {}),
    ...extra,
  };
}

function inventory(packages: Package[]): Inventory {
  return { sources: [], environments: [], packages, manifest: emptyManifest(), warnings: [] };
}

async function run(store: IntelStore, packages: Package[], allow: string[] = []): Promise<Finding[]> {
  const context: CheckContext = {
    intel: { store, matcher: new AdvisoryMatcher(store) },
    now: new Date('2026-06-01T00:00:00Z'),
    offline: true,
    cacheDir: '/nonexistent',
    settings: { ...defaultCheckSettings(), typosquatAllow: allow },
  };
  return typosquatCheck.run(inventory(packages), context);
}

const flagged = (findings: Finding[]) =>
  findings.map((f) => `${f.subject?.ecosystem}:${f.subject?.name}→${f.evidence.target}`);

describe('typosquat check', async () => {
  const store = await newStore();

  it('declares what it needs', () => {
    // version 2: names are scored with evidence about the project, looked up on its index (network);
    // version 3: short names are judged too, blocking only with that evidence
    assert.deepEqual(
      { id: typosquatCheck.id, version: typosquatCheck.version, requires: typosquatCheck.requires },
      {
        id: 'typosquat',
        version: 3,
        requires: {
          intel: true,
          network: true,
          offline: 'offline: judged by name alone (no project history from the index)',
        },
      },
    );
  });

  it('reports a PyPI squat with target, rank, technique, distance and confidence', async () => {
    const [finding, ...rest] = await run(store, [pkg('pypi', 'reqeusts')]);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      { check: finding?.check, rule: finding?.rule, severity: finding?.severity, location: finding?.location },
      {
        check: 'typosquat',
        rule: 'typosquat/transposition',
        severity: 'high',
        location: { file: 'pixi.lock', line: 7 },
      },
    );
    assert.deepEqual(
      {
        target: finding?.evidence.target,
        targetRank: finding?.evidence.targetRank,
        technique: finding?.evidence.technique,
        distance: finding?.evidence.distance,
        confidence: finding?.evidence.confidence,
      },
      { target: 'requests', targetRank: 1, technique: 'transposition', distance: 1, confidence: 0.95 },
    );
    assert.equal(finding?.subject?.name, 'reqeusts');
    assert.match(finding?.message ?? '', /reqeusts looks like a typosquat of requests \(#1 on PyPI/);
    assert.match(finding?.remedy ?? '', /depend on requests instead/);
  });

  it('treats PEP 503 spellings of a popular name as that name, but not a name without separators', async () => {
    const findings = await run(store, [
      pkg('pypi', 'python_dateutil'),
      pkg('pypi', 'Python.DateUtil'),
      pkg('pypi', 'pythondateutil'),
    ]);
    assert.deepEqual(flagged(findings), ['pypi:pythondateutil→python-dateutil']);
    assert.equal(findings[0]?.rule, 'typosquat/separator');
  });

  it('never flags popular names, allowed names, or PyPI names conda-forge packages', async () => {
    const packages = [pkg('pypi', 'requests'), pkg('pypi', 'Numpy'), pkg('pypi', 'colarama'), pkg('pypi', 'blark')];
    assert.deepEqual(flagged(await run(store, packages, ['Colarama'])), []);
    assert.deepEqual(flagged(await run(store, packages)), ['pypi:colarama→colorama']);
  });

  it('skips packages not resolved by name (git, path, editable, direct URL)', async () => {
    const kinds = ['git', 'path', 'editable', 'url', 'source-build'] as const;
    assert.deepEqual(
      await run(
        store,
        kinds.map((kind) => pkg('pypi', 'reqeusts', { kind })),
      ),
      [],
    );
  });

  it('judges conda names unknown to conda-forge against popular conda names, with the PyPI rank', async () => {
    const findings = await run(store, [pkg('conda', 'pytorchh'), pkg('conda', 'matplotlib-bass')]);
    assert.deepEqual(flagged(findings), ['conda:pytorchh→pytorch', 'conda:matplotlib-bass→matplotlib-base']);
    assert.equal(findings[0]?.evidence.targetRank, 3, 'the rank of torch on PyPI');
    assert.match(findings[0]?.message ?? '', /conda-forge package whose PyPI name ranks #3/);
  });

  it('uses separators as a technique on conda, where they are not normalized away', async () => {
    const findings = await run(store, [pkg('conda', 'python_dateutil')]);
    assert.deepEqual(flagged(findings), ['conda:python_dateutil→python-dateutil']);
    assert.equal(findings[0]?.rule, 'typosquat/separator');
  });

  it('never flags a conda-forge name, nor what the conda-forge channel serves', async () => {
    const findings = await run(store, [
      pkg('conda', 'libgcc'),
      pkg('conda', 'libgcc-ng'),
      pkg('conda', 'matplotlib'),
      pkg('conda', 'pytorchh', { channel: CONDA_FORGE }),
      pkg('conda', 'pytorchh', { channel: 'https://prefix.dev/conda-forge' }),
      pkg('conda', 'numpyy', { channel: CONDA_FORGE }),
    ]);
    assert.deepEqual(findings, []);
  });

  it('reports a name once, listing every platform and environment', async () => {
    const findings = await run(store, [
      pkg('pypi', 'reqeusts', { platform: 'linux-64', environments: ['default'] }),
      pkg('pypi', 'reqeusts', { platform: 'osx-arm64', environments: ['dev'] }),
    ]);
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]?.evidence.platforms, ['linux-64', 'osx-arm64']);
    assert.deepEqual(findings[0]?.subject?.environments, ['default', 'dev']);
  });

  it('reads a synthetic pixi.lock end to end', async () => {
    const path = syntheticLock([
      { ecosystem: 'pypi', name: 'requests', version: '2.32.0' },
      { ecosystem: 'pypi', name: 'colrama', version: '0.4.6' },
      { ecosystem: 'conda', name: 'numpy', version: '2.0.0' },
    ]);
    const findings = await run(store, readInventory(path).packages);
    assert.deepEqual(flagged(findings), ['pypi:colrama→colorama']);
    assert.equal(findings[0]?.location?.file, path);
  });

  it('says which names it could not judge when the store lacks a list', async () => {
    const bare = await newStore({ top: false, condaForge: false });
    const findings = await run(bare, [pkg('pypi', 'reqeusts'), pkg('conda', 'pytorchh')]);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.evidence.source]),
      [
        ['typosquat/no-data', 'info', 'top-pypi'],
        ['typosquat/no-data', 'info', 'conda-forge-names'],
      ],
    );
    assert.deepEqual(await run(bare, [pkg('conda', 'numpy', { channel: CONDA_FORGE })]), []);
  });

  it('reads the index the import wrote into the store, and answers as the index built in memory', () => {
    assert.equal(store.squatIndexStamp(), squatIndexStamp(store));
    // the names allowed two edits, stored in the order they are scanned
    assert.deepEqual(
      store.squatTwoEditEntries('pypi').map((entry) => entry.key),
      ['matplotlib', 'scikit-learn', 'python-dateutil'],
    );
    const built = buildPopularNames(store);
    assert.deepEqual({ pypi: built.pypi.size, conda: built.conda.size }, { pypi: TOP.length, conda: 6 });
    // every one-edit variant of every popular name, and some unrelated ones
    const variants = (key: string) => [
      key,
      ...[...key].map((_, i) => key.slice(0, i) + key.slice(i + 1)),
      ...[...key].map((_, i) => `${key.slice(0, i)}x${key.slice(i)}`),
      `${key}2`,
      `py${key}`,
      key.replaceAll('-', '_'),
      key.replace('l', '1'),
    ];
    const pypi = [...TOP, 'blark', 'zzzzzz'].flatMap(variants);
    const conda = ['pytorch', 'matplotlib-base', 'numpy', 'libgcc-ng', 'colorama'].flatMap(variants);
    const stored = popularNamesFor(store, { pypi, conda });
    assert.ok(stored.hasTopPypi && stored.hasCondaForge);
    let compared = 0;
    for (const [ecosystem, keys] of [
      ['pypi', pypi],
      ['conda', conda],
    ] as const) {
      for (const key of keys) {
        assert.deepEqual(findSquat(stored[ecosystem], key), findSquat(built[ecosystem], key), `${ecosystem} ${key}`);
        compared++;
      }
    }
    for (const key of conda) assert.equal(stored.condaForge.has(key), built.condaForge.has(key), key);
    for (const key of pypi) assert.equal(stored.pypiOnCondaForge.has(key), built.pypiOnCondaForge.has(key), key);
    assert.ok(compared > 300);
  });

  it('drops the index of a store written before schema 4 and indexes in memory until an import writes it again', async () => {
    const current = await newStore({}, join(tempDirectory(), 'current.sqlite'));
    const names = [pkg('pypi', 'reqeusts'), pkg('pypi', 'python-dateutils'), pkg('conda', 'pytorchh')];
    const expected = await run(current, names);
    assert.ok(expected.length >= 2);
    current.close();
    // the same lists and index in a store of schema 3, whose filter was hashed another way
    const path = join(tempDirectory(), 'v3.sqlite');
    const db = new DatabaseSync(path);
    for (const migration of MIGRATIONS.slice(0, 3)) db.exec(migration);
    db.exec(`PRAGMA user_version = 3; PRAGMA application_id = ${APPLICATION_ID};`);
    db.exec(`ATTACH '${current.path}' AS current`);
    // feeds gained a column after schema 3 (state, schema 5): copy the columns schema 3 has
    db.exec(
      'INSERT INTO feeds SELECT name, url, fetched_at, count, checksum, etag, last_modified, final_url FROM current.feeds',
    );
    for (const table of ['popularity', 'name_map', 'squat_entries', 'squat_probes', 'squat_members'])
      db.exec(`INSERT INTO ${table} SELECT * FROM current.${table}`);
    db.exec('INSERT INTO squat_state SELECT id, stamp, zeroblob(64) FROM current.squat_state');
    db.close();

    const old = openStore(path);
    assert.equal(old.squatIndexStamp(), undefined);
    assert.equal(old.squatTwoEditEntries('pypi').length, 0);
    assert.deepEqual(await run(old, names), expected);
    const kev = {
      catalogVersion: '2025.01.01',
      vulnerabilities: [{ cveID: 'CVE-2023-4863', vendorProject: 'Google', product: 'WebP', dateAdded: '2023-09-13' }],
    };
    await importSources(old, [{ path: writeTemp('known_exploited_vulnerabilities.json', JSON.stringify(kev)) }]);
    assert.ok(hasCurrentSquatIndex(old), 'an import of any feed writes a missing index');
    assert.deepEqual(await run(old, names), expected);
    old.close();
  });

  it('indexes in memory a store whose index is missing or out of date, with the same findings', async () => {
    const names = [pkg('pypi', 'reqeusts'), pkg('pypi', 'python-dateutils'), pkg('conda', 'pytorchh')];
    const expected = await run(store, names);
    assert.ok(expected.length >= 2);
    store.replaceSquatIndex({ stamp: 'stale', entries: [], probes: [], members: [], probeFilters: [] });
    assert.deepEqual(await run(store, names), expected);
  });
});
