/**
 * Issue 12, items 4 and 5, as classes: every control, escape sequence and bidi character, and every
 * form of credential in a URL, planted in every outside field of a report, a lock and a lock diff,
 * through every output (table, JSON, SARIF, Markdown, HTML, CycloneDX, SPDX, inventory table and
 * JSON, diff table, JSON and Markdown). No output carries one raw or starts a line with it, and no
 * output shows a credential.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type CleanShape,
  cleanShape,
  controlCases,
  hostileScenario,
  OUTPUTS,
  outputProblems,
  renderAll,
  UNSAFE,
} from '../../helpers/hostile-report.ts';

let clean: CleanShape;

before(async () => {
  clean = cleanShape((await renderAll(hostileScenario((value) => value))).html);
});

describe('control and bidi characters in every field, through every output', () => {
  for (const { label, text } of controlCases()) {
    it(label, async () => {
      const outputs = await renderAll(hostileScenario((value) => `${value}${text}FORGED`));
      assert.deepEqual(outputProblems(outputs, [], clean), []);
      for (const name of OUTPUTS) {
        for (const char of text) {
          if (char === '\n' || !UNSAFE.test(char)) continue;
          assert.ok(!outputs[name].includes(char), `${name} carries U+${char.codePointAt(0)?.toString(16)}`);
        }
      }
    });
  }

  it('a table line shows the escape, not the effect', async () => {
    const outputs = await renderAll(
      hostileScenario((value) => (value === 'openssl' ? '\u001b]0;owned\u0007openssl\u202e' : value)),
    );
    assert.match(outputs.table, /\\x1b\]0;owned\\x07openssl\\u202e/);
    assert.match(outputs['inventory-table'], /\\x1b\]0;owned\\x07openssl\\u202e/);
  });

  it('JSON keeps the value, escaped: a parser reads the same name', async () => {
    const name = 'openssl\u202e\u009b\u007f';
    const outputs = await renderAll(hostileScenario((value) => (value === 'openssl' ? name : value)));
    assert.match(outputs['inventory-json'], /openssl\\u202e\\u009b\\u007f/);
    const inventory = JSON.parse(outputs['inventory-json']) as { packages: { name: string }[] };
    assert.ok(inventory.packages.some((pkg) => pkg.name === name));
  });
});

const SECRET = 'QzkWmTnVrLpXsYjh';

/** Every credential form in a URL, with SECRET as the secret. */
const CREDENTIAL_URLS = [
  `https://alice:${SECRET}@pypi.example.com/simple`,
  `https://${SECRET}@github.com/org/repo.git`,
  `https://alice:p@${SECRET}@host.example/x`,
  `https://alice:p%40${SECRET}@host.example/x`,
  `git+https://${SECRET}@gitlab.example/org/repo.git@v1`,
  `git+ssh://git:${SECRET}@host.example/org/repo.git`,
  `https://conda.anaconda.org/t/${SECRET}/private/linux-64/x-1-0.conda`,
  `https://host.example/x?token=${SECRET}`,
  `https://host.example/x?access_token=${SECRET}`,
  `https://host.example/x?api_key=${SECRET}`,
  `https://b.s3.example/k?X-Amz-Signature=${SECRET}`,
];

describe('credentials in every field, through every output', () => {
  for (const url of CREDENTIAL_URLS) {
    it(url.replace(SECRET, 'SECRET'), async () => {
      // As the whole value (a channel, an index, a URL), and inside text (a summary, a message, a name).
      for (const plant of [
        (value: string) => (/^https?:|^git\+/.test(value) ? url : value),
        (value: string) => `${value} (${url})`,
      ]) {
        const outputs = await renderAll(hostileScenario(plant));
        assert.deepEqual(outputProblems(outputs, [SECRET], clean), []);
      }
    });
  }

  it('the HTML page masks channel tokens and user:password as the other formats do (it used to print them)', async () => {
    const outputs = await renderAll(
      hostileScenario((value) =>
        value === 'https://conda.anaconda.org/conda-forge'
          ? `https://conda.anaconda.org/t/${SECRET}/conda-forge`
          : value === 'https://pypi.org/simple'
            ? `https://alice:${SECRET}@pypi.org/simple`
            : value,
      ),
    );
    assert.ok(!outputs.html.includes(SECRET));
    assert.match(outputs.html, /https:\/\/conda\.anaconda\.org\/t\/\*\*\*\/conda-forge/);
    assert.match(outputs.html, /https:\/\/\*\*\*:\*\*\*@pypi\.org\/simple/);
  });
});

describe('advisory ids with markup or a URL glued on', () => {
  for (const id of [
    'GHSA-<x>',
    'GHSA-[x]',
    'CVE-2024-1 2',
    'PYSEC-"x"',
    'MAL-\u202e1',
    `GHSA-abcdredis://:${SECRET}@cache.example:6379/0`,
    `MAL-1https://alice:${SECRET}@h.example/x`,
  ]) {
    it(`SARIF stays valid, Markdown and HTML inert, no credential shown for ${JSON.stringify(id.replace(SECRET, 'SECRET'))}`, async () => {
      const outputs = await renderAll(hostileScenario((value) => (value === 'GHSA-abcd-efgh-ijkl' ? id : value)));
      assert.deepEqual(outputProblems(outputs, [SECRET], clean), []);
    });
  }
});
