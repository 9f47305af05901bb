/** `resolve_deps` through a real MCP client: a lock read as it is, and a recipe dry-run solved against a loopback channel. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { type ChannelServer, serveChannel, writeChannel } from '../../helpers/conda-channel.ts';
import { stdioClient } from '../../helpers/mcp.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

interface Resolved {
  packages: number;
  digest: string;
  byEcosystem: Record<string, number>;
  solved?: { environment: string; packages: number; records: { name: string; version: string }[] }[];
}

describe('resolve_deps', () => {
  const root = tempDirectory();
  mkdirSync(join(root, 'gateway'));
  for (const file of ['pixi.toml', 'pixi.lock'])
    copyFileSync(join(projectRoot, 'examples/litellm-compromise', file), join(root, 'gateway', file));
  mkdirSync(join(root, 'tool'));
  writeFileSync(
    join(root, 'tool/recipe.yaml'),
    'package:\n  name: tool\n  version: 1.0.0\n\nbuild:\n  noarch: generic\n\nrequirements:\n  host:\n    - libcore >=1.2\n  run:\n    - libcore\n',
  );
  let channel: ChannelServer;
  let client: Client;
  before(async () => {
    channel = await serveChannel(
      writeChannel([
        { name: 'libcore', version: '1.1' },
        { name: 'libcore', version: '1.4', depends: ['zlib >=1.3'] },
        { name: 'zlib', version: '1.3.1' },
      ]),
      'chan',
    );
    client = await stdioClient(['--root', root]);
  });
  after(async () => {
    await client.close();
    await channel.close();
  });

  it('reads a lock as it is', async () => {
    const result = await client.callTool({ name: 'resolve_deps', arguments: { path: 'gateway' } });
    const resolved = result.structuredContent as Resolved;
    assert.equal(resolved.packages, 27);
    assert.deepEqual(Object.keys(resolved.byEcosystem).sort(), ['conda', 'pypi']);
    assert.equal(resolved.solved, undefined);
  });

  it('dry-run solves a recipe against a channel, writing nothing', async () => {
    const before = readdirSync(join(root, 'tool'));
    const result = await client.callTool({
      name: 'resolve_deps',
      arguments: { path: 'tool', channels: [channel.channel] },
    });
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    const resolved = result.structuredContent as Resolved;
    const host = resolved.solved?.find((environment) => environment.environment === 'host');
    assert.deepEqual(host?.records.map((r) => `${r.name} ${r.version}`).sort(), ['libcore 1.4', 'zlib 1.3.1']);
    assert.deepEqual(readdirSync(join(root, 'tool')), before);
  });

  it('names an unsatisfiable requirement as a tool error', async () => {
    writeFileSync(
      join(root, 'tool/recipe.yaml'),
      'package:\n  name: tool\n  version: 1.0.0\n\nrequirements:\n  host:\n    - libcore >=9\n',
    );
    const result = await client.callTool({
      name: 'resolve_deps',
      arguments: { path: 'tool', channels: [channel.channel] },
    });
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /cannot solve \\"libcore >=9\\"/);
  });
});
