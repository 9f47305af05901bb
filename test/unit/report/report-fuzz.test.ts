/**
 * Report fuzzing on self-made fixtures (the corpus suite runs the same on real locks, with more
 * cases): seeded hostile text — escapes, bidi, markup, mentions, autolinks, forged lines, URLs
 * with credentials — in every outside field of a lock, an advisory and a lock diff, rendered in
 * every format. No raw control reaches any output, HTML, Markdown and SARIF stay inert, the SBOMs
 * stay valid, and no planted credential appears anywhere; Chromium, where installed, parses a few
 * of the pages back to the clean page's elements and attributes. A failure names its seed;
 * CVEBUILD_REPORT_FUZZ_CASES sets how many cases run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { browserSkip, launchBrowser } from '../../helpers/browser.ts';
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
import { writeTemp } from '../../helpers/temp.ts';

const CASES = Number(process.env.CVEBUILD_REPORT_FUZZ_CASES ?? 25);
/** Pages parsed by Chromium: each costs a page load. */
const BROWSER_CASES = Math.min(CASES, 4);

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

/** The page as Chromium parsed it: every element name and attribute name, and how many scripts. */
async function parsedShape(
  browser: Browser,
  html: string,
): Promise<{ tags: string[]; attributes: string[]; scripts: number; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(writeTemp('fuzz.html', html)).href);
  // A string, evaluated in the page: this project's types have no DOM.
  const shape = await page.evaluate<{ tags: string[]; attributes: string[]; scripts: number }>(`(() => {
    const elements = [...document.querySelectorAll('*')];
    return {
      tags: [...new Set(elements.map((element) => element.localName))].sort(),
      attributes: [...new Set(elements.flatMap((element) => element.getAttributeNames()))].sort(),
      scripts: document.scripts.length,
    };
  })()`);
  await page.close();
  return { ...shape, problems };
}

describe('report fuzzing: the HTML page parsed back by Chromium', { skip: browserSkip() }, () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it(`${BROWSER_CASES} seeded pages have only the elements and attributes of the clean page`, async () => {
    const clean = await parsedShape(browser, (await renderAll(hostileScenario((value) => value))).html);
    for (let seed = 1; seed <= BROWSER_CASES; seed++) {
      const hostile = new HostileText(seededRandom(seed));
      const parsed = await parsedShape(
        browser,
        (await renderAll(hostileScenario((value) => hostile.text(value)))).html,
      );
      assert.deepEqual(parsed.problems, [], `seed ${seed}`);
      assert.deepEqual(
        parsed.tags.filter((tag) => !clean.tags.includes(tag)),
        [],
        `seed ${seed}: injected elements`,
      );
      assert.deepEqual(
        parsed.attributes.filter((name) => !clean.attributes.includes(name)),
        [],
        `seed ${seed}: injected attributes`,
      );
      assert.equal(parsed.scripts, clean.scripts, `seed ${seed}: scripts`);
    }
  });
});
