/**
 * `cvebuild mcp`: the pipeline's tools for MCP clients. stdio by default (the client starts the
 * server and owns its lifetime); `--http` serves streamable HTTP on 127.0.0.1 with a bearer token.
 * stdout is the protocol channel on stdio, so everything said to a person goes to stderr.
 */
import { randomBytes } from 'node:crypto';
import { CvebuildError } from '../errors.ts';
import { ToolHost } from '../mcp/host.ts';
import { buildServer, type Era, serveOverHttp, serveOverStdio } from '../mcp/sdk.ts';
import { SIDE_EFFECT_TOOLS } from '../mcp/side-effects.ts';
import { TOOLS } from '../mcp/tools.ts';
import { TOOL } from '../report/report.ts';
import { parseNow } from './audit.ts';
import { type SideEffectFlags, sideEffectOptions } from './side-effect-flags.ts';

export interface McpCommandOptions extends SideEffectFlags {
  http?: boolean;
  port?: string;
  root?: string;
  db?: string;
  offline?: boolean;
  now?: string;
}

export const TOKEN_VARIABLE = 'CVEBUILD_MCP_TOKEN';

export async function mcpCommand(options: McpCommandOptions): Promise<void> {
  const port = parsePort(options.port);
  if (port !== undefined && !options.http) throw new CvebuildError('USAGE', '--port needs --http');
  const now = options.now ? parseNow(options.now) : undefined;
  const sideEffects = sideEffectOptions(options);
  const host = new ToolHost({
    ...(sideEffects ? { sideEffects } : {}),
    ...(options.root ? { root: options.root } : {}),
    ...(options.db ? { db: options.db } : {}),
    offline: options.offline ?? false,
    ...(now ? { clock: () => now } : {}),
  });
  const tools = sideEffects ? [...TOOLS, ...SIDE_EFFECT_TOOLS] : TOOLS;
  const factory = (era: Era) => buildServer(host, tools, TOOL.version, era);
  try {
    if (options.http) await serveHttp(factory, port ?? 0);
    else await serveStdio(factory);
  } finally {
    host.close();
  }
}

async function serveStdio(factory: Parameters<typeof serveOverStdio>[0]): Promise<void> {
  const handle = serveOverStdio(factory);
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await handle.close();
}

async function serveHttp(factory: Parameters<typeof serveOverStdio>[0], port: number): Promise<void> {
  const given = process.env[TOKEN_VARIABLE];
  const token = given && given.length >= 16 ? given : randomBytes(24).toString('base64url');
  if (given && given.length < 16)
    throw new CvebuildError('USAGE', `$${TOKEN_VARIABLE}: a token of at least 16 characters`);
  const serving = await serveOverHttp(factory, { port, token });
  process.stderr.write(`cvebuild mcp: serving ${serving.url}\n`);
  if (!given) process.stderr.write(`cvebuild mcp: bearer token (set $${TOKEN_VARIABLE} to choose one): ${token}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await serving.close();
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new CvebuildError('USAGE', `--port: not a port: ${JSON.stringify(text)}`);
  return port;
}
