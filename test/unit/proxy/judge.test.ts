import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngine } from '../../../src/engine/engine.ts';
import { type OpenedIntel, openIntelStore } from '../../../src/intel/open.ts';
import { normalizeName, type Package } from '../../../src/model/package.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { createEngineJudge, type QuarantineView } from '../../../src/proxy/judge.ts';
import type { QuarantineEntry, QuarantineTarget } from '../../../src/proxy/types.ts';
import { buildIntelStore } from '../../helpers/build-recipe.ts';
import { projectRoot } from '../../helpers/paths.ts';

const NOW = new Date('2026-04-01T12:00:00Z');
const CHANNEL = 'https://conda.anaconda.org/conda-forge';

function conda(name: string, version: string, build: string, timestamp = Date.parse('2025-01-01')): Package {
  const filename = `${name}-${version}-${build}.conda`;
  return {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeName('conda', name),
    version,
    build,
    subdir: 'linux-64',
    platform: 'linux-64',
    channel: CHANNEL,
    url: `${CHANNEL}/linux-64/${filename}`,
    location: `${CHANNEL}/linux-64/${filename}`,
    timestamp,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: [],
    origin: { file: 'repodata.json' },
  };
}

function pypi(name: string, version: string, uploaded: number): Package {
  const filename = `${name}-${version}-py3-none-any.whl`;
  return {
    ecosystem: 'pypi',
    name,
    normalizedName: normalizeName('pypi', name),
    version,
    platform: 'noarch',
    index: 'https://pypi.org/simple',
    url: `https://files.pythonhosted.org/packages/${filename}`,
    location: `https://files.pythonhosted.org/packages/${filename}`,
    timestamp: uploaded,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: [],
    origin: { file: 'simple' },
  };
}

class ListQuarantine implements QuarantineView {
  revision = 0;
  entries: QuarantineEntry[] = [];
  add(target: QuarantineTarget) {
    this.entries.push({
      ...target,
      id: `q${++this.revision}`,
      reason: 'under review',
      by: 'alice',
      createdAt: NOW.toISOString(),
    });
  }
  activeIds(now: Date) {
    return this.entries
      .filter((entry) => entry.expiresAt === undefined || Date.parse(entry.expiresAt) > now.getTime())
      .map((entry) => entry.id)
      .sort();
  }
  matches(target: QuarantineTarget) {
    return this.entries.filter(
      (entry) =>
        entry.ecosystem === target.ecosystem &&
        (entry.upstream === '*' || entry.upstream === target.upstream) &&
        entry.name === target.name &&
        (entry.version === undefined || entry.version === target.version) &&
        (entry.file === undefined || entry.file === target.file),
    );
  }
}

