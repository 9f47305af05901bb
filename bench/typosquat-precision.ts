/**
 * bench/typosquat-precision: how well the typosquat score separates real squats from real
 * legitimate names, by name alone and with the evidence about the project, at the blocking
 * threshold (high, the default fail-on) and the reporting threshold (any finding).
 *
 * Names, their split and the approximated project histories: test/helpers/typosquat-corpus.ts;
 * the judging: test/helpers/typosquat-precision.ts.
 * The weights (src/typosquat/score.ts) were tuned on the `tune` half; bench/typosquat.ts prints the
 * `test` half. A malicious-package report would make every squat here critical, so that signal is
 * withheld: recall is what the name and the project say without it.
 *   node bench/typosquat-precision.ts [--half test|tune] [--age DAYS] [--unknown-releases N] [--no-record-history]
 * `--no-record-history` gives the squats with no record (a name-index entry only) the history of a
 * record listing no version, instead of judging them by name alone: an assumption, said in the output.
 */
import { parseArgs } from 'node:util';
import { hasCorpus } from '../test/helpers/paths.ts';
import {
  blocks,
  DEFAULT_PRECISION,
  type Judged,
  MODES,
  type Mode,
  type PrecisionOptions,
  precisionRows,
  reports,
  share,
} from '../test/helpers/typosquat-precision.ts';

function rate(judged: Judged[], mode: Mode, test: (severity: string | undefined) => boolean): string {
  const { hits, of, rate } = share(judged, mode, test);
  return `${(100 * rate).toFixed(rate < 0.01 ? 2 : 1)}% (${hits}/${of})`.padEnd(24);
}

export async function printPrecision(options: PrecisionOptions = DEFAULT_PRECISION): Promise<void> {
  const { rows, byAge, coverage } = await precisionRows(options);
  console.log(
    `typosquat precision, ${options.half} half (sha256 of the name, first byte ${options.half === 'tune' ? 'even' : 'odd'}); squats audited ${options.age} days after their first upload; records listing no version count as ${options.unknownReleases} release(s)`,
  );
  console.log(
    "approximated histories: the corpus has no upload times, so a squat's first upload is its report's date and its releases the versions its records list; a legitimate project's first upload is its oldest advisory (or CVE year), made younger than it is",
  );
  console.log(coverage);
  for (const [threshold, test] of [
    ['blocking threshold (high)', blocks],
    ['reporting threshold (any finding)', reports],
  ] as const) {
    console.log(`\n${threshold}`);
    console.log(`${''.padEnd(64)}${MODES.map((mode) => mode.padEnd(24)).join('')}`);
    for (const { label, judged, kind } of rows) {
      const name = `${kind === 'recall' ? 'recall' : 'false positives'}: ${label}`;
      console.log(`${name.padEnd(64)}${MODES.map((mode) => rate(judged, mode, test)).join('')}`);
    }
  }
  console.log(
    '\nrecall at the blocking threshold, online, by the age at which a one-edit (top-1,000) squat is audited',
  );
  for (const { days, judged } of byAge) {
    console.log(`  ${String(days).padStart(5)} days  ${rate(judged, 'online (with history)', blocks)}`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      half: { type: 'string', default: DEFAULT_PRECISION.half },
      age: { type: 'string', default: String(DEFAULT_PRECISION.age) },
      'unknown-releases': { type: 'string', default: String(DEFAULT_PRECISION.unknownReleases) },
      'no-record-history': { type: 'boolean', default: false },
    },
  });
  if (!hasCorpus) {
    console.log('skip: ../shared/corpus not found');
  } else {
    await printPrecision({
      half: values.half === 'tune' ? 'tune' : 'test',
      age: Number(values.age),
      unknownReleases: Number(values['unknown-releases']),
      noRecordHistory: values['no-record-history'],
    });
  }
}
