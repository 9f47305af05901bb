import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { fixture, projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Action {
  name: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const actionText = readFileSync(join(projectRoot, 'action.yml'), 'utf8');
const action = load(actionText) as Action;

/** Runs action/gate.sh the way the composite step does, with GitHub's files in a temp directory. */
function runGateStep(inputs: Record<string, string>, prepare: (dir: string) => void = () => {}) {
  const dir = tempDirectory();
  prepare(dir);
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output.txt');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const result = spawnSync('bash', [join(projectRoot, 'action/gate.sh')], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      // the step runs after actions/setup-node: `node` on PATH is Node 24
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      CVEBUILD_BIN: join(projectRoot, 'bin/cvebuild.js'),
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      ...inputs,
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  return { result, dir, summary: readFileSync(summary, 'utf8'), outputs };
}

describe('GitHub Action', () => {
  it('is a composite action on Node 24 whose steps use pinned major versions', () => {
    assert.equal(action.runs.using, 'composite');
    const setup = action.runs.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    assert.equal(setup?.with?.['node-version'], 24);
    for (const step of action.runs.steps) {
      if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w/-]+@v\d+$/, step.uses);
      if (step.run) assert.equal(step.shell, 'bash', `${step.name} needs a shell`);
    }
    assert.ok(action.runs.steps.some((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@')));
  });

  it('declares every input and step output it refers to', () => {
    for (const [, name] of actionText.matchAll(/inputs\.([\w-]+)/g)) assert.ok(name && name in action.inputs, name);
    const ids = new Set(action.runs.steps.map((step) => step.id).filter(Boolean));
    for (const [, id] of actionText.matchAll(/steps\.([\w-]+)\.outputs/g)) assert.ok(id && ids.has(id), id);
    for (const output of Object.values(action.outputs)) assert.match(output.value, /steps\.gate\.outputs\./);
  });

  it('the gate step fails a compromised project: outputs, job summary, SARIF and HTML', () => {
    const { result, dir, summary, outputs } = runGateStep({
      INPUT_PATH: fixture('audit/project'),
      INPUT_DB: fixture('audit/intel'),
      INPUT_SARIF: 'cvebuild.sarif',
      INPUT_HTML: 'report.html',
      INPUT_ARGS: '--now 2026-11-22T12:00:00Z --offline',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(outputs.verdict, 'fail');
    assert.equal(outputs['exit-code'], '1');
    assert.equal(outputs.sarif, 'cvebuild.sarif');
    assert.equal(outputs.html, 'report.html');
    assert.match(summary, /FAIL/);
    assert.match(summary, /MAL-2026-2144/);
    const sarif = JSON.parse(readFileSync(join(dir, 'cvebuild.sarif'), 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.ok(existsSync(join(dir, 'report.html')));
  });

  it('the gate step writes no report through a symlink the checkout planted, and hands none on', () => {
    const secret = join(tempDirectory(), 'credentials');
    writeFileSync(secret, 'token=abc\n');
    const { result, outputs } = runGateStep(
      {
        INPUT_PATH: fixture('audit/project'),
        INPUT_DB: fixture('audit/intel'),
        INPUT_SARIF: 'cvebuild.sarif',
        INPUT_HTML: 'cvebuild-report.html',
        INPUT_ARGS: '--now 2026-11-22T12:00:00Z --offline',
      },
      (dir) => {
        symlinkSync(secret, join(dir, 'cvebuild.sarif'));
        symlinkSync(secret, join(dir, 'cvebuild-report.html'));
      },
    );
    assert.match(result.stderr, /cvebuild\.sarif: is a symbolic link/);
    assert.equal(outputs.verdict, 'error');
    assert.equal(outputs.sarif, '', 'upload-sarif must not be given the planted link');
    assert.equal(outputs.html, '', 'upload-artifact must not be given the planted link');
    assert.equal(readFileSync(secret, 'utf8'), 'token=abc\n');
  });

  it('the gate step passes a clean project and reports an error as such', () => {
    const clean = runGateStep({
      INPUT_PATH: join(projectRoot, 'examples/ml-service'),
      INPUT_DB: fixture('audit/intel'),
      INPUT_SARIF: '',
      INPUT_HTML: '',
      INPUT_ARGS: '--checks vulnerability,malicious --now 2026-11-22T12:00:00Z --offline',
    });
    assert.equal(clean.outputs.verdict, 'pass', clean.result.stderr);
    assert.equal(clean.outputs['exit-code'], '0');
    assert.equal(clean.outputs.sarif, '');
    assert.match(clean.summary, /PASS/);
    const broken = runGateStep({
      INPUT_PATH: join(tempDirectory(), 'missing'),
      INPUT_DB: fixture('audit/intel'),
      INPUT_SARIF: 'cvebuild.sarif',
    });
    assert.equal(broken.outputs.verdict, 'error');
    assert.equal(broken.outputs['exit-code'], '2');
    assert.match(broken.summary, /could not run/);
  });
});
