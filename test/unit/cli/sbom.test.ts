import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { buildProgram } from '../../../src/cli/program.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { cycloneDxErrors, spdxErrors } from '../../helpers/schemas.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const example = join(projectRoot, 'examples/ml-service');
const NOW = ['--now', '2026-11-20T12:00:00Z'];

/** Runs `cvebuild sbom ...` through commander in-process, as main.ts will once the command is registered. */
async function sbom(args: string[]): Promise<string> {
  let stdout = '';
  const program = buildProgram((text) => {
    stdout += text;
  });
  await program.parseAsync(['sbom', ...args], { from: 'user' });
  return stdout;
}

async function sbomError(args: string[]): Promise<CvebuildError> {
  try {
    await sbom(args);
  } catch (error) {
    assert.ok(error instanceof CvebuildError, String(error));
    assert.ok(!error.toLine().includes('\n'));
    return error;
  }
  assert.fail(`cvebuild sbom ${args.join(' ')} should fail`);
}

describe('cvebuild sbom', () => {
  it('writes a CycloneDX BOM of the project by default', async () => {
    const json = await sbom([example, ...NOW]);
    assert.deepEqual(await cycloneDxErrors(json), []);
    const bom = JSON.parse(json);
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.metadata.timestamp, '2026-11-20T12:00:00.000Z');
    assert.equal(bom.metadata.component.name, 'ml-service');
    assert.equal(bom.components.length, 26);
    assert.equal(bom.vulnerabilities, undefined);
    assert.equal(await sbom([example, ...NOW]), json, 'deterministic');
  });

  it('writes SPDX 2.3 with --format spdx', async () => {
    const document = JSON.parse(await sbom([example, '--format', 'spdx', ...NOW]));
    assert.deepEqual(spdxErrors(document), []);
    assert.equal(document.spdxVersion, 'SPDX-2.3');
    assert.equal(document.packages.length, 27, 'the project and its 26 packages');
  });

  it('names the project after the directory of a file argument', async () => {
    const bom = JSON.parse(await sbom([join(example, 'pixi.lock'), ...NOW]));
    assert.equal(bom.metadata.component.name, 'ml-service');
    assert.equal(bom.components.length, 26);
  });

  it('narrows to one environment or platform', async () => {
    const minimalJson = await sbom([example, '--env', 'minimal', ...NOW]);
    assert.deepEqual(await cycloneDxErrors(minimalJson), []);
    const minimal = JSON.parse(minimalJson);
    assert.equal(minimal.components.length, 21);
    assert.ok(minimal.components.every((c: { purl: string }) => c.purl.startsWith('pkg:conda/')));
    const linux = JSON.parse(await sbom([example, '--platform', 'linux-64', ...NOW]));
    assert.equal(linux.components.length, 26);
  });

  it('writes to --output instead of standard output', async () => {
    const file = join(tempDirectory(), 'bom.cdx.json');
    assert.equal(await sbom([example, '--output', file, ...NOW]), '');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).components.length, 26);
  });

  it('takes the creation time from SOURCE_DATE_EPOCH', async () => {
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      const document = JSON.parse(await sbom([example, '--format', 'spdx']));
      assert.equal(document.creationInfo.created, '2023-11-14T22:13:20Z');
      process.env.SOURCE_DATE_EPOCH = 'yesterday';
      assert.equal((await sbomError([example])).code, 'USAGE');
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });

  it('reports bad input as one-line errors', async () => {
    assert.match((await sbomError([example, '--env', 'nope'])).message, /no environment named "nope"/);
    assert.equal((await sbomError([join(example, 'missing')])).code, 'INPUT_NOT_FOUND');
    const unwritable = await sbomError([example, '--output', join(tempDirectory(), 'no/such/dir/bom.json'), ...NOW]);
    assert.equal(unwritable.code, 'OUTPUT_UNWRITABLE');
    assert.match(unwritable.toLine(), /bom\.json: cannot write: no such file or directory \(ENOENT\)/);
    assert.equal((await sbomError([example, '--now', 'soon'])).code, 'USAGE');
    await assert.rejects(sbom([example, '--format', 'xml']), CommanderError);
  });
});
