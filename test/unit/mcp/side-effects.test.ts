/**
 * Build and sign through MCP: they exist only with --allow-side-effects, need a PASS verdict of the
 * same bytes, and run only after a person at the client approves that digest. A client that cannot
 * ask is refused, a declined or altered answer is refused, and a recipe changed after its verdict
 * is refused. The builder is the cph stand-in; signing is keyed.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { buildIntelStore, cphCommand, noCph, recipeDirectory } from '../../helpers/build-recipe.ts';
import { runCli } from '../../helpers/cli.ts';
import { httpClient, startHttpServer, stdioClient } from '../../helpers/mcp.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { startPrefixUploadServer } from '../../helpers/prefix-upload-server.ts';

const BIN = join(projectRoot, 'bin/cvebuild.js');
const CHANNEL = 'https://example.invalid/builds';

type Answer = 'approve' | 'decline' | 'other-digest';

interface Elicited {
  message: string;
}

/** A client whose person answers every approval as told, and which records what it was asked. */
async function approvingClient(
  args: string[],
  answer: () => Answer,
  asked: Elicited[],
  env: Record<string, string> = {},
): Promise<Client> {
  const client = new Client(
    { name: 'cvebuild-test', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    const params = request.params as unknown as {
      message: string;
      requestedSchema: { properties: { digest: { default: string } } };
    };
    asked.push({ message: params.message });
    const digest = params.requestedSchema.properties.digest.default;
    const given = answer();
    if (given === 'decline') return { action: 'decline' };
    return { action: 'accept', content: { approve: true, digest: given === 'approve' ? digest : '0'.repeat(64) } };
  });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', ...args],
      stderr: 'ignore',
      // the SDK passes a child only a few safe variables: the upload token is given by name
      env: { ...(getDefaultEnvironment() as Record<string, string>), ...env },
    }),
  );
  return client;
}

function structured<T>(result: Awaited<ReturnType<Client['callTool']>>): T {
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  return result.structuredContent as T;
}

function refusal(result: Awaited<ReturnType<Client['callTool']>>): string {
  assert.equal(result.isError, true, JSON.stringify(result.structuredContent));
  return JSON.stringify(result.content);
}

