/**
 * What a `gate` loads: the modules only some runs need (packageurl-js for SBOMs, yocto-spinner on a
 * terminal, js-yaml for locks the subset reader leaves, node:crypto for hashing, ignore for trees
 * with ignore files) stay unloaded by a JSON gate of a lock the subset reader reads, in a directory
 * without ignore files. Each costs several milliseconds of start-up.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const BIN = fileURLToPath(new URL('../../../bin/cvebuild.js', import.meta.url));
const NOT_LOADED = ['packageurl-js', 'yocto-spinner', 'js-yaml', 'node:crypto', 'crypto', 'ignore'];

/** A module hook that writes every specifier the run resolves to `out`, one a line, at exit. */
function recorder(directory: string, out: string): string {
  const hook = join(directory, 'record-specifiers.mjs');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { seen.add(specifier); return next(specifier, context); } });
process.on('exit', () => writeFileSync(${JSON.stringify(out)}, [...seen].join('\\n')));
`,
  );
  return pathToFileURL(hook).href;
}

describe('a JSON gate of a lock the subset reader reads, in a directory without ignore files', () => {
  it('loads none of packageurl-js, yocto-spinner, js-yaml, node:crypto or ignore', () => {
    const directory = tempDirectory();
    // the example lock without its comment lines, which only js-yaml reads
    const lock = readFileSync(join(projectRoot, 'examples/litellm-compromise/pixi.lock'), 'utf8');
    writeFileSync(join(directory, 'pixi.lock'), lock.replace(/^#.*\n/gm, ''));
    const out = join(directory, 'specifiers.txt');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        recorder(directory, out),
        BIN,
        'gate',
        directory,
        '--db',
        join(projectRoot, 'examples/litellm-compromise/intel'),
        '--format',
        'json',
        '--now',
        '2026-11-22T12:00:00Z',
      ],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' } },
    );
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /"check": "malicious"/);
    const specifiers = readFileSync(out, 'utf8').split('\n');
    assert.ok(specifiers.includes('commander'), 'the hook saw the run load its modules');
    assert.deepEqual(
      NOT_LOADED.filter((name) => specifiers.includes(name)),
      [],
    );
  });
});