describe('the engine-backed judge', () => {
  let intel: OpenedIntel;
  before(async () => {
    const db = buildIntelStore([
      join(projectRoot, 'examples/openssl-cve/intel'),
      join(projectRoot, 'test/fixtures/intel/kev.json'),
      join(projectRoot, 'test/fixtures/intel/osv'),
    ]);
    intel = await openIntelStore({ db });
  });
  after(() => intel.store.close());

  function judgeWith(quarantine = new ListQuarantine(), cooldown = new Map(), clock = () => NOW) {
    const engine = createEngine({ intel, clock, http: null });
    const policy = defaultPolicy();
    policy.maxDbAgeMs = 100 * 365 * 86_400_000;
    return createEngineJudge({
      engine,
      policy,
      policyDigest: 'test',
      intel: intel.store,
      quarantine,
      cooldown,
      bucketMs: 60_000,
      offline: true,
      clock,
      checks: ['malicious', 'vulnerability', 'cooldown'],
    });
  }

  it('withholds a vulnerable conda build and a malicious PyPI release, and keeps the fixed and clean ones', async () => {
    const judge = judgeWith();
    const old = conda('openssl', '3.0.7', 'h0b41bf4_1');
    const fixed = conda('openssl', '3.0.8', 'h0b41bf4_0');
    const zlib = conda('zlib', '1.3.1', 'hb9d3cd8_2');
    const conda1 = await judge.judge([old, fixed, zlib], { upstream: 'conda-forge', ecosystem: 'conda' });
    assert.deepEqual([...conda1.blocked.keys()], [old]);
    assert.ok(
      conda1.blocked
        .get(old)
        ?.some((reason) => reason.source === 'vulnerability' && /CVE-2023-0286/.test(reason.id + reason.message)),
    );

    const bad = pypi('litellm', '1.82.7', Date.parse('2026-03-24'));
    const good = pypi('litellm', '1.82.6', Date.parse('2026-03-20'));
    const result = await judge.judge([bad, good], { upstream: 'pypi', ecosystem: 'pypi' });
    assert.deepEqual([...result.blocked.keys()], [bad]);
    assert.equal(result.blocked.get(bad)?.[0]?.source, 'malicious');
  });

  it('withholds what a quarantine entry names, and its version changes with the list', async () => {
    const quarantine = new ListQuarantine();
    const judge = judgeWith(quarantine);
    const a = conda('zlib', '1.3.1', 'hb9d3cd8_2');
    const b = conda('zlib', '1.3.0', 'hb9d3cd8_1');
    const before = await judge.version('conda-forge');
    quarantine.add({ ecosystem: 'conda', upstream: 'conda-forge', name: 'zlib', version: '1.3.1' });
    assert.notEqual(await judge.version('conda-forge'), before);
    const result = await judge.judge([a, b], { upstream: 'conda-forge', ecosystem: 'conda' });
    assert.deepEqual([...result.blocked.keys()], [a]);
    assert.match(result.blocked.get(a)?.[0]?.message ?? '', /quarantined by alice.*under review/);
    const elsewhere = await judge.judge([a], { upstream: 'other', ecosystem: 'conda' });
    assert.equal(elsewhere.blocked.size, 0);
  });

  it('holds back releases newer than the upstream cooldown, with the time they leave it', async () => {
    const judge = judgeWith(
      new ListQuarantine(),
      new Map([
        ['conda-forge', { excludeNewer: '7d' }],
        ['pypi', { excludeNewer: '3d' }],
      ]),
    );
    const fresh = conda('zlib', '1.3.2', 'h_0', Date.parse('2026-03-30T00:00:00Z'));
    const seasoned = conda('zlib', '1.3.1', 'h_0', Date.parse('2026-03-01T00:00:00Z'));
    const result = await judge.judge([fresh, seasoned], { upstream: 'conda-forge', ecosystem: 'conda' });
    assert.deepEqual([...result.blocked.keys()], [fresh]);
    const reason = result.blocked.get(fresh)?.[0];
    assert.equal(reason?.source, 'cooldown');
    assert.equal(reason?.until, Date.parse('2026-04-06T00:00:00Z'));

    const newFile = pypi('zipp', '4.1.0', Date.parse('2026-03-31T00:00:00Z'));
    const oldFile = pypi('zipp', '3.23.0', Date.parse('2025-06-01T00:00:00Z'));
    const files = await judge.judge([newFile, oldFile], { upstream: 'pypi', ecosystem: 'pypi' });
    assert.deepEqual([...files.blocked.keys()], [newFile]);
  });

  it('changes its version when time changes a decision, and only then', async () => {
    let now = NOW;
    const quarantine = new ListQuarantine();
    const plain = judgeWith(quarantine, new Map(), () => now);
    const cooled = judgeWith(quarantine, new Map([['cf', { excludeNewer: '7d' }]]), () => now);
    const first = { plain: await plain.version('cf'), cooled: await cooled.version('cf') };
    now = new Date(NOW.getTime() + 5 * 60_000);
    assert.equal(await plain.version('cf'), first.plain, 'no cooldown: the same view all day');
    assert.notEqual(await cooled.version('cf'), first.cooled, 'a cooldown moves with its bucket');
    quarantine.entries.push({
      ecosystem: 'conda',
      upstream: 'cf',
      name: 'zlib',
      id: 'qx',
      reason: 'r',
      by: 'b',
      createdAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + 10 * 60_000).toISOString(),
    });
    quarantine.revision++;
    const withEntry = await plain.version('cf');
    assert.notEqual(withEntry, first.plain);
    now = new Date(NOW.getTime() + 11 * 60_000);
    assert.notEqual(
      await plain.version('cf'),
      withEntry,
      'an expired entry changes the version without a new revision',
    );
  });

  it('withholds, one by one, the packages a check could not look at, and keeps serving the rest', async () => {
    const partial = await openIntelStore({
      db: buildIntelStore([
        join(projectRoot, 'examples/openssl-cve/intel'),
        join(projectRoot, 'test/fixtures/intel/kev.json'),
      ]),
    });
    try {
      const policy = defaultPolicy();
      policy.maxDbAgeMs = 100 * 365 * 86_400_000;
      const judge = createEngineJudge({
        engine: createEngine({ intel: partial, clock: () => NOW, http: null }),
        policy,
        policyDigest: 'test',
        intel: partial.store,
        quarantine: new ListQuarantine(),
        cooldown: new Map(),
        bucketMs: 60_000,
        offline: true,
        clock: () => NOW,
        checks: ['vulnerability'],
      });
      const unlookable = pypi('zipp', '3.23.0', Date.parse('2025-06-01'));
      const result = await judge.judge([unlookable], { upstream: 'pypi', ecosystem: 'pypi' });
      assert.deepEqual([...result.blocked.keys()], [unlookable]);
      assert.equal(result.blocked.get(unlookable)?.[0]?.id, 'vulnerability/not-checked');
      assert.match(result.blocked.get(unlookable)?.[0]?.message ?? '', /no PyPI vulnerability advisories/);
    } finally {
      partial.store.close();
    }
  });

  it('remembers what does not change with time: a rebuild re-runs only the cooldown', async () => {
    const engine = createEngine({ intel, clock: () => NOW, http: null });
    const runs: string[][] = [];
    const counting = {
      audit: (request: Parameters<typeof engine.audit>[0], control?: Parameters<typeof engine.audit>[1]) => {
        runs.push([...(request.checks ?? [])]);
        return engine.audit(request, control);
      },
      close: () => engine.close(),
    };
    const policy = defaultPolicy();
    policy.maxDbAgeMs = 100 * 365 * 86_400_000;
    const judge = createEngineJudge({
      engine: counting,
      policy,
      policyDigest: 'test',
      intel: intel.store,
      quarantine: new ListQuarantine(),
      cooldown: new Map([['conda-forge', { excludeNewer: '7d' }]]),
      bucketMs: 60_000,
      offline: true,
      clock: () => NOW,
      checks: ['malicious', 'vulnerability', 'cooldown'],
    });
    const old = conda('openssl', '3.0.7', 'h0b41bf4_1');
    const fresh = conda('zlib', '1.3.2', 'h_0', Date.parse('2026-03-30T00:00:00Z'));
    const scope = { upstream: 'conda-forge', ecosystem: 'conda' as const };
    const first = await judge.judge([old, fresh], scope);
    assert.deepEqual(runs, [['malicious', 'vulnerability'], ['cooldown']]);
    runs.length = 0;
    const again = await judge.judge([old, fresh], scope);
    assert.deepEqual(runs, [['cooldown']], 'the stable checks are not run again');
    assert.deepEqual(
      [...again.blocked].map(([pkg, reasons]) => [pkg.name, reasons.map((reason) => reason.source)]),
      [...first.blocked].map(([pkg, reasons]) => [pkg.name, reasons.map((reason) => reason.source)]),
    );
    const other = conda('zlib', '1.3.1', 'h_0', Date.parse('2026-01-01T00:00:00Z'));
    runs.length = 0;
    await judge.judge([old, other], scope);
    assert.deepEqual(runs, [['malicious', 'vulnerability'], ['cooldown']], 'a new package is judged');
  });

  it('keeps failing while a policy-level problem stands (an expired waiver)', async () => {
    const engine = createEngine({ intel, clock: () => NOW, http: null });
    const policy = defaultPolicy();
    policy.maxDbAgeMs = 100 * 365 * 86_400_000;
    policy.waivers = [
      { id: 'CVE-2023-0286', reason: 'r', expires: '2026-01-01', origin: { file: 'cvebuild.toml', line: 3 } },
    ];
    const judge = createEngineJudge({
      engine,
      policy,
      policyDigest: 'expired-waiver',
      intel: intel.store,
      quarantine: new ListQuarantine(),
      cooldown: new Map(),
      bucketMs: 60_000,
      offline: true,
      clock: () => NOW,
      checks: ['malicious', 'vulnerability'],
    });
    const scope = { upstream: 'conda-forge', ecosystem: 'conda' as const };
    await assert.rejects(judge.judge([conda('zlib', '1.3.1', 'h_0')], scope), /expired/);
    await assert.rejects(judge.judge([conda('zlib', '1.3.1', 'h_0')], scope), /expired/);
  });
});