describe('cvebuild mcp side effects', { skip: noCph }, () => {
  const db = buildIntelStore();
  const recipe = recipeDirectory('mcp-pkg', ['python >=3.10']);
  const root = dirname(recipe);
  const keys = join(root, 'signing');
  assert.equal(runCli(['keygen', '--out', keys]).status, 0);
  const serverArgs = [
    ...['--root', root, '--db', db, '--offline', '--allow-side-effects'],
    ...['--build-command', cphCommand('mcp-pkg'), '--output-dir', join(root, 'runs')],
    ...['--key', `${keys}.key`, '--channel', CHANNEL],
  ];
  let answer: Answer = 'approve';
  const asked: Elicited[] = [];
  let client: Client;
  before(async () => {
    client = await approvingClient(serverArgs, () => answer, asked);
  });
  after(() => client.close());

  it('exist only with --allow-side-effects', async () => {
    const plain = await stdioClient(['--root', root, '--db', db, '--offline']);
    try {
      const names = (await plain.listTools()).tools.map((tool) => tool.name);
      const effects = ['rattler_build', 'sign_artifact', 'publish_artifact'];
      assert.deepEqual(
        names.filter((name) => effects.includes(name)),
        [],
      );
    } finally {
      await plain.close();
    }
    const tools = (await client.listTools()).tools.filter((tool) =>
      ['rattler_build', 'sign_artifact', 'publish_artifact'].includes(tool.name),
    );
    assert.equal(tools.length, 3);
    for (const tool of tools)
      assert.deepEqual(tool.annotations, {
        title: tool.title,
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: true,
      });
  });

  it('builds after a PASS verdict and an approval of that digest, then signs after a PASS artifact scan', async () => {
    answer = 'approve';
    asked.length = 0;
    const gate = structured<{ runId: string; verdict: string; digest: string }>(
      await client.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
    );
    assert.equal(gate.verdict, 'PASS');
    const built = structured<{ outcome: string; artifacts: { file: string; sha256: string }[] }>(
      await client.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
    );
    assert.equal(built.outcome, 'pass');
    assert.equal(asked.length, 1);
    assert.match(
      asked[0]?.message ?? '',
      new RegExp(`build mcp-pkg[\\s\\S]*sha256 ${gate.digest}[\\s\\S]*run ${gate.runId}`),
    );
    const [artifact] = built.artifacts;
    assert.ok(artifact && existsSync(artifact.file));
    const path = relative(root, artifact.file);

    const notScanned = await client.callTool({ name: 'sign_artifact', arguments: { path, verdictRunId: gate.runId } });
    assert.match(refusal(notScanned), /is a gate_verdict; this needs a artifact_scan run/);
    const scan = structured<{ runId: string; verdict: string; digest: string }>(
      await client.callTool({ name: 'artifact_scan', arguments: { path } }),
    );
    assert.equal(scan.verdict, 'PASS');
    assert.equal(scan.digest, artifact.sha256, 'an artifact verdict is bound to its own sha256');
    const signed = structured<{ bundle: string; mode: string; sha256: string }>(
      await client.callTool({ name: 'sign_artifact', arguments: { path, verdictRunId: scan.runId } }),
    );
    assert.equal(signed.mode, 'keyed');
    assert.equal(signed.sha256, artifact.sha256);
    const verified = runCli(['verify', artifact.file, '--key', `${keys}.pub`, '--channel', CHANNEL]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });

  it('refuses a declined approval, an approval of another digest, and a FAIL verdict', async () => {
    const gate = structured<{ runId: string }>(
      await client.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
    );
    const built = () => (existsSync(join(root, 'runs')) ? readdirSync(join(root, 'runs')).length : 0);
    const runs = built();
    answer = 'decline';
    assert.match(
      refusal(
        await client.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
      ),
      /the build of mcp-pkg was not approved/,
    );
    answer = 'other-digest';
    assert.match(
      refusal(
        await client.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
      ),
      /was not approved/,
    );
    assert.equal(built(), runs, 'nothing was built');

    const badPath = 'bad-pkg';
    mkdirSync(join(root, badPath));
    copyFileSync(
      join(recipeDirectory('bad-pkg', ['litellm ==1.82.7']), 'recipe.yaml'),
      join(root, badPath, 'recipe.yaml'),
    );
    const failed = structured<{ runId: string; verdict: string }>(
      await client.callTool({ name: 'gate_verdict', arguments: { path: badPath } }),
    );
    answer = 'approve';
    asked.length = 0;
    // the recipe lies outside this server's root: make a second server rooted above both
    assert.match(
      refusal(
        await client.callTool({ name: 'rattler_build', arguments: { path: badPath, verdictRunId: failed.runId } }),
      ),
      /outside the server's root|verdict is FAIL, not PASS/,
    );
    assert.equal(asked.length, 0, 'nobody is asked to approve what did not pass');
  });

  it('refuses a recipe that changed after its verdict, before asking anyone', async () => {
    const gate = structured<{ runId: string }>(
      await client.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
    );
    appendFileSync(join(recipe, 'recipe.yaml'), '# edited after the verdict\n');
    asked.length = 0;
    assert.match(
      refusal(
        await client.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
      ),
      /changed since run .* judged it/,
    );
    assert.equal(asked.length, 0);
  });

  it('asks over HTTP in the 2026-07-28 era too (input_required), and builds once approved', async () => {
    const server = await startHttpServer(serverArgs);
    const messages: string[] = [];
    try {
      const remote = await httpClient(server, ({ message, requestedSchema }) => {
        messages.push(message);
        const digest = (requestedSchema as { properties: { digest: { default: string } } }).properties.digest.default;
        return { action: 'accept', content: { approve: true, digest } };
      });
      try {
        assert.equal(remote.getProtocolEra(), 'modern');
        const gate = structured<{ runId: string; digest: string }>(
          await remote.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
        );
        const built = structured<{ outcome: string }>(
          await remote.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
        );
        assert.equal(built.outcome, 'pass');
        assert.equal(messages.length, 1);
        assert.match(messages[0] ?? '', new RegExp(`sha256 ${gate.digest}`));
      } finally {
        await remote.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('refuses a client that cannot ask a person to build, sign or publish, over stdio and over HTTP', async () => {
    const prefix = await startPrefixUploadServer('pfx-mute-token-0123456789');
    const mute = await stdioClient([...serverArgs, '--publish-url', prefix.url, '--publish-channel', 'c'], {
      PREFIX_API_KEY: 'pfx-mute-token-0123456789',
    });
    try {
      const gate = structured<{ runId: string }>(
        await mute.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
      );
      assert.match(
        refusal(
          await mute.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
        ),
        /this client cannot ask a person to approve a build/,
      );
      // a package an earlier test built and signed: scanned PASS, and still not signed or sent without a person
      const runs = join(root, 'runs');
      const built = readdirSync(runs, { recursive: true })
        .map(String)
        .find((file) => file.endsWith('.conda') && existsSync(join(runs, `${file}.sigstore.json`)));
      assert.ok(built, 'an earlier test built and signed a package');
      const path = relative(root, join(runs, built));
      const scan = structured<{ runId: string; verdict: string }>(
        await mute.callTool({ name: 'artifact_scan', arguments: { path } }),
      );
      assert.equal(scan.verdict, 'PASS');
      for (const [tool, action] of [
        ['sign_artifact', 'sign'],
        ['publish_artifact', 'publish'],
      ] as const)
        assert.match(
          refusal(await mute.callTool({ name: tool, arguments: { path, verdictRunId: scan.runId } })),
          new RegExp(`this client cannot ask a person to approve a ${action}`),
        );
      assert.deepEqual(prefix.uploads, []);
    } finally {
      await mute.close();
      await prefix.close();
    }
    const server = await startHttpServer(serverArgs);
    try {
      const remote = await httpClient(server);
      try {
        const gate = structured<{ runId: string }>(
          await remote.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
        );
        const result = await remote.callTool({
          name: 'rattler_build',
          arguments: { path: 'mcp-pkg', verdictRunId: gate.runId },
        });
        assert.equal(result.isError, true);
        assert.match(JSON.stringify(result.content), /cannot ask a person/);
      } finally {
        await remote.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('publishes a signed, scanned package to a prefix.dev channel after approval, and nothing unsigned', async () => {
    const token = 'pfx-test-token-0123456789';
    const prefix = await startPrefixUploadServer(token);
    const publishAsked: Elicited[] = [];
    const publisher = await approvingClient(
      [...serverArgs, '--publish-url', prefix.url, '--publish-channel', 'my-channel'],
      () => 'approve',
      publishAsked,
      { PREFIX_API_KEY: token },
    );
    try {
      const gate = structured<{ runId: string }>(
        await publisher.callTool({ name: 'gate_verdict', arguments: { path: 'mcp-pkg' } }),
      );
      const built = structured<{ artifacts: { file: string; sha256: string }[] }>(
        await publisher.callTool({ name: 'rattler_build', arguments: { path: 'mcp-pkg', verdictRunId: gate.runId } }),
      );
      const [artifact] = built.artifacts;
      assert.ok(artifact);
      const path = relative(root, artifact.file);
      const scan = structured<{ runId: string }>(
        await publisher.callTool({ name: 'artifact_scan', arguments: { path } }),
      );
      assert.match(
        refusal(await publisher.callTool({ name: 'publish_artifact', arguments: { path, verdictRunId: scan.runId } })),
        /not signed: no Sigstore bundle beside it/,
      );
      assert.equal(prefix.uploads.length, 0);
      structured(await publisher.callTool({ name: 'sign_artifact', arguments: { path, verdictRunId: scan.runId } }));
      publishAsked.length = 0;
      const published = structured<{ sha256: string; channel: string; attestation: string }>(
        await publisher.callTool({ name: 'publish_artifact', arguments: { path, verdictRunId: scan.runId } }),
      );
      assert.equal(published.attestation, 'signature');
      assert.equal(publishAsked.length, 1);
      assert.match(publishAsked[0]?.message ?? '', /publish .* to http:\/\/127\.0\.0\.1:\d+ channel my-channel/);
      assert.deepEqual(
        prefix.uploads.map((u) => [u.channel, u.filename, u.sha256]),
        [['my-channel', 'mcp-pkg-0.1.0-0.conda', artifact.sha256]],
      );
      assert.equal(
        JSON.parse(prefix.uploads[0]?.attestation ?? '{}').mediaType,
        'application/vnd.dev.sigstore.bundle.v0.3+json',
      );
    } finally {
      await publisher.close();
      await prefix.close();
    }
  });
});
