/**
 * A proxy view built with a channel audit's results against one built without: a synthetic channel
 * (bench/synthetic-channel.ts) audited by `channel audit` into a state file, then `cvebuild proxy
 * serve` (its own process, the audit corpus threat data, the policy's package checks) builds the
 * filtered linux-64 repodata.json view cold, once configured with `channel-audit-state` and once
 * without, alternately, twice each (the faster run of each counts). The two views must be the same
 * bytes. Figures only, never asserted.
 *   node bench/proxy-audit-reuse.ts
 * Env: PROXY_REUSE_RECORDS (default 50000).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSources } from '../src/intel/import/index.ts';
import { openIntelStore } from '../src/intel/open.ts';
import { openStore } from '../src/intel/store.ts';
import { auditChannel } from '../src/proxy/channel-audit/audit-channel.ts';
import { auditIntelFiles } from '../test/helpers/intel-corpus.ts';
import { hasCorpus, projectRoot } from '../test/helpers/paths.ts';
import { ratio } from './measure.ts';
import { serveDirectory, waitHealthy } from './proxy-node.ts';
import { writeChannel } from './synthetic-channel.ts';

if (!hasCorpus) {
  console.log('proxy audit-reuse bench skipped: ../shared/corpus not found');
  process.exit(0);
}

const SIZE = Number(process.env.PROXY_REUSE_RECORDS ?? 50_000);
const directory = mkdtempSync(join(tmpdir(), 'cvebuild-bench-proxy-reuse-'));

/** One node, a fresh data directory: the cold build of the view, its digest, and how many records it reused. */
async function coldView(
  run: string,
  channelUrl: string,
  storePath: string,
  state: string | undefined,
): Promise<{ ms: number; sha256: string; reused: string }> {
  const config = join(directory, `proxy-${run}.toml`);
  writeFileSync(
    config,
    [
      '[server]',
      `data-dir = ${JSON.stringify(join(directory, `data-${run}`))}`,
      '[state]',
      `sqlite = ${JSON.stringify(join(directory, `proxy-state-${run}.db`))}`,
      '[policy]',
      `db = ${JSON.stringify(storePath)}`,
      'offline = true',
      '[[conda]]',
      'name = "cf"',
      `url = "${channelUrl}"`,
      ...(state ? [`channel-audit-state = ${JSON.stringify(state)}`] : []),
      '',
    ].join('\n'),
  );
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    process.execPath,
    [join(projectRoot, 'bin/cvebuild.js'), 'proxy', 'serve', '--config', config, '--port', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base, child);
    const started = performance.now();
    const response = await fetch(`${base}/conda/cf/linux-64/repodata.json`);
    const body = Buffer.from(await response.arrayBuffer());
    const ms = performance.now() - started;
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.toString().slice(0, 300)}`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const reused = /cvebuild_proxy_channel_audit_reused_total (\d+)/.exec(metrics)?.[1] ?? '?';
    return { ms, sha256: createHash('sha256').update(body).digest('hex'), reused };
  } finally {
    child.kill('SIGTERM');
  }
}

try {
  const storePath = join(directory, 'intel.sqlite');
  const store = openStore(storePath, { create: true });
  await importSources(
    store,
    auditIntelFiles().map((path) => ({ path })),
  );
  store.close();
  const channel = join(directory, 'channel');
  const file = await writeChannel(channel, SIZE);
  const upstream = await serveDirectory(channel);
  const channelUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  try {
    const state = join(directory, 'audit.sqlite');
    const intel = await openIntelStore({ db: storePath });
    const auditStart = performance.now();
    try {
      await auditChannel({ channel: channelUrl, subdirs: ['linux-64'], intel, statePath: state });
    } finally {
      intel.store.close();
    }
    const auditMs = performance.now() - auditStart;
    console.log(
      `proxy view with a channel audit's results: ${SIZE.toLocaleString('en')} records, ${(statSync(file).size / 1e6).toFixed(0)} MB repodata.json; the channel audit took ${(auditMs / 1000).toFixed(1)} s`,
    );
    const runs: Record<'without' | 'with', { ms: number; sha256: string; reused: string }[]> = {
      without: [],
      with: [],
    };
    for (let round = 0; round < 2; round++) {
      runs.without.push(await coldView(`without-${round}`, channelUrl, storePath, undefined));
      runs.with.push(await coldView(`with-${round}`, channelUrl, storePath, state));
    }
    const best = (list: { ms: number }[]) => Math.min(...list.map((run) => run.ms));
    const digests = new Set([...runs.without, ...runs.with].map((run) => run.sha256));
    console.log(
      `  cold view build without reuse ${(best(runs.without) / 1000).toFixed(2)} s, with reuse ${(best(runs.with) / 1000).toFixed(2)} s (${ratio(best(runs.with), best(runs.without))}); records reused ${runs.with[0]?.reused}; runs ${[...runs.without, ...runs.with].map((run) => (run.ms / 1000).toFixed(2)).join(', ')} s; views ${digests.size === 1 ? 'byte-identical' : 'DIFFER'}`,
    );
  } finally {
    upstream.close();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
