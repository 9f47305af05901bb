/**
 * Run in a child process by fifo-inputs.test.ts: every way cvebuild reads a file, pointed at a
 * FIFO with no writer. A blocking open would hang this process (and only it: the test kills it
 * after a timeout); each case prints how it ended as one JSON line.
 */
import { join } from 'node:path';
import { readPackageArchive } from '../../../src/artifacts/archive.ts';
import { sha256OfFile } from '../../../src/artifacts/package-dirs.ts';
import { sha256File } from '../../../src/attest/sign.ts';
import { readTrustedRoot } from '../../../src/attest/trust.ts';
import { walkCode } from '../../../src/code/walk.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { isCvebuildError } from '../../../src/errors.ts';
import { readInputBytes } from '../../../src/fs/read-input.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { openStore } from '../../../src/intel/store.ts';
import { loadPolicy } from '../../../src/policy/load.ts';

const dir = process.argv[2] ?? '.';
const at = (name: string) => join(dir, name);

export const FIFO_CASES: Record<string, () => unknown> = {
  'a lock file': () => readInventory(at('x.lock')),
  'a manifest': () => readInventory(at('pixi.toml')),
  'a conda-meta record': () => readInventory(at('prefix')),
  'a policy file': () => loadPolicy(dir, at('policy.toml')),
  'a threat-data file': () => importSources(openStore(':memory:', { create: true }), [{ path: at('osv.json') }]),
  'a store file': () => openStore(at('intel.sqlite'), { readOnly: true }),
  'a .conda archive': () => readPackageArchive(at('demo-1.0-0.conda')),
  'a .tar.bz2 archive': () => readPackageArchive(at('demo-1.0-0.tar.bz2')),
  'an archive to hash': () => sha256OfFile(at('hash.conda')),
  'a package to sign or verify': () => sha256File(at('sign.conda')),
  'a trusted root': () => readTrustedRoot(at('trusted_root.json')),
  'a key or bundle': () => readInputBytes(at('release.pub')),
  'a file to scan': () => walkCode(at('app.py')),
  'a tree whose ignore files are FIFOs': () => walkCode(at('tree')),
};

for (const [name, run] of Object.entries(FIFO_CASES)) {
  let outcome: string;
  try {
    await run();
    outcome = 'ok';
  } catch (error) {
    outcome = isCvebuildError(error) ? `${error.code} ${error.toLine()}` : `BUG ${String(error)}`;
  }
  process.stdout.write(`${JSON.stringify({ name, outcome })}\n`);
}
