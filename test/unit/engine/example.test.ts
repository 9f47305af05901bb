/**
 * The README's library example is examples/library/audit.ts, run here as a reader would run it:
 * it must print what `cvebuild gate` prints for the same project, and the README must show the
 * file as it is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { projectRoot } from '../../helpers/paths.ts';

const EXAMPLE = 'examples/library/audit.ts';
const README = readFileSync(`${projectRoot}README.md`, 'utf8');
const SECTION = '## Use as a library';

describe('the library example', () => {
  it('gates the litellm example as the CLI does: same report, same exit code, progress on stderr', () => {
    const example = spawnSync(process.execPath, [EXAMPLE], { cwd: projectRoot, encoding: 'utf8' });
    const cli = runCli(
      ['gate', 'examples/litellm-compromise', '--db', 'examples/litellm-compromise/intel', '--offline'],
      {
        cwd: projectRoot,
      },
    );
    assert.equal(cli.status, 1, cli.stderr);
    assert.equal(example.status, 1, example.stderr);
    assert.equal(example.stdout, cli.stdout);
    assert.equal(
      example.stderr,
      [
        'malicious: ok',
        'lock-integrity: ok',
        'confusion: ok',
        'cooldown: ok (offline: no network lookups)',
        'link-scripts: skipped (nothing to inspect: no package-dirs archives and no installed prefix)',
        'sources: ok',
        'attestation: ok (offline: no network lookups)',
        'sast: ok',
        'secrets: ok',
        '',
      ].join('\n'),
    );
  });

  it('is what the README shows under "Use as a library"', (t) => {
    const at = README.indexOf(`\n${SECTION}\n`);
    if (at === -1) {
      t.skip(`README has no "${SECTION}" section yet`);
      return;
    }
    const open = README.indexOf('```ts\n', at);
    const close = README.indexOf('\n```\n', open);
    assert.ok(open !== -1 && close !== -1, `no \`\`\`ts block under "${SECTION}"`);
    assert.equal(README.slice(open + '```ts\n'.length, close + 1), readFileSync(`${projectRoot}${EXAMPLE}`, 'utf8'));
  });
});
