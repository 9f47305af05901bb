/**
 * The README's library example is examples/library/audit.ts, and the README must show the file as
 * it is. It imports `cvebuild`, so test/unit/package/tarball.test.ts runs it against the installed
 * package and compares it with `cvebuild gate`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { projectRoot } from '../../helpers/paths.ts';

const EXAMPLE = 'examples/library/audit.ts';
const README = readFileSync(`${projectRoot}README.md`, 'utf8');
const SECTION = '## Use as a library';

describe('the library example', () => {
  it('is what the README shows under "Use as a library"', () => {
    const at = README.indexOf(`\n${SECTION}\n`);
    assert.notEqual(at, -1, `README has no "${SECTION}" section`);
    const open = README.indexOf('```ts\n', at);
    const close = README.indexOf('\n```\n', open);
    assert.ok(open !== -1 && close !== -1, `no \`\`\`ts block under "${SECTION}"`);
    assert.equal(README.slice(open + '```ts\n'.length, close + 1), readFileSync(`${projectRoot}${EXAMPLE}`, 'utf8'));
  });
});
