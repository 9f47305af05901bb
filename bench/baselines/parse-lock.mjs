// Baseline for start-up figures: what any tool reading a pixi.lock pays at least (Node, plus
// js-yaml parsing the lock). Plain JavaScript, so it costs no type stripping.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';

load(readFileSync(process.argv[2], 'utf8'));
