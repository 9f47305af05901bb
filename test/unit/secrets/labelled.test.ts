/**
 * The labelled set (test/helpers/fake-secrets.ts): every planted fake is found by the right rule at
 * the right line and column, nothing else is reported, and no near miss is flagged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeHit } from '../../../src/code/types.ts';
import { scanText } from '../../../src/secrets/scan.ts';
import { type LabelledCase, negatives, positives } from '../../helpers/fake-secrets.ts';

const describeHit = (hit: CodeHit) => `${hit.rule}@${hit.line}:${hit.column} ${hit.severity} (${hit.message})`;

describe('secret scanner on the labelled set', () => {
  for (const seed of [7, 2024]) {
    describe(`positives (seed ${seed})`, () => {
      for (const entry of positives(seed)) {
        it(entry.name, async () => {
          const hits = await scanText(entry.path, entry.content);
          const expected = entry.expected.map((e) => `${e.rule}@${e.line}:${e.column}`).sort();
          const found = hits.map((hit) => `${hit.rule}@${hit.line}:${hit.column}`).sort();
          assert.deepEqual(found, expected, `hits: ${hits.map(describeHit).join('; ')}`);
          for (const want of entry.expected) {
            const hit = hits.find((h) => h.rule === want.rule && h.line === want.line && h.column === want.column);
            if (want.severity) assert.equal(hit?.severity, want.severity, describeHit(hit as CodeHit));
          }
        });
      }
    });
  }

  for (const seed of [11, 99]) {
    describe(`negatives (seed ${seed})`, () => {
      for (const entry of negatives(seed)) {
        it(entry.name, async () => {
          const hits = await scanText(entry.path, entry.content);
          assert.deepEqual(hits.map(describeHit), []);
        });
      }
    });
  }

  it('covers every rule of ours with positives', () => {
    const rules = new Set(positives().flatMap((entry: LabelledCase) => entry.expected.map((e) => e.rule)));
    for (const id of [
      'pypi-token',
      'anaconda-token',
      'conda-channel-token',
      'prefix-dev-token',
      'url-credentials',
      'github-token',
      'aws-access-key-id',
      'aws-secret-access-key',
      'openai-api-key',
      'anthropic-api-key',
      'huggingface-token',
      'private-key',
      'dotenv-secret',
    ])
      assert.ok(rules.has(id), id);
  });
});
