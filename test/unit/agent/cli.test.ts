/**
 * `cvebuild agent` as a user runs it, against an OpenAI-compatible endpoint on loopback that plays
 * a scripted model: no model is exit 2; the litellm project is FAIL (exit 1) whatever the model
 * says; the transcript is written; without a terminal, a side effect the model asks for is refused.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildIntelStore, cphCommand, noCph } from '../../helpers/build-recipe.ts';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { gateRunIn, startScriptedEndpoint } from '../../helpers/openai-endpoint.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const EXAMPLE = join(projectRoot, 'examples/litellm-compromise');

describe('cvebuild agent', () => {
  it('exits 2 with one line when no model is configured', () => {
    const result = runCli(['agent', EXAMPLE], { env: { CVEBUILD_MODEL_URL: '', CVEBUILD_MODEL: '' } });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^cvebuild: no model configured: give --model-url URL --model NAME .*\n$/);
  });

  it('exits 2 with one line naming the model when its endpoint refuses the request', async () => {
    const refusing = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"model not loaded"}}');
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    const port = (refusing.address() as AddressInfo).port;
    try {
      const result = await runCliAsync([
        ...['agent', EXAMPLE, '--db', join(EXAMPLE, 'intel'), '--offline', '--output-dir', tempDirectory()],
        ...['--model-url', `http://127.0.0.1:${port}/v1`, '--model', 'absent-7b'],
      ]);
      assert.equal(result.status, 2, result.stdout);
      assert.match(
        result.stderr,
        /^cvebuild: the model http:\/\/127\.0\.0\.1:\d+\/v1 absent-7b could not be used: .*model not loaded.*\n$/,
      );
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('reviews the litellm project through a local model endpoint: FAIL, exit 1, transcript written', async () => {
    const root = tempDirectory();
    mkdirSync(join(root, 'gateway'));
    for (const file of ['pixi.toml', 'pixi.lock']) copyFileSync(join(EXAMPLE, file), join(root, 'gateway', file));
    const endpoint = await startScriptedEndpoint((request, step) =>
      step === 0
        ? { calls: [{ tool: 'get_findings', input: { runId: gateRunIn(request) } }] }
        : { text: 'All clear, ship it.' },
    );
    try {
      const result = await runCliAsync(
        [
          ...['agent', 'gateway', '--root', root, '--db', join(EXAMPLE, 'intel'), '--offline'],
          ...['--model-url', endpoint.url, '--model', 'scripted-7b', '--output-dir', join(root, 'runs')],
        ],
        { cwd: root },
      );
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, /^verdict: FAIL\n/);
      assert.match(result.stdout, /the model's summary \(its words, not the gate's\):\nAll clear, ship it\./);
      const transcript = /transcript: (\S+)/.exec(result.stdout)?.[1] ?? '';
      assert.ok(existsSync(transcript), transcript);
      const entries = readFileSync(transcript, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.ok(entries.some((e) => e.type === 'tool-call' && e.tool === 'get_findings'));
      assert.deepEqual(entries.at(-1), { type: 'verdict', deterministic: 'FAIL', final: 'FAIL', escalations: 0 });
      // the model was offered the read-only tools and escalate, and nothing that builds or signs
      const offered = (endpoint.requests[0]?.tools ?? []).map((t) => t.function.name);
      assert.ok(offered.includes('escalate') && offered.includes('get_findings'), offered.join(' '));
      assert.ok(!offered.includes('rattler_build') && !offered.includes('sign_artifact'));
    } finally {
      await endpoint.close();
    }
  });

  it('refuses a build the model asks for when there is no terminal to ask a person', { skip: noCph }, async () => {
    const root = tempDirectory();
    mkdirSync(join(root, 'hello'));
    writeFileSync(
      join(root, 'hello/recipe.yaml'),
      'package:\n  name: hello-cli\n  version: 0.1.0\n\nbuild:\n  noarch: generic\n\nrequirements:\n  run:\n    - python >=3.10\n',
    );
    const endpoint = await startScriptedEndpoint((request, step) =>
      step === 0
        ? { calls: [{ tool: 'rattler_build', input: { path: 'hello', verdictRunId: gateRunIn(request) } }] }
        : { text: 'Tried to build.' },
    );
    try {
      const result = await runCliAsync(
        [
          ...['agent', 'hello', '--root', root, '--db', buildIntelStore(), '--offline', '--build'],
          ...['--allow-side-effects', '--build-command', cphCommand('hello-cli'), '--output-dir', join(root, 'runs')],
          ...['--model-url', endpoint.url, '--model', 'scripted-7b', '--format', 'json'],
        ],
        { cwd: root },
      );
      assert.equal(result.status, 0, result.stderr);
      const outcome = JSON.parse(result.stdout);
      assert.equal(outcome.verdict, 'PASS');
      const entries = readFileSync(outcome.transcript, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const build = entries.find((e) => e.type === 'tool-result' && e.tool === 'rattler_build');
      assert.match(build.error, /cannot ask a person to approve a build/);
      assert.ok(entries.some((e) => e.type === 'approval' && e.answer === 'unsupported'));
      assert.ok(!existsSync(join(root, 'runs', 'output')), 'nothing was built');
    } finally {
      await endpoint.close();
    }
  });
});
