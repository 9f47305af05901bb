/**
 * bench/db: importing the whole intel corpus into a fresh store, next to a JSON.parse of every line
 * (or document) of the same files in the same process: the floor any importer stands on. Also the
 * store's size and the cost of a lookup for an absent name (the audit's commonest query).
 * Goal: import ≤ 3 s. Runs are interleaved (parse, import, parse, import …); medians are reported.
 *   node bench/db.ts [RUNS]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importSources } from '../src/intel/import/index.ts';
import { openStore } from '../src/intel/store.ts';
import { ratio } from './measure.ts';

const intel = fileURLToPath(new URL('../../shared/corpus/intel/', import.meta.url));
const runs = Number(process.argv[2] ?? 5);

if (!existsSync(intel)) {
  console.log(`skip: ${intel} not found (the corpus lives in ../shared/corpus)`);
  process.exit(0);
}

const files = [
  'osv-pypi-pysec.jsonl',
  'osv-pypi-malicious.jsonl',
  'osv-pypi-malicious-recent.jsonl',
  'osv-pypi-ghsa.jsonl',
  'cisa-kev.json',
  'pypi-malicious-names.jsonl',
  'top-pypi-packages.min.json',
  'conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json',
  'conda-forge/parselmouth-compressed_mapping.json',
  'conda-forge/parselmouth-mapping_as_grayskull.json',
  'conda-forge/feedstock-outputs.json',
  'clibs/openssl-secjson-cve5.jsonl',
  'clibs/curl-vulns.derived.jsonl',
  'clibs/curl-vuln.pm',
  'clibs/osv-ossfuzz-clibs.jsonl',
  'clibs/osv-psf-cpython.jsonl',
  ...['clibs/nvd', 'clibs/cve5'].flatMap((directory) =>
    readdirSync(join(intel, directory)).map((name) => `${directory}/${name}`),
  ),
].map((path) => join(intel, path));

/** Read and JSON.parse every line of a JSON-lines file, or the whole document (vuln.pm: read only). */
function parseAll(): number {
  let values = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.pm')) continue;
    if (file.endsWith('.jsonl')) {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        JSON.parse(line);
        values++;
      }
    } else {
      JSON.parse(text);
      values++;
    }
  }
  return values;
}

async function importAll(): Promise<{ ms: number; bytes: number; records: number; lookupMicros: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'cvebuild-bench-db-'));
  const path = join(directory, 'intel.sqlite');
  try {
    const started = performance.now();
    const store = openStore(path, { create: true });
    const report = await importSources(
      store,
      files.map((file) => ({ path: file })),
    );
    store.close();
    const ms = performance.now() - started;
    const bytes = statSync(path).size;
    const reader = openStore(path, { readOnly: true });
    const lookups = 20_000;
    const lookupStarted = performance.now();
    for (let i = 0; i < lookups; i++) reader.advisoriesFor('PyPI', `absent-package-${i}`);
    const lookupMicros = ((performance.now() - lookupStarted) * 1000) / lookups;
    reader.close();
    return { ms, bytes, records: report.results.reduce((sum, result) => sum + result.records, 0), lookupMicros };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const inputBytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
parseAll();
await importAll();
const parseTimes: number[] = [];
const importTimes: number[] = [];
const lookupTimes: number[] = [];
let last = { ms: 0, bytes: 0, records: 0, lookupMicros: 0 };
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  parseAll();
  parseTimes.push(performance.now() - started);
  last = await importAll();
  importTimes.push(last.ms);
  lookupTimes.push(last.lookupMicros);
}
const parseMs = median(parseTimes);
const importMs = median(importTimes);

console.log('files  input MB  records  JSON.parse  import      ratio  store MB  absent lookup');
console.log(
  [
    String(files.length).padStart(5),
    (inputBytes / 1e6).toFixed(1).padStart(9),
    String(last.records).padStart(8),
    `${parseMs.toFixed(0)} ms`.padStart(11),
    `${importMs.toFixed(0)} ms`.padStart(7),
    ratio(importMs, parseMs).padStart(10),
    (last.bytes / 1e6).toFixed(1).padStart(9),
    `${median(lookupTimes).toFixed(1)} µs`.padStart(14),
  ].join(' '),
);
