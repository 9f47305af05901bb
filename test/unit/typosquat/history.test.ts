/**
 * The typosquat check weighing the suspect project's history, read from a loopback PEP 691/700
 * index: a young one-release project against an old many-release one, a removed project, an index
 * that fails, conda-forge presence, a known-malicious name, the shared cache, and the offline
 * fallback said in the finding and in the check's run reason.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckContext } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { createTyposquatCheck } from '../../../src/checks/typosquat.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { emptyManifest, type Inventory } from '../../../src/model/inventory.ts';
import { normalizePypiName, type Package } from '../../../src/model/package.ts';
import { renderAuditJson } from '../../../src/report/audit-json.ts';
import { renderSarif } from '../../../src/report/sarif.ts';
import { type IndexedFile, type PypiIndex, startPypiIndex } from '../../helpers/pypi-index.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { inventoryOf, reportOf } from '../report/sbom-fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const TOP = ['requests', 'numpy', 'pydantic', 'colorama', 'black', 'matplotlib'];
const check = createTyposquatCheck({ retries: 0, timeoutMs: 500, backoffMs: 1 });

async function newStore(
  extra: { condaForge?: Record<string, string[]>; malicious?: string[]; top?: string[] } = {},
): Promise<IntelStore> {
  const store = openStore(':memory:', { create: true });
  const rows = (extra.top ?? TOP).map((project, i) => ({ project, download_count: 1000 - i }));
  const outputs = { ...Object.fromEntries(TOP.map((name) => [name, [name]])), ...extra.condaForge };
  const paths = [
    writeTemp('top-pypi-packages.min.json', JSON.stringify({ last_update: '2026-01-01', rows })),
    writeTemp('feedstock-outputs.json', JSON.stringify(Object.fromEntries(Object.keys(outputs).map((n) => [n, [n]])))),
    writeTemp('parselmouth-conda-forge-compressed_mapping.v0.json', JSON.stringify(outputs)),
  ];
  if (extra.malicious) {
    const lines = extra.malicious.map((name, i) => JSON.stringify({ name, id: `MAL-2026-${900 + i}` }));
    paths.push(writeTemp('pypi-malicious-names.jsonl', `${lines.join('\n')}\n`));
  }
  await importSources(
    store,
    paths.map((path) => ({ path })),
  );
  return store;
}

/** `count` sdists, a month apart, the first `daysOld` days before NOW. */
function releases(name: string, count: number, daysOld: number): IndexedFile[] {
  return Array.from({ length: count }, (_, i) => ({
    filename: `${name}-1.${i}.0.tar.gz`,
    uploadTime: new Date(NOW.getTime() - (daysOld - 30 * i) * 86_400_000).toISOString(),
  }));
}

function pkg(name: string, index: string): Package {
  return {
    ecosystem: 'pypi',
    name,
    normalizedName: normalizePypiName(name),
    version: '1.0.0',
    platform: 'linux-64',
    location: `${index}/../packages/${name}-1.0.0.tar.gz`,
    index,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: 'pixi.lock', line: 9 },
  };
}

function inventory(packages: Package[]): Inventory {
  return { sources: [], environments: [], packages, manifest: emptyManifest(), warnings: [] };
}

function context(store: IntelStore, extra: Partial<CheckContext> = {}): CheckContext {
  return {
    intel: { store, matcher: new AdvisoryMatcher(store) },
    now: NOW,
    offline: false,
    cacheDir: tempDirectory(),
    settings: defaultCheckSettings(),
    ...extra,
  };
}

const byName = (findings: Finding[]) => new Map(findings.map((finding) => [finding.subject?.name, finding]));
const signal = (finding: Finding | undefined, name: string) =>
  (finding?.evidence.signals as { signal: string; weight: number; detail: string }[] | undefined)?.find(
    (entry) => entry.signal === name,
  );

let index: PypiIndex;
let store: IntelStore;
before(async () => {
  store = await newStore();
  index = await startPypiIndex({
    // `pydantc` and `pydantec` are one edit from pydantic with the same name score; only their projects differ
    pydantc: releases('pydantc', 1, 3),
    pydantec: releases('pydantec', 40, 6 * 365),
    pydanitc: releases('pydanitc', 40, 6 * 365),
    colourama: releases('colourama', 2, 20),
  });
});
after(() => index.close());

