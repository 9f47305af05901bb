/**
 * The typosquat score's evidence on real names (test/helpers/typosquat-corpus.ts), on the half kept
 * apart from tuning: the project history raises real squats and lowers real legitimate projects,
 * and conda-forge packaging lowers the names it packages. First on every labelled name through the
 * scoring, then on a sample through the check itself, its history read from a loopback index
 * serving pages made from the advisories' dates and versions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CheckContext } from '../../src/checks/check.ts';
import { defaultCheckSettings } from '../../src/checks/registry.ts';
import { createTyposquatCheck } from '../../src/checks/typosquat.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { AdvisoryMatcher } from '../../src/intel/matcher.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore } from '../../src/intel/store-api.ts';
import type { Finding, Severity } from '../../src/model/finding.ts';
import { emptyManifest } from '../../src/model/inventory.ts';
import type { Package } from '../../src/model/package.ts';
import { renderAuditJson } from '../../src/report/audit-json.ts';
import { renderSarif } from '../../src/report/sarif.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { type PypiIndex, startPypiIndex } from '../helpers/pypi-index.ts';
import { sarifErrors } from '../helpers/schemas.ts';
import { tempDirectory } from '../helpers/temp.ts';
import {
  type ApproximateHistory,
  filesOf,
  PYPA_SNAPSHOT,
  squatAuditTime,
  typosquatCorpus,
} from '../helpers/typosquat-corpus.ts';
import { blocks, type PrecisionRows, precisionRows, reports, share } from '../helpers/typosquat-precision.ts';
import { inventoryOf, reportOf } from '../unit/report/sbom-fixtures.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';
const RANK: Record<Severity | 'none', number> = {
  none: 0,
  info: 0,
  unknown: 2,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};
const AGE_DAYS = 30;

describe('typosquat evidence on real names (held-out half)', { skip: SKIP }, () => {
  let rows: PrecisionRows['rows'];
  before(async () => {
    rows = (await precisionRows({ half: 'test', age: AGE_DAYS, unknownReleases: 1 })).rows;
  });
  const row = (label: string) => {
    const found = rows.find((candidate) => candidate.label === label);
    assert.ok(found, label);
    return found.judged;
  };

  it('project history raises recall of one-edit squats at the blocking threshold', () => {
    const judged = row('squats 1 edit from a top-1,000 name');
    const alone = share(judged, 'name alone', blocks);
    const online = share(judged, 'online (with history)', blocks);
    console.log(
      `one-edit recall at high: name alone ${alone.hits}/${alone.of}, with history ${online.hits}/${online.of}`,
    );
    assert.ok(judged.length >= 300, `${judged.length} squats`);
    assert.ok(online.rate > alone.rate);
    assert.ok(online.rate >= 0.98, `${online.rate}`);
    const twoEdits = row('squats 2 edits from a top-1,000 name');
    assert.ok(share(twoEdits, 'online (with history)', blocks).rate > share(twoEdits, 'name alone', blocks).rate);
  });

  it('judges short names with their history: one-edit recall against the whole top list', () => {
    const judged = row('squats 1 edit from a top-15,000 name');
    const online = share(judged, 'online (with history)', blocks);
    const recorded = share(row('  of which with a record (history approximated)'), 'online (with history)', blocks);
    console.log(
      `one-edit (top-15,000) recall at high, with history: ${online.hits}/${online.of}; squats with a record ${recorded.hits}/${recorded.of}`,
    );
    assert.ok(judged.length >= 600, `${judged.length} squats`);
    // the squats with no record in the corpus are judged by name alone even online (see the bench)
    assert.ok(online.rate >= 0.94, `${online.rate}`);
    assert.ok(recorded.rate >= 0.99, `${recorded.rate}`);
    // every one is at least reported, and a short pair never blocks without its history
    assert.equal(share(judged, 'offline (store lists)', reports).rate, 1);
    const short = judged.filter((item) => item.needsEvidence);
    assert.ok(short.length >= 20, `${short.length} short pairs`);
    for (const mode of ['name alone', 'offline (store lists)'] as const)
      assert.equal(share(short, mode, blocks).hits, 0);
    assert.ok(share(short, 'online (with history)', blocks).hits > 0);
  });

  it('the evidence lowers false positives on legitimate names outside the top list', () => {
    const judged = row('legit: all outside the top list');
    assert.ok(judged.length >= 6000, `${judged.length} names`);
    for (const threshold of [blocks, reports]) {
      const alone = share(judged, 'name alone', threshold);
      const offline = share(judged, 'offline (store lists)', threshold);
      const online = share(judged, 'online (with history)', threshold);
      console.log(
        `legit ${threshold === blocks ? 'blocked' : 'reported'}: name alone ${alone.hits}, store lists ${offline.hits}, with history ${online.hits} of ${judged.length}`,
      );
      assert.ok(offline.hits < alone.hits);
      assert.ok(online.hits <= offline.hits);
    }
    assert.ok(share(judged, 'online (with history)', blocks).rate <= 0.002);
    const advisories = row('legit: PyPA-advisory projects off conda-forge');
    assert.ok(
      share(advisories, 'online (with history)', reports).hits < share(advisories, 'name alone', reports).hits,
      'history lowers real projects off conda-forge',
    );
  });
});

describe('typosquat check on real names with their history from a loopback index', { skip: SKIP }, () => {
  const check = createTyposquatCheck({ retries: 0, timeoutMs: 2000, backoffMs: 1 });
  let store: IntelStore;
  let index: PypiIndex;
  const data = hasCorpus ? typosquatCorpus() : undefined;
  before(async () => {
    store = openStore(':memory:', { create: true });
    const files = [
      'top-pypi-packages.min.json',
      'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json',
      'conda-forge/feedstock-outputs.json',
    ];
    await importSources(
      store,
      files.map((file) => ({ path: corpus(`intel/${file}`) })),
    );
    index = await startPypiIndex();
  });
  after(() => index?.close());

  function serve(name: string, history: ApproximateHistory): void {
    index.publish(
      name,
      filesOf(name, history, 1).map((file) => ({
        filename: file.filename,
        uploadTime: new Date(file.uploadTime as number).toISOString(),
      })),
    );
  }

  async function judge(name: string, now: number, offline: boolean, intel = store): Promise<Finding | undefined> {
    const pkg: Package = {
      ecosystem: 'pypi',
      name,
      normalizedName: name,
      version: '0.0.1',
      platform: 'linux-64',
      location: `${index.url}/${name}/${name}-0.0.1.tar.gz`,
      index: index.url,
      depends: [],
      requiresDist: [],
      purls: [],
      kind: 'registry',
      environments: ['default'],
      origin: { file: 'pixi.lock' },
    };
    const context: CheckContext = {
      intel: { store: intel, matcher: new AdvisoryMatcher(intel) },
      now: new Date(now),
      offline,
      cacheDir: tempDirectory(),
      settings: defaultCheckSettings(),
    };
    const findings = await check.run(
      { sources: [], environments: [], packages: [pkg], manifest: emptyManifest(), warnings: [] },
      context,
    );
    return findings.find((finding) => finding.subject?.name === name);
  }
  const rank = (finding: Finding | undefined) => RANK[finding?.severity ?? 'none'];

  it('raises real squats, and lowers more real projects than it raises', async () => {
    assert.ok(data);
    const squats = data.squats
      .filter((squat) => squat.half === 'test' && squat.oneEditFromTop1000 && squat.history)
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, 25);
    const score = (finding: Finding | undefined) => (finding?.evidence.squatScore as number | undefined) ?? 0;
    let raised = 0;
    for (const squat of squats) {
      const history = squat.history as ApproximateHistory;
      serve(squat.name, history);
      const now = squatAuditTime(history, AGE_DAYS);
      const offline = await judge(squat.name, now, true);
      const online = await judge(squat.name, now, false);
      // a new project with few releases only ever adds to the name's score
      assert.ok(score(online) >= score(offline), `${squat.name}: ${score(offline)} → ${score(online)}`);
      if (rank(online) > rank(offline)) raised++;
    }
    const legit = data.legit
      .filter((name) => name.half === 'test' && name.history)
      .sort((a, b) => a.name.localeCompare(b.name));
    const moved = { lowered: 0, raised: 0, judged: 0 };
    for (const name of legit) {
      const offline = await judge(name.name, PYPA_SNAPSHOT, true);
      if (!offline) continue;
      moved.judged++;
      serve(name.name, name.history as ApproximateHistory);
      const online = await judge(name.name, PYPA_SNAPSHOT, false);
      if (rank(online) < rank(offline)) moved.lowered++;
      if (rank(online) > rank(offline)) moved.raised++;
    }
    console.log(
      `through the check: ${raised}/${squats.length} squats raised; of ${moved.judged} flagged projects ${moved.lowered} lowered, ${moved.raised} raised`,
    );
    assert.equal(squats.length, 25);
    assert.ok(raised >= 1);
    assert.ok(moved.judged >= 5 && moved.lowered > moved.raised);
  });

  it('a real squat of 1–3 characters is reported offline, saying its history was not looked at, and blocked with it', async () => {
    assert.ok(data);
    const short = data.squats
      .filter((squat) => squat.half === 'test' && squat.oneEditFromTop && squat.history && squat.name.length <= 3)
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, 10);
    assert.ok(short.length >= 5, `${short.length} short squats`);
    for (const squat of short) {
      const history = squat.history as ApproximateHistory;
      serve(squat.name, history);
      const now = squatAuditTime(history, AGE_DAYS);
      const offline = await judge(squat.name, now, true);
      assert.ok(offline && rank(offline) < RANK.high, `${squat.name} offline: ${offline?.severity}`);
      assert.match(offline.message, /that evidence was not looked at\)$/, squat.name);
      const online = await judge(squat.name, now, false);
      assert.equal(online?.severity, 'high', `${squat.name}: ${online?.message}`);
    }
  });

  it('a real squat the malicious-name list names is critical whatever its history', async () => {
    assert.ok(data);
    const reported = openStore(':memory:', { create: true });
    await importSources(reported, [
      { path: corpus('intel/top-pypi-packages.min.json') },
      { path: corpus('intel/pypi-malicious-names.jsonl') },
    ]);
    const squat = data.squats.find(
      (candidate) =>
        candidate.half === 'test' &&
        candidate.oneEditFromTop1000 &&
        candidate.history &&
        reported.maliciousNamesFor(candidate.name).length > 0,
    );
    assert.ok(squat?.history);
    // served as an old project with many releases, which would lower any other name
    const DAY = 86_400_000;
    const versions = Array.from({ length: 30 }, (_, i) => `1.${i}`);
    serve(squat.name, { ...squat.history, firstUpload: PYPA_SNAPSHOT - 3650 * DAY, versions });
    const finding = await judge(squat.name, PYPA_SNAPSHOT, false, reported);
    assert.equal(finding?.severity, 'critical', squat.name);
    assert.ok(finding);
    // the reading goes to JSON and to SARIF's property bag, which stays valid SARIF 2.1.0
    const report = reportOf(inventoryOf([]), { findings: [finding] });
    const [entry] = JSON.parse(renderAuditJson(report)).findings;
    assert.equal(entry.typosquat.knownMalicious, finding.flags?.squat?.knownMalicious);
    assert.match(entry.typosquat.knownMalicious, /^MAL-/);
    assert.equal(entry.typosquat.score, 1);
    const sarif = JSON.parse(renderSarif(report));
    assert.deepEqual(sarif.runs[0].results[0].properties.typosquat, entry.typosquat);
    assert.deepEqual(sarifErrors(sarif), []);
  });
});
