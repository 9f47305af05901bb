/**
 * `db update` of the nvd and cve5 feeds from loopback, on the real records of the shared corpus:
 * an NVD CVE API 2.0 emulator serves nvd-products/ and clibs/nvd/, a cvelistV5-style release serves
 * cve5-vulnrichment/ and clibs/cve5/ as the day's baseline (a zip holding cves.zip). No bundled
 * intel: the gate of a small lock then runs on what the update stored. Never leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FeedSource } from '../../src/intel/feeds.ts';
import { openStore } from '../../src/intel/store.ts';
import { type UpdateReport, updateFailure, updateFeeds } from '../../src/intel/update.ts';
import { runCli } from '../helpers/cli.ts';
import { baselineZip, nvdRecords } from '../helpers/cve-feeds.ts';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.ts';
import { type NvdApiServer, startNvdApiServer } from '../helpers/nvd-api-server.ts';
import { hasCorpus } from '../helpers/paths.ts';
import { type SyntheticPackage, syntheticLock } from '../helpers/synthetic-lock.ts';
import { tempDirectory } from '../helpers/temp.ts';

describe('nvd and cve5 feeds from loopback, real records, then a gate', { skip: !hasCorpus && 'corpus absent' }, () => {
  let nvd: NvdApiServer;
  let github: FeedServer;
  let storePath: string;
  let report: UpdateReport;
  let served: { nvd: number; cve5: number };

  before(async () => {
    const records = nvdRecords();
    nvd = await startNvdApiServer(records);
    github = await startFeedServer();
    const baseline = baselineZip();
    served = { nvd: records.length, cve5: baseline.records };
    const asset = '2026-12-05_all_CVEs_at_midnight.zip.zip';
    github.serve(`/download/${asset}`, { body: baseline.zip });
    github.serve('/repos/CVEProject/cvelistV5/releases/latest', {
      body: JSON.stringify({ assets: [{ name: asset, browser_download_url: github.url(`/download/${asset}`) }] }),
    });
    const feeds: FeedSource[] = [
      { name: 'nvd', url: nvd.url, format: 'nvd-api', maxBytes: 64 * 1024 * 1024, required: true },
      {
        name: 'cve5',
        url: github.url('/repos/CVEProject/cvelistV5/releases/latest'),
        format: 'cve-list-release',
        maxBytes: 256 * 1024 * 1024,
        required: true,
      },
    ];
    storePath = join(tempDirectory(), 'intel.sqlite');
    const store = openStore(storePath, { create: true });
    try {
      report = await updateFeeds(store, { feeds, nvdPacer: { wait: async () => {} } });
    } finally {
      store.close();
    }
  });
  after(async () => {
    await nvd?.close();
    await github?.close();
  });

  it('updates both feeds, each with its own age and record count', () => {
    assert.equal(updateFailure(report), undefined);
    const store = openStore(storePath, { readOnly: true });
    try {
      const rows = Object.fromEntries(store.feeds().map((feed) => [feed.name, feed]));
      const nvdRow = rows.nvd;
      const cve5Row = rows.cve5;
      assert.ok(nvdRow && cve5Row);
      console.log(
        `# nvd: ${served.nvd} records served, ${nvdRow.count} stored (${report.feeds[0]?.requests} requests); ` +
          `cve5: ${served.cve5} records in the baseline, ${cve5Row.count} stored`,
      );
      assert.ok(nvdRow.count > 0 && nvdRow.count < served.nvd, 'only records naming a mapped product');
      assert.ok(cve5Row.count > 0 && cve5Row.count < served.cve5);
      assert.match(nvdRow.state ?? '', /"through"/);
      assert.match(cve5Row.state ?? '', /all_CVEs_at_midnight/);
    } finally {
      store.close();
    }
    const status = runCli(['db', 'status', '--db', storePath]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /^nvd +\S+ +\d+\.\d +[\d,]+ .*through /m);
    assert.match(status.stdout, /^cve5 +\S+ +\d+\.\d +[\d,]+ .*all_CVEs_at_midnight/m);
  });

  it('merges the NVD and CVE List statements of one CVE; some CVEs only the CVE List covers', () => {
    const store = openStore(storePath, { readOnly: true });
    try {
      const feedsOf = (id: string) =>
        new Set(store.advisoryById(id)?.affected.map((entry) => entry.feed ?? store.advisoryById(id)?.feed));
      assert.deepEqual([...feedsOf('CVE-2024-45490')].sort(), ['cve5', 'nvd']);
      let cveListOnly = 0;
      for (const product of [
        'expat',
        'sqlite',
        'zlib',
        'curl',
        'libxml2',
        'openssl',
        'nodejs',
        'git',
        'hdf5',
        'ffmpeg',
      ]) {
        for (const advisory of store.advisoriesFor('upstream', product)) {
          const feeds = new Set(advisory.affected.map((entry) => entry.feed ?? advisory.feed));
          if (!feeds.has('nvd') && feeds.has('cve5')) cveListOnly++;
        }
      }
      console.log(`# ${cveListOnly} CVEs of ten common products have only a CVE List (CNA/ADP) statement`);
      assert.ok(cveListOnly > 0, 'the cve5 feed covers CVEs NVD has not configured');
    } finally {
      store.close();
    }
  });

  const gate = (packages: SyntheticPackage[]) => {
    const result = runCli(['gate', syntheticLock(packages), '--db', storePath, '--format', 'json', '--offline']);
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    const findings = (JSON.parse(result.stdout) as { findings: { id: string; check: string; source: string | null }[] })
      .findings;
    return findings.filter((finding) => finding.check === 'vulnerability' && finding.id.startsWith('CVE-'));
  };

  it('finds the libexpat 2.5.0 CVEs, the deciding source named', () => {
    const findings = gate([{ ecosystem: 'conda', name: 'libexpat', version: '2.5.0' }]);
    const rules = new Set(findings.map((finding) => finding.id));
    assert.ok(rules.has('CVE-2024-45490'), [...rules].join(' '));
    assert.ok(rules.has('CVE-2023-52425'), [...rules].join(' '));
    const expat45490 = findings.filter((finding) => finding.id === 'CVE-2024-45490');
    assert.equal(expat45490.length, 1, 'one finding per CVE per package');
    assert.equal(expat45490[0]?.source, 'nvd', "NVD's configuration decides over the CNA's and ADP's");
    const expat52425 = findings.find((finding) => finding.id === 'CVE-2023-52425');
    assert.equal(expat52425?.source, 'nvd');
    assert.deepEqual(
      gate([{ ecosystem: 'conda', name: 'libexpat', version: '2.6.4' }]).filter((f) => f.id === 'CVE-2024-45490'),
      [],
    );
  });

  it('finds libsqlite 3.40.0 in CVE-2023-7104 (NVD, versionEndIncluding 3.43.0), not 3.44.0', () => {
    assert.ok(
      gate([{ ecosystem: 'conda', name: 'libsqlite', version: '3.40.0' }]).some((f) => f.id === 'CVE-2023-7104'),
    );
    assert.ok(
      !gate([{ ecosystem: 'conda', name: 'libsqlite', version: '3.44.0' }]).some((f) => f.id === 'CVE-2023-7104'),
    );
  });

  it('keeps the minizip trap after a real update: CVE-2023-45853 never hits libzlib 1.2.13', () => {
    const rules = gate([{ ecosystem: 'conda', name: 'libzlib', version: '1.2.13' }]).map((finding) => finding.id);
    assert.ok(!rules.includes('CVE-2023-45853'), rules.join(' '));
  });
});
