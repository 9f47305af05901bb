/**
 * The one module that knows the MCP SDK (v2, `@modelcontextprotocol/server`, which serves both the
 * 2025 and the 2026-07-28 protocol eras). It turns cvebuild's tool definitions into registrations,
 * a call's progress token and abort signal into `CallControl`, a thrown `CvebuildError` into a tool
 * error the model can read, and exposes each run's reports as resources. Changing SDK line means
 * changing this file only.
 */
import { createServer, type Server } from 'node:http';
import { localhostHostValidation, localhostOriginValidation, toNodeHandler } from '@modelcontextprotocol/node';
import {
  acceptedContent,
  createMcpHandler,
  type InputRequests,
  inputRequired,
  inputResponse,
  McpServer,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import { type StdioServerHandle, serveStdio } from '@modelcontextprotocol/server/stdio';
import { isCvebuildError } from '../errors.ts';
import { toJson } from '../text/json.ts';
import { type ApprovalAnswer, type ApprovalRequest, approvalMessage, approvalSchema, isApproval } from './approval.ts';
import type { ToolHost } from './host.ts';
import { REPORT_FORMATS, renderRunReport } from './reports.ts';
import type { ToolDefinition } from './tool.ts';

export const SERVER_NAME = 'cvebuild';

type ServerContext = Parameters<Parameters<McpServer['registerTool']>[2]>[1];

export type Era = 'legacy' | 'modern';

/** Thrown by an approval on a 2026-07-28 request that has no answer yet: the call returns `input_required`. */
class NeedsInput {
  readonly requests: InputRequests;
  constructor(requests: InputRequests) {
    this.requests = requests;
  }
}

/** A person may take minutes to answer; a cancelled call withdraws the question. */
const APPROVAL_TIMEOUT_MS = 10 * 60_000;

export function buildServer(host: ToolHost, tools: readonly ToolDefinition[], version: string, era: Era): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
      },
      // biome-ignore lint/suspicious/noExplicitAny: the SDK infers argument types per tool; ours are checked by the tool's own schema
      (async (args: any, ctx: ServerContext) => callTool(server, era, host, tool, args, ctx)) as never,
    );
  }
  server.registerResource(
    'run-report',
    new ResourceTemplate('cvebuild://runs/{runId}/report.{format}', {
      list: async () => ({
        resources: host.runs.list().flatMap((run) =>
          REPORT_FORMATS.map((format) => ({
            uri: `cvebuild://runs/${run.id}/report.${format}`,
            name: `${run.tool} ${run.target} (${format})`,
          })),
        ),
      }),
    }),
    { title: 'Run report', description: "A run's report: json, sarif or md" },
    async (uri, variables) => {
      const report = await renderRunReport(host, String(variables.runId), String(variables.format));
      return { contents: [{ uri: uri.href, mimeType: report.mimeType, text: report.text }] };
    },
  );
  return server;
}

async function approve(
  server: McpServer,
  era: Era,
  ctx: ServerContext,
  request: ApprovalRequest,
): Promise<ApprovalAnswer> {
  if (!server.server.getClientCapabilities()?.elicitation) return 'unsupported';
  const message = approvalMessage(request);
  const requestedSchema = approvalSchema(request);
  if (era === 'modern') {
    const view = inputResponse(ctx.mcpReq.inputResponses, 'approval');
    if (view.kind === 'missing') throw new NeedsInput({ approval: inputRequired.elicit({ message, requestedSchema }) });
    if (view.kind !== 'elicit' || view.action !== 'accept') return 'declined';
    return isApproval(acceptedContent(ctx.mcpReq.inputResponses, 'approval'), request) ? 'approved' : 'declined';
  }
  const answer = await ctx.mcpReq.elicitInput(
    { mode: 'form', message, requestedSchema },
    { timeout: APPROVAL_TIMEOUT_MS, signal: ctx.mcpReq.signal },
  );
  return answer.action === 'accept' && isApproval(answer.content, request) ? 'approved' : 'declined';
}

async function callTool(
  server: McpServer,
  era: Era,
  host: ToolHost,
  tool: ToolDefinition,
  args: unknown,
  ctx: ServerContext,
) {
  const token = ctx.mcpReq._meta?.progressToken;
  let last = 0;
  // sent in order, and all of them before the result: the spec wants none after completion
  let sent: Promise<void> = Promise.resolve();
  const progress = (done: number, total: number, message: string) => {
    // progress must increase; a notification that cannot be sent never fails the tool
    if (token === undefined || done <= last) return;
    last = done;
    const params = { progressToken: token, progress: done, total, message };
    sent = sent.then(() => ctx.mcpReq.notify({ method: 'notifications/progress', params })).catch(() => {});
  };
  try {
    const call = {
      host,
      signal: ctx.mcpReq.signal,
      progress,
      approve: (request: ApprovalRequest) => approve(server, era, ctx, request),
    };
    const output = await tool.run(args as never, call);
    await sent;
    const embedded = (await tool.embed?.(output as never, call)) ?? [];
    return {
      content: [
        { type: 'text' as const, text: toJson(output, { indent: 0 }) },
        ...embedded.map((resource) => ({ type: 'resource' as const, resource })),
      ],
      structuredContent: output,
    };
  } catch (error) {
    if (error instanceof NeedsInput) return inputRequired({ inputRequests: error.requests });
    if (ctx.mcpReq.signal.aborted) throw error;
    const message = isCvebuildError(error) ? error.toLine() : `${tool.name} could not run: ${(error as Error).message}`;
    return { content: [{ type: 'text' as const, text: message.split('\n', 1)[0] ?? message }], isError: true };
  }
}

export function serveOverStdio(factory: (era: Era) => McpServer): StdioServerHandle {
  return serveStdio(({ era }) => factory(era));
}

export interface HttpServing {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on 127.0.0.1 only: the Host and Origin checks stop DNS rebinding, and every
 * request must carry the bearer token (compared in constant time) before the MCP handler sees it.
 */
export async function serveOverHttp(
  factory: (era: Era) => McpServer,
  options: { port: number; token: string },
): Promise<HttpServing> {
  const { timingSafeEqual } = await import('node:crypto');
  const handler = createMcpHandler(({ era }) => factory(era));
  const node = toNodeHandler(handler);
  const validHost = localhostHostValidation();
  const validOrigin = localhostOriginValidation();
  const expected = Buffer.from(`Bearer ${options.token}`);
  const server = createServer((req, res) => {
    if (!validHost(req, res) || !validOrigin(req, res)) return;
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('a bearer token is required\n');
      return;
    }
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('the MCP endpoint is /mcp\n');
      return;
    }
    void node(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      await handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
