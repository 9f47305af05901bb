/**
 * A proxy node reusing a channel audit's results: a small channel on loopback (vulnerable, KEV,
 * malicious, clean and unmapped records), audited by the real `channel audit` code into a state
 * file; then the filtered views built with that state and without it must be the same bytes, the
 * engine must not have run the vulnerability and malicious checks on the records the audit proved
 * clean, and nothing the state cannot prove (another stamp, new threat data, a broken file) may
 * hide a finding.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import type { Check } from '../../../src/checks/check.ts';
import { CHECKS } from '../../../src/checks/registry.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { openIntelStore } from '../../../src/intel/open.ts';
import type { Package } from '../../../src/model/package.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { auditChannel } from '../../../src/proxy/channel-audit/audit-channel.ts';
import { ChannelAuditResults } from '../../../src/proxy/channel-audit/stored-results.ts';
import { condaPackage } from '../../../src/proxy/conda/package.ts';
import { parseProxyConfig } from '../../../src/proxy/config.ts';
import { createEngineJudge, type StoredResults } from '../../../src/proxy/judge.ts';
import { startProxy } from '../../../src/proxy/start.ts';
import { type ChannelServer, serveChannel } from '../../helpers/conda-channel.ts';
import { writeExampleIntel } from '../../helpers/example-intel.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T00:00:00Z');
const SCOPE = { upstream: 'cf', ecosystem: 'conda' as const };

interface Rec {
  name: string;
  version: string;
  subdir: 'linux-64' | 'noarch';
  format?: 'conda' | 'tar.bz2';
}

const RECORDS: Rec[] = [
  { name: 'openssl', version: '3.0.7', subdir: 'linux-64', format: 'tar.bz2' },
  { name: 'openssl', version: '3.0.7', subdir: 'linux-64' },
  { name: 'openssl', version: '3.0.8', subdir: 'linux-64' },
  { name: 'zlib', version: '1.2.12', subdir: 'linux-64' },
  { name: 'zlib', version: '1.2.13', subdir: 'linux-64' },
  { name: 'libfoo', version: '1.0', subdir: 'linux-64' },
  { name: 'litellm', version: '1.82.6', subdir: 'noarch' },
  { name: 'litellm', version: '1.82.7', subdir: 'noarch' },
];
/**
 * Withheld: a CVE (openssl, both formats), a CVE in KEV (zlib), a malicious release (litellm 1.82.7),
 * and litellm 1.82.6, which no advisory names but which could not be checked (the store holds no PyPI
 * vulnerability advisories): the audit stores it with no hits, and it must still not be reused.
 */
const BLOCKED = ['openssl-3.0.7-h0_0', 'zlib-1.2.12-h0_0', 'litellm-1.82.7-pyh_0', 'litellm-1.82.6-pyh_0'];
/** What the audit proved clean. */
const CLEAN = ['libfoo-1.0-h0_0.conda', 'openssl-3.0.8-h0_0.conda', 'zlib-1.2.13-h0_0.conda'];

const fileOf = (rec: Rec) =>
  `${rec.name}-${rec.version}-${rec.subdir === 'noarch' ? 'pyh_0' : 'h0_0'}.${rec.format ?? 'conda'}`;

function recordOf(rec: Rec): Record<string, unknown> {
  return {
    name: rec.name,
    version: rec.version,
    build: rec.subdir === 'noarch' ? 'pyh_0' : 'h0_0',
    build_number: 0,
    depends: [],
    subdir: rec.subdir,
    sha256: createHash('sha256')
      .update(`${rec.subdir}/${fileOf(rec)}`)
      .digest('hex'),
    size: 1000,
    timestamp: NOW.getTime() - 30 * DAY,
    ...(rec.subdir === 'noarch' ? { noarch: 'python' } : {}),
  };
}

function writeChannel(dir: string): void {
  for (const subdir of ['linux-64', 'noarch'] as const) {
    const of = (format: string) =>
      Object.fromEntries(
        RECORDS.filter((rec) => rec.subdir === subdir && (rec.format ?? 'conda') === format).map((rec) => [
          fileOf(rec),
          recordOf(rec),
        ]),
      );
    mkdirSync(join(dir, subdir), { recursive: true });
    writeFileSync(
      join(dir, subdir, 'repodata.json'),
      JSON.stringify({ info: { subdir }, packages: of('tar.bz2'), 'packages.conda': of('conda'), repodata_version: 1 }),
    );
  }
  writeFileSync(join(dir, 'channeldata.json'), JSON.stringify({ subdirs: ['linux-64', 'noarch'] }));
}

async function runChannelAudit(channel: string, intelDir: string, statePath: string): Promise<void> {
  const intel = await openIntelStore({ db: intelDir });
  try {
    await auditChannel({ channel, intel, statePath, clock: () => NOW, batchSize: 3 });
  } finally {
    intel.store.close();
  }
}