describe('typosquat: project history from the index', () => {
  it('blocks a young one-release project and lets an old many-release one with as close a name through', async () => {
    const findings = byName(
      await check.run(inventory([pkg('pydantc', index.url), pkg('pydantec', index.url)]), context(store)),
    );
    const young = findings.get('pydantc');
    const old = findings.get('pydantec');
    assert.deepEqual([young?.evidence.confidence, old?.evidence.confidence], [0.8, 0.8], 'the same by name alone');
    assert.equal(young?.severity, 'high');
    assert.deepEqual([signal(young, 'first-upload')?.weight, signal(young, 'releases')?.weight], [0.2, 0.1]);
    assert.match(signal(young, 'first-upload')?.detail ?? '', /^2026-05-29, 3 days ago: new/);
    assert.deepEqual(young?.evidence.history, {
      status: 'found',
      index: index.url,
      firstUpload: '2026-05-29T00:00:00.000Z',
      releases: 1,
      from: 'index',
    });
    assert.match(
      young?.message ?? '',
      /; score 1 \(first upload 2026-05-29, 1 release on http:\/\/127\.0\.0\.1:\d+\/simple\)$/,
    );
    assert.equal(old?.severity, 'low');
    assert.equal(old?.evidence.squatScore, 0.4);
    assert.deepEqual([signal(old, 'first-upload')?.weight, signal(old, 'releases')?.weight], [-0.3, -0.1]);
  });

  it('lists every signal with its weight, and the weights sum to the score', async () => {
    const [finding] = await check.run(inventory([pkg('colourama', index.url)]), context(store));
    const signals = finding?.evidence.signals as { signal: string; weight: number }[];
    assert.deepEqual(
      signals.map((entry) => entry.signal),
      ['technique', 'target-popularity', 'short-name', 'conda-forge', 'first-upload', 'releases'],
    );
    const sum = Math.round(signals.reduce((total, entry) => total + entry.weight, 0) * 100) / 100;
    assert.equal(finding?.evidence.squatScore, Math.min(1, sum));
    assert.equal(finding?.evidence.confidence, 0.8, 'the name alone');
  });

  it('carries the same reading, typed, to the JSON and SARIF reports', async () => {
    const [finding] = await check.run(inventory([pkg('colourama', index.url)]), context(store));
    assert.ok(finding);
    const squat = finding.flags?.squat;
    assert.deepEqual(squat?.signals, finding.evidence.signals);
    assert.equal(squat?.score, finding.evidence.squatScore);
    assert.equal(squat?.targetTier, 'top 1,000');
    const report = reportOf(inventoryOf([]), { findings: [finding] });
    const [entry] = JSON.parse(renderAuditJson(report)).findings;
    assert.deepEqual(entry.typosquat.signals, finding.evidence.signals);
    assert.deepEqual(
      [entry.typosquat.project.status, entry.typosquat.project.releases, entry.typosquat.project.firstUpload],
      ['found', 2, (finding.evidence.history as { firstUpload: string }).firstUpload],
    );
    const [result] = JSON.parse(renderSarif(report)).runs[0].results;
    assert.deepEqual(result.properties.typosquat, entry.typosquat);
  });

  it('raises a project the index no longer has (404), and says when the index could not be asked', async () => {
    index.fail('pydamtic', { status: 404 });
    index.fail('pydanyic', { status: 503 });
    const findings = byName(
      await check.run(inventory([pkg('pydamtic', index.url), pkg('pydanyic', index.url)]), context(store)),
    );
    const removed = findings.get('pydamtic');
    assert.equal(signal(removed, 'index')?.weight, 0.3);
    assert.deepEqual(removed?.evidence.history, { status: 'absent', index: index.url });
    assert.match(removed?.message ?? '', /no longer lists it\)$/);
    const failed = findings.get('pydanyic');
    assert.equal(failed?.severity, 'high', 'the name alone decides');
    assert.equal(failed?.evidence.squatScore, failed?.evidence.confidence);
    assert.match(signal(failed, 'history')?.detail ?? '', /^not looked up \(.*HTTP 503.*\): judged by name alone$/);
    assert.match(failed?.message ?? '', /judged by name alone: the index could not be asked\)$/);
  });

  it('lowers the severity of a name conda-forge packages', async () => {
    const packaged = await newStore({ condaForge: { colroama: ['colroama'], matpletlab: ['matpletlab'] } });
    const offline = { offline: true };
    const [alone] = await check.run(inventory([pkg('colroama', index.url)]), context(store, offline));
    const [lowered] = await check.run(inventory([pkg('colroama', index.url)]), context(packaged, offline));
    assert.equal(alone?.severity, 'high');
    assert.equal(signal(alone, 'conda-forge')?.weight, 0);
    assert.equal(lowered?.severity, 'low');
    assert.equal(signal(lowered, 'conda-forge')?.weight, -0.5);
    assert.match(lowered?.message ?? '', /packaged by conda-forge; judged by name alone: offline\)$/);
  });

  it('does not look up a name that no project history could make reportable', async () => {
    const packaged = await newStore({ condaForge: { matpletlab: ['matpletlab'] } });
    const findings = await check.run(inventory([pkg('matpletlab', index.url)]), context(packaged));
    assert.deepEqual(findings, []);
    assert.equal(index.pageRequests('matpletlab').length, 0);
    const [unpackaged] = await check.run(inventory([pkg('matpletlab', index.url)]), context(store, { offline: true }));
    assert.equal(unpackaged?.rule, 'typosquat/edit-distance', 'two edits from matplotlib, by name alone');
  });

  it('keeps a known-malicious name critical without asking the index', async () => {
    const reported = await newStore({ malicious: ['pydanitc'] });
    const requests = index.pageRequests('pydanitc').length;
    const [finding] = await check.run(inventory([pkg('pydanitc', index.url)]), context(reported));
    assert.equal(finding?.severity, 'critical');
    assert.match(signal(finding, 'known-malicious')?.detail ?? '', /MAL-2026-900/);
    assert.equal(signal(finding, 'history')?.detail, 'not looked up: a malicious-package report names it');
    assert.equal(index.pageRequests('pydanitc').length, requests);
  });

  it("answers from the cooldown's page cache within its TTL", async () => {
    const cacheDir = tempDirectory();
    index.publish('blackk', releases('blackk', 1, 10));
    const first = await check.run(inventory([pkg('blackk', index.url)]), context(store, { cacheDir }));
    const second = await check.run(inventory([pkg('blackk', index.url)]), context(store, { cacheDir }));
    assert.equal(index.pageRequests('blackk').length, 1);
    assert.equal((second[0]?.evidence.history as { from?: string } | undefined)?.from, 'cache');
    assert.equal(first[0]?.evidence.squatScore, second[0]?.evidence.squatScore);
    assert.ok(readdirSync(join(cacheDir, 'pypi-upload-times')).some((file) => file.startsWith('blackk-')));
  });
});

