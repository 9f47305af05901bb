/**
 * The tools as a client sees them (names, descriptions, schemas, annotations), pinned: a change to
 * what the model is told is a reviewed change (`node --test --test-update-snapshots` rewrites the
 * snapshot, and the diff shows in review). Descriptions are static text, never built from data.
 */
import { after, before, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { stdioClient } from '../../helpers/mcp.ts';
import { tempDirectory } from '../../helpers/temp.ts';

let client: Client;
before(async () => {
  client = await stdioClient(['--root', tempDirectory(), '--offline']);
});
after(() => client.close());

it('lists the tools exactly as reviewed', async (t) => {
  const { tools } = await client.listTools();
  t.assert.snapshot(tools);
});

it('lists the side-effecting tools exactly as reviewed, when the operator allows them', async (t) => {
  const operator = await stdioClient(['--root', tempDirectory(), '--offline', '--allow-side-effects']);
  try {
    const { tools } = await operator.listTools();
    t.assert.snapshot(tools.filter((tool) => tool.annotations?.readOnlyHint === false));
  } finally {
    await operator.close();
  }
});
