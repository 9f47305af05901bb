/**
 * A real MCP client (the SDK's) driving `cvebuild mcp` as a user's client would: over stdio, the
 * client spawns the executable; over HTTP, the test starts `cvebuild mcp --http` and connects to
 * the URL it prints, with the bearer token it was given.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const BIN = fileURLToPath(new URL('../../bin/cvebuild.js', import.meta.url));

/** A message as it came off the wire, before the SDK's handlers. */
export interface WireMessage {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
}

/**
 * Records every message the client receives, in wire order, before the SDK dispatches it. The SDK
 * runs notification handlers a microtask later but answers a response at once, and forgets a
 * call's progress handler with its response: progress that arrives in the same read as the result
 * never reaches `onprogress`. What the server sent is only visible here.
 */
export function recordWire(client: Client): WireMessage[] {
  const transport = client.transport;
  if (!transport) throw new Error('the client is not connected');
  const messages: WireMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    messages.push(message as WireMessage);
    deliver?.(message, extra);
  };
  return messages;
}

/** A client that cannot elicit (it declares no capabilities), as many hosts are. */
export async function stdioClient(args: string[], env: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'cvebuild-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', ...args],
      stderr: 'ignore',
      // the SDK passes a child only a few safe variables; anything else is given by name
      env: { ...(getDefaultEnvironment() as Record<string, string>), ...env },
    }),
  );
  return client;
}

export interface HttpServerProcess {
  url: string;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startHttpServer(
  args: string[],
  token = 'test-token-0123456789abcdef',
): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--http', ...args], {
    env: { ...process.env, CVEBUILD_MCP_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`cvebuild mcp --http exited ${code}: ${stderr}`)));
  });
  return {
    url,
    token,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A person's answer to an elicitation, for clients that can ask one. */
export type ElicitAnswer = (params: { message: string; requestedSchema?: unknown }) => {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, string | number | boolean>;
};

export async function httpClient(server: HttpServerProcess, elicit?: ElicitAnswer): Promise<Client> {
  const client = new Client(
    { name: 'cvebuild-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' }, ...(elicit ? { capabilities: { elicitation: { form: {} } } } : {}) },
  );
  if (elicit)
    client.setRequestHandler('elicitation/create', async (request) =>
      elicit(request.params as unknown as { message: string; requestedSchema?: unknown }),
    );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${server.token}` } },
    }),
  );
  return client;
}