describe('typosquat offline', () => {
  it('falls back to the name alone and says so in the finding and in the run reason', async () => {
    const requests = index.pageRequests().length;
    const result = await runAudit(inventory([pkg('pydantc', index.url)]), store, {
      now: NOW,
      offline: true,
      checks: ['typosquat'],
      cacheDir: tempDirectory(),
      registry: [check],
    });
    const [finding] = result.findings;
    assert.equal(finding?.evidence.squatScore, finding?.evidence.confidence);
    assert.deepEqual(finding?.evidence.history, {
      status: 'unavailable',
      reason: 'offline: the index was not asked',
      offline: true,
    });
    assert.equal(
      signal(finding, 'history')?.detail,
      'offline: judged by name alone, the project history was not looked up',
    );
    assert.match(finding?.message ?? '', /\(judged by name alone: offline\)$/);
    assert.equal(result.checks[0]?.reason, 'offline: judged by name alone (no project history from the index)');
    assert.equal(index.pageRequests().length, requests);
  });
});

describe('typosquat: short names, judged only with their project history', () => {
  // `six` and `jq` are popular; `sixx` and `jqq` are one edit away, as is `sip`, a real old project
  let short: IntelStore;
  let packaged: IntelStore;
  before(async () => {
    short = await newStore({ top: [...TOP, 'six', 'jq'] });
    packaged = await newStore({ top: [...TOP, 'six', 'jq'], condaForge: { sip: ['sip'] } });
    index.publish('sixx', releases('sixx', 1, 5));
    index.publish('sip', releases('sip', 40, 12 * 365));
    index.fail('jqq', { status: 404 });
  });

  it('offline: reported below the blocking threshold, saying the evidence was not looked at', async () => {
    const [finding] = await check.run(inventory([pkg('sixx', index.url)]), context(short, { offline: true }));
    assert.ok(finding);
    assert.equal(finding.severity, 'low');
    assert.equal(finding.evidence.squatScore, 0.5);
    assert.deepEqual(
      (finding.evidence.signals as { signal: string }[]).map((entry) => entry.signal),
      ['technique', 'target-popularity', 'short-name', 'short-pair', 'conda-forge', 'history'],
    );
    assert.match(signal(finding, 'short-pair')?.detail ?? '', /too short to judge by name alone: they count 0\.5/);
    assert.match(
      finding?.message ?? '',
      /sixx looks like a typosquat of six .*judged by name alone: offline; a short name, which only its project history can block: that evidence was not looked at\)$/,
    );
  });

  it('online: a young one-release project, or one its index no longer has, blocks', async () => {
    const findings = byName(
      await check.run(inventory([pkg('sixx', index.url), pkg('jqq', index.url)]), context(short)),
    );
    const young = findings.get('sixx');
    assert.equal(young?.severity, 'high');
    assert.equal(young?.evidence.squatScore, 0.8);
    assert.deepEqual([signal(young, 'first-upload')?.weight, signal(young, 'releases')?.weight], [0.2, 0.1]);
    assert.doesNotMatch(young?.message ?? '', /not looked at/);
    const removed = findings.get('jqq');
    assert.equal(removed?.severity, 'high');
    assert.equal(signal(removed, 'index')?.weight, 0.3);
  });

  it('a legitimate short project, old with many releases or packaged by conda-forge, does not block', async () => {
    assert.deepEqual(await check.run(inventory([pkg('sip', index.url)]), context(short)), [], 'its history clears it');
    const [offline] = await check.run(inventory([pkg('sip', index.url)]), context(short, { offline: true }));
    assert.equal(offline?.severity, 'low', 'offline it is reported, not blocked');
    assert.deepEqual(
      await check.run(inventory([pkg('sip', index.url)]), context(packaged, { offline: true })),
      [],
      'conda-forge packaging clears it even offline',
    );
  });
});
