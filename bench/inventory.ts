/**
 * bench/inventory: reading the largest real locks into an Inventory, next to a raw js-yaml parse of
 * the same text in the same process (the floor any YAML-based reader stands on). Goal: ≤ 1.3×.
 *   node bench/inventory.ts [LOCK...]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { readLockText } from '../src/readers/lockfile.ts';
import { mergeOutputs } from '../src/readers/merge.ts';
import { compare, ratio } from './measure.ts';

const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const defaults = ['pixi/pixi-ex-ros2-nav2/pixi.lock', 'pixi/scipy/pixi.lock'].map((path) => `${corpus}${path}`);
const files = process.argv.length > 2 ? process.argv.slice(2) : defaults;

console.log('file                               size      records  packages  raw js-yaml   cvebuild     ratio');
for (const file of files) {
  if (!existsSync(file)) {
    console.log(`skip ${file}: not found (the corpus lives in ../shared/corpus)`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  let packages = 0;
  let records = 0;
  const { baselineMs: rawMs, candidateMs: oursMs } = compare(
    () => load(text),
    () => {
      const output = readLockText(text, file);
      const inventory = mergeOutputs([output]);
      packages = inventory.packages.length;
      records = output.source.records.conda + output.source.records.pypi + output.source.records.condaSource;
    },
  );
  const name = file.replace(corpus, '').padEnd(34);
  const size = `${(text.length / 1e6).toFixed(2)} MB`.padStart(8);
  console.log(
    `${name} ${size} ${String(records).padStart(8)} ${String(packages).padStart(9)} ${rawMs.toFixed(1).padStart(9)} ms ${oursMs.toFixed(1).padStart(9)} ms ${ratio(oursMs, rawMs).padStart(8)}`,
  );
}