/** The registry with the vulnerability and malicious checks wrapped: which packages each was run on. */
function countingChecks(seen: Map<string, string[]>): Check[] {
  return CHECKS.map((check) =>
    check.id === 'vulnerability' || check.id === 'malicious'
      ? {
          ...check,
          run(inventory, context) {
            const files = seen.get(check.id) ?? [];
            for (const pkg of inventory.packages) files.push(pkg.url?.slice(pkg.url.lastIndexOf('/') + 1) ?? pkg.name);
            seen.set(check.id, files);
            return check.run(inventory, context);
          },
        }
      : check,
  );
}

describe('a proxy reusing a channel audit', () => {
  let server: ChannelServer;
  let intelDir: string;
  let statePath: string;

  before(async () => {
    const channelDir = join(tempDirectory(), 'channel');
    writeChannel(channelDir);
    server = await serveChannel(channelDir);
    intelDir = writeExampleIntel({ openssl: true, nameLists: true });
    statePath = join(tempDirectory(), 'audit.sqlite');
    await runChannelAudit(server.channel, intelDir, statePath);
  });
  after(() => server.close());

  /** The channel's records as the proxy's conda front end makes them. */
  function packages(): Package[] {
    return RECORDS.map((rec) => {
      const filename = fileOf(rec);
      const outcome = condaPackage(recordOf(rec), {
        filename,
        subdir: rec.subdir,
        channel: server.channel,
        url: `${server.channel}/${rec.subdir}/${filename}`,
        source: `${server.channel}/${rec.subdir}/repodata.json`,
      });
      if (!outcome.ok) throw new Error(outcome.reason);
      return outcome.pkg;
    });
  }

  /** A judge on the real engine (the vulnerability and malicious checks counted), with or without stored results. */
  async function judgeWith(options: { stored?: StoredResults; intel?: string; seen?: Map<string, string[]> }) {
    const intel = await openIntelStore({ db: options.intel ?? intelDir });
    const engine = createEngine({
      intel,
      clock: () => NOW,
      http: null,
      checks: countingChecks(options.seen ?? new Map()),
    });
    const judge = createEngineJudge({
      engine,
      policy: defaultPolicy(),
      policyDigest: 'test',
      intel: intel.store,
      quarantine: { revision: 0, matches: () => [] },
      cooldown: new Map(),
      bucketMs: 60_000,
      offline: true,
      clock: () => NOW,
      checks: ['malicious', 'vulnerability', 'typosquat'],
      ...(options.stored ? { storedResults: new Map([['cf', options.stored]]) } : {}),
    });
    return {
      judge,
      close: () => {
        engine.close();
        intel.store.close();
      },
    };
  }

  async function blockedFiles(options: Parameters<typeof judgeWith>[0]): Promise<string[]> {
    const { judge, close } = await judgeWith(options);
    try {
      const result = await judge.judge(packages(), SCOPE);
      return [...result.blocked.keys()].map((pkg) => `${pkg.url?.slice(pkg.url.lastIndexOf('/') + 1)}`).sort();
    } finally {
      close();
    }
  }

  function stored(path = statePath, log: Record<string, unknown>[] = []) {
    return new ChannelAuditResults({
      path,
      channel: `${server.channel}/`,
      upstream: 'cf',
      log: (line) => log.push(line),
    });
  }

  it('serves the same bytes with the stored results as without, from a node configured with them', async () => {
    const views: Record<string, Buffer>[] = [];
    const reused: string[] = [];
    for (const withState of [false, true]) {
      const dir = tempDirectory();
      const file = join(dir, 'proxy.toml');
      writeFileSync(
        file,
        [
          '[state]',
          'sqlite = "state.db"',
          '[server]',
          'metadata-max-age = "0s"',
          '[policy]',
          `db = ${JSON.stringify(intelDir)}`,
          'offline = true',
          '[[conda]]',
          'name = "cf"',
          `url = "${server.channel}"`,
          ...(withState ? [`channel-audit-state = ${JSON.stringify(statePath)}`] : []),
          '',
        ].join('\n'),
      );
      const logs: Record<string, unknown>[] = [];
      const node = await startProxy(parseProxyConfig(readFileSync(file, 'utf8'), file, {}), {
        port: 0,
        env: {},
        clock: () => NOW,
        log: (line) => logs.push(line),
      });
      try {
        const view: Record<string, Buffer> = {};
        for (const subdir of ['linux-64', 'noarch']) {
          const response = await fetch(`${node.url}/conda/cf/${subdir}/repodata.json`);
          assert.equal(response.status, 200, `${subdir}: ${JSON.stringify(logs.slice(-3))}`);
          view[subdir] = Buffer.from(await response.arrayBuffer());
        }
        views.push(view);
        const metrics = await (await fetch(`${node.url}/metrics`)).text();
        reused.push(/cvebuild_proxy_channel_audit_reused_total (\d+)/.exec(metrics)?.[1] ?? 'absent');
        assert.ok(!logs.some((line) => line.level === 'warn'), JSON.stringify(logs.filter((l) => l.level === 'warn')));
      } finally {
        await node.close();
      }
    }
    const [without, withReuse] = views as [Record<string, Buffer>, Record<string, Buffer>];
    for (const subdir of ['linux-64', 'noarch'])
      assert.ok(without[subdir]?.equals(withReuse[subdir] as Buffer), subdir);
    // the views judged something: the blocked builds are out, the clean ones in
    const text = Object.values(without).join('\n');
    for (const stem of BLOCKED) assert.ok(!text.includes(stem), `${stem} withheld`);
    for (const file of CLEAN) assert.ok(text.includes(file), `${file} served`);
    assert.equal(reused[0], '0');
    assert.equal(reused[1], String(CLEAN.length), 'records reused');
  });

  it('runs the vulnerability and malicious checks only on records the audit did not prove clean', async () => {
    const plain = new Map<string, string[]>();
    const reusing = new Map<string, string[]>();
    const results = stored();
    try {
      assert.deepEqual(await blockedFiles({ stored: results, seen: reusing }), await blockedFiles({ seen: plain }));
    } finally {
      results.close();
    }
    const all = RECORDS.map(fileOf).sort();
    assert.deepEqual(plain.get('vulnerability')?.sort(), all);
    assert.deepEqual(plain.get('malicious')?.sort(), all);
    // the clean ones were given to neither check; every other record to both
    for (const check of ['vulnerability', 'malicious'])
      assert.deepEqual(
        reusing.get(check)?.sort(),
        all.filter((file) => !CLEAN.includes(file)),
        check,
      );
    assert.deepEqual(results.counters, { looked: RECORDS.length, clean: CLEAN.length });
  });

  it('judges again a record stored under another stamp', async () => {
    const copy = join(tempDirectory(), 'other-stamp.sqlite');
    copyFileSync(statePath, copy);
    const db = new DatabaseSync(copy);
    // zlib as an audit under other data would have left it: clean, no gap, but not under this stamp
    db.prepare("UPDATE records SET threat = 'sha256:other' WHERE filename = ?").run('zlib-1.2.13-h0_0.conda');
    db.prepare("UPDATE names SET threat = 'sha256:other' WHERE name = 'zlib'").run();
    db.close();
    const seen = new Map<string, string[]>();
    const results = stored(copy);
    try {
      await blockedFiles({ stored: results, seen });
    } finally {
      results.close();
    }
    assert.ok(seen.get('vulnerability')?.includes('zlib-1.2.13-h0_0.conda'));
    assert.ok(!seen.get('vulnerability')?.includes('openssl-3.0.8-h0_0.conda'));
  });

  it('does not hide a record that new threat data finds vulnerable, whatever the state says', async () => {
    // audited before the OpenSSL advisories were known: openssl 3.0.7 stored with no hits
    const old = join(tempDirectory(), 'before-openssl.sqlite');
    await runChannelAudit(server.channel, writeExampleIntel({ openssl: false, nameLists: true }), old);
    const db = new DatabaseSync(old, { readOnly: true });
    const row = db.prepare('SELECT hits FROM records WHERE filename = ?').get('openssl-3.0.7-h0_0.conda') as {
      hits: string | null;
    };
    db.close();
    assert.equal(row.hits, null, 'the old audit found nothing in openssl 3.0.7');
    const log: Record<string, unknown>[] = [];
    const results = stored(old, log);
    try {
      const blocked = await blockedFiles({ stored: results });
      assert.ok(blocked.includes('openssl-3.0.7-h0_0.conda'), blocked.join(', '));
      assert.deepEqual(blocked, await blockedFiles({}));
    } finally {
      results.close();
    }
    assert.equal(results.counters.clean, 0);
    assert.match(String(log[0]?.msg), /written under other threat data/);
  });

  it('falls back to the engine for every record, with one warning, when the state cannot be read', async () => {
    const plain = await blockedFiles({});
    const dir = tempDirectory();
    const cases = {
      missing: join(dir, 'missing.sqlite'),
      garbage: join(dir, 'garbage.sqlite'),
      schema: join(dir, 'schema.sqlite'),
    };
    writeFileSync(cases.garbage, 'not a database '.repeat(100));
    const db = new DatabaseSync(cases.schema);
    db.exec('CREATE TABLE records (x); PRAGMA user_version = 1;');
    db.close();
    for (const [what, path] of Object.entries(cases)) {
      const log: Record<string, unknown>[] = [];
      const seen = new Map<string, string[]>();
      const results = stored(path, log);
      try {
        assert.deepEqual(await blockedFiles({ stored: results, seen }), plain, what);
        await blockedFiles({ stored: results });
      } finally {
        results.close();
      }
      assert.equal(seen.get('vulnerability')?.length, RECORDS.length, `${what}: every record checked`);
      assert.equal(log.length, 1, `${what}: ${JSON.stringify(log)}`);
      assert.equal(log[0]?.level, 'warn');
      assert.match(
        String(log[0]?.msg),
        /^channel-audit results not used: cannot open it: .+; the engine checks every record$/,
      );
      assert.equal(String(log[0]?.msg).includes('\n'), false);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('never writes to the state', async () => {
    const before = readFileSync(statePath);
    const results = stored();
    try {
      await blockedFiles({ stored: results });
    } finally {
      results.close();
    }
    assert.ok(readFileSync(statePath).equals(before));
  });
});
