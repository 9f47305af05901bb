/**
 * Report fuzzing on self-made fixtures (the corpus suite runs the same on real locks, with more
 * cases): seeded hostile text — escapes, bidi, markup, mentions, autolinks, forged lines, URLs
 * with credentials — in every outside field of a lock, an advisory and a lock diff, rendered in
 * every format. No raw control reaches any output, HTML, Markdown and SARIF stay inert, the SBOMs
 * stay valid, and no planted credential appears anywhere. A failure names its seed;
 * CVEBUILD_REPORT_FUZZ_CASES sets how many cases run.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type CleanShape,
  cleanShape,
  HostileText,
  hostileScenario,
  outputProblems,
  renderAll,
} from '../../helpers/hostile-report.ts';
import { seededRandom } from '../../helpers/random.ts';
import { cycloneDxErrors, spdxErrors } from '../../helpers/schemas.ts';

const CASES = Number(process.env.CVEBUILD_REPORT_FUZZ_CASES ?? 25);

let clean: CleanShape;

before(async () => {
  clean = cleanShape((await renderAll(hostileScenario((value) => value))).html);
});

describe('report fuzzing with hostile text (self-made fixtures)', () => {
  it(`${CASES} seeded cases: every output inert, no credential shown`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const hostile = new HostileText(seededRandom(seed));
      const outputs = await renderAll(hostileScenario((value) => hostile.text(value)));
      const problems = [
        ...outputProblems(outputs, hostile.secrets, clean),
        ...(await cycloneDxErrors(outputs.cyclonedx)).map((error) => `cyclonedx schema: ${error}`),
        ...spdxErrors(JSON.parse(outputs.spdx)).map((error) => `spdx: ${error}`),
      ];
      assert.deepEqual(problems, [], `seed ${seed}`);
    }
  });
});
