/**
 * The proxy's monolithic filter at the size of conda-forge linux-64 (~450k records), as the first
 * client after a change feels it: `cvebuild proxy serve` (its own process, the full corpus threat
 * data, the policy's package checks) builds the filtered repodata.json view, then serves it by
 * lookup. Measured: the cold build (first GET), a warm GET, the node's peak RSS, at a small size
 * and the full size (memory must not grow with the channel). Baseline, in the same run and its own
 * process: what a naive proxy does with the same file (JSON.parse, drop records, JSON.stringify),
 * its time and peak RSS. Figures only, never asserted.
 *   node bench/proxy-filter.ts
 * Env: PROXY_FILTER_RECORDS (default 450000), PROXY_FILTER_SMALL (default 50000).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSources } from '../src/intel/import/index.ts';
import { openStore } from '../src/intel/store.ts';
import { auditIntelFiles } from '../test/helpers/intel-corpus.ts';
import { hasCorpus, projectRoot } from '../test/helpers/paths.ts';
import { ratio } from './measure.ts';
import { serveDirectory, waitHealthy } from './proxy-node.ts';
import { writeChannel } from './synthetic-channel.ts';

if (process.argv[2] === '--naive') {
  // the baseline: the whole document as one string and one object tree
  const started = performance.now();
  const document = JSON.parse(readFileSync(process.argv[3] as string, 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const records = document['packages.conda'] ?? {};
  let index = 0;
  for (const filename of Object.keys(records)) if (index++ % 100 === 0) delete records[filename];
  const out = JSON.stringify(document);
  process.stdout.write(JSON.stringify({ ms: performance.now() - started, bytes: out.length }));
  process.exit(0);
}

if (!hasCorpus) {
  console.log('proxy filter bench skipped: ../shared/corpus not found');
  process.exit(0);
}

const FULL = Number(process.env.PROXY_FILTER_RECORDS ?? 450_000);
const SMALL = Number(process.env.PROXY_FILTER_SMALL ?? 50_000);
const directory = mkdtempSync(join(tmpdir(), 'cvebuild-bench-proxy-filter-'));

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

try {
  const storePath = join(directory, 'intel.sqlite');
  const store = openStore(storePath, { create: true });
  await importSources(
    store,
    auditIntelFiles().map((path) => ({ path })),
  );
  store.close();
  console.log('proxy filter: cold build and warm GET of a filtered repodata.json, against a naive JSON.parse filter');
  for (const size of [SMALL, FULL]) {
    const channel = join(directory, `channel-${size}`);
    const file = await writeChannel(channel, size);
    const upstream = await serveDirectory(channel);
    const config = join(directory, `proxy-${size}.toml`);
    writeFileSync(
      config,
      [
        '[server]',
        `data-dir = ${JSON.stringify(join(directory, `data-${size}`))}`,
        '[state]',
        `sqlite = ${JSON.stringify(join(directory, `state-${size}.db`))}`,
        '[policy]',
        `db = ${JSON.stringify(storePath)}`,
        'offline = true',
        '[[conda]]',
        'name = "cf"',
        `url = "http://127.0.0.1:${(upstream.address() as AddressInfo).port}"`,
        '',
      ].join('\n'),
    );
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      process.execPath,
      [join(projectRoot, 'bin/cvebuild.js'), 'proxy', 'serve', '--config', config, '--port', String(port)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const url = `http://127.0.0.1:${port}/conda/cf/linux-64/repodata.json`;
    try {
      await waitHealthy(`http://127.0.0.1:${port}`, child);
      let started = performance.now();
      const cold = await fetch(url);
      const coldBody = Buffer.from(await cold.arrayBuffer());
      const coldMs = performance.now() - started;
      if (!cold.ok) throw new Error(`HTTP ${cold.status}: ${coldBody.toString().slice(0, 300)}`);
      started = performance.now();
      const warm = await fetch(url);
      await warm.arrayBuffer();
      const warmMs = performance.now() - started;
      const proxyRss = peakRssMiB(child.pid as number);
      const naive = spawnSync(process.execPath, ['--max-old-space-size=8192', import.meta.filename, '--naive', file], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const naiveFigures = JSON.parse(naive.stdout || '{"ms":NaN}') as { ms: number };
      const naiveRss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(naive.stderr)?.[1] ?? Number.NaN);
      const timed = spawnSync('/usr/bin/time', ['-v', process.execPath, import.meta.filename, '--naive', file], {
        encoding: 'utf8',
      });
      const naiveRssMiB =
        Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(timed.stderr)?.[1] ?? naiveRss) / 1024;
      console.log(
        `  ${size.toLocaleString('en')} records, ${(statSync(file).size / 1e6).toFixed(0)} MB: cold build ${(coldMs / 1000).toFixed(1)} s (${ratio(coldMs, naiveFigures.ms)} the naive filter's ${(naiveFigures.ms / 1000).toFixed(1)} s, which judges nothing), warm GET ${warmMs.toFixed(0)} ms; peak RSS ${proxyRss.toFixed(0)} MiB against the naive filter's ${naiveRssMiB.toFixed(0)} MiB`,
      );
    } finally {
      child.kill('SIGTERM');
      upstream.close();
    }
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
