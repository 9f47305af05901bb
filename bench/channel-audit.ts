/**
 * bench/channel-audit: `cvebuild channel audit` at the size of conda-forge linux-64. The records
 * of a real corpus channel (rattler-pytorch linux-64, 2,181 records) are replicated under
 * conda-forge's own names (the parselmouth map's ~34k keys) with distinct versions and file
 * names into one temporary repodata.json of ~450k records, then measured:
 * - the streaming reader alone, next to `JSON.parse` of the whole file in the same run (ratios);
 * - a full audit pass (new state) and an incremental one (second run: nothing new), each in its own
 *   process for its peak RSS, at a small size and at the full size: memory must not grow with the
 *   channel.
 *   node bench/channel-audit.ts
 * Env: CHANNEL_AUDIT_RECORDS (default 450000), CHANNEL_AUDIT_SMALL (default 50000), so CI can run
 * it smaller.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RepodataStream } from '../src/conda/repodata-stream.ts';
import { importSources } from '../src/intel/import/index.ts';
import { openIntelStore } from '../src/intel/open.ts';
import { openStore } from '../src/intel/store.ts';
import { auditChannel } from '../src/proxy/channel-audit/audit-channel.ts';
import { auditIntelFiles } from '../test/helpers/intel-corpus.ts';
import { ratio } from './measure.ts';
import { writeChannel } from './synthetic-channel.ts';

const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
  process.exit(0);
}

if (!existsSync(corpus)) {
  console.log('skip: the corpus lives in ../shared/corpus');
  process.exit(0);
}

const FULL = Number(process.env.CHANNEL_AUDIT_RECORDS ?? 450_000);
const SMALL = Number(process.env.CHANNEL_AUDIT_SMALL ?? 50_000);
const HEAP_CAP_MB = 96;
const directory = mkdtempSync(join(tmpdir(), 'cvebuild-bench-channel-'));
try {
  const storePath = join(directory, 'intel.sqlite');
  const store = openStore(storePath, { create: true });
  const importStart = performance.now();
  await importSources(
    store,
    auditIntelFiles().map((path) => ({ path })),
  );
  store.close();
  console.log(`threat data: the audit corpus imported in ${seconds(performance.now() - importStart)}`);

  for (const size of [SMALL, FULL]) {
    const channel = join(directory, `channel-${size}`);
    const file = await writeChannel(channel, size);
    console.log(`\n${size.toLocaleString('en')} records, ${(statSync(file).size / 1e6).toFixed(1)} MB repodata.json`);
    await parseComparison(file, size);
    const state = join(directory, `state-${size}.sqlite`);
    // V8 grows its heap lazily, so the default heap's peak RSS says little about what is live: each
    // pass runs again with the old space capped, which it must finish in at every size
    for (const heap of [undefined, HEAP_CAP_MB]) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${state}${suffix}`, { force: true });
      for (const pass of ['full', 'incremental']) {
        const run = measureChild(['--child', channel, state, storePath], heap);
        const rate = Math.round(size / (run.ms / 1000)).toLocaleString('en');
        const label = heap ? `heap <= ${heap} MiB` : 'default heap';
        console.log(
          `${pass.padEnd(12)} ${label.padEnd(16)} ${seconds(run.ms).padStart(8)}  ${rate.padStart(9)} records/s  peak RSS ${mib(run.maxRssKb).padStart(8)}  audited ${run.audited}, reused ${run.reused}, affected ${run.affected} records of ${run.affectedNames} names`,
        );
      }
    }
    const baseline = measureChild(['--eval-json-parse', file]);
    console.log(`JSON.parse of the whole file, for scale: peak RSS ${mib(baseline.maxRssKb)}`);
    rmSync(channel, { recursive: true, force: true });
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

interface ChildResult {
  ms: number;
  maxRssKb: number;
  audited: number;
  reused: number;
  affected: number;
  affectedNames: number;
}

function measureChild(args: string[], heapMb?: number): ChildResult {
  const script = fileURLToPath(import.meta.url);
  const command =
    args[0] === '--eval-json-parse'
      ? [
          '-e',
          `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(args[1])}, 'utf8')); console.log(JSON.stringify({ ms: 0, maxRssKb: process.resourceUsage().maxRSS }))`,
        ]
      : [script, ...args];
  const flags = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  const result = spawnSync(process.execPath, [...flags, ...command], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 16 });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as ChildResult;
}

async function child(channel: string, state: string, storePath: string): Promise<void> {
  const intel = await openIntelStore({ db: storePath });
  const start = performance.now();
  try {
    const result = await auditChannel({ channel, subdirs: ['linux-64'], intel, statePath: state });
    console.log(
      JSON.stringify({
        ms: performance.now() - start,
        maxRssKb: process.resourceUsage().maxRSS,
        audited: result.totals.audited,
        reused: result.totals.reused,
        affected: result.totals.affectedRecords,
        affectedNames: result.totals.affectedNames,
      }),
    );
  } finally {
    intel.store.close();
  }
}

/** The streaming reader vs `JSON.parse` of the whole file (read included in both), same run, alternated. */
async function parseComparison(file: string, size: number): Promise<void> {
  const runs = 3;
  const streamTimes: number[] = [];
  const parseTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>;
    const counted = Object.keys(document.packages ?? {}).length + Object.keys(document['packages.conda'] ?? {}).length;
    parseTimes.push(performance.now() - start);
    start = performance.now();
    let records = 0;
    for await (const _ of new RepodataStream(createReadStream(file, { highWaterMark: 1024 * 1024 }), { source: file }))
      records++;
    streamTimes.push(performance.now() - start);
    if (records !== counted || records !== size) throw new Error(`read ${records}, JSON.parse ${counted}`);
  }
  const base = median(parseTimes);
  const streamed = median(streamTimes);
  console.log(
    `parse alone: JSON.parse ${seconds(base)} (${Math.round(size / (base / 1000)).toLocaleString('en')} records/s); streaming ${seconds(streamed)} (${Math.round(size / (streamed / 1000)).toLocaleString('en')} records/s) = ${ratio(streamed, base)} JSON.parse`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(kb: number): string {
  return `${Math.round(kb / 1024)} MiB`;
}
