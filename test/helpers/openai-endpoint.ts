/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that plays a scripted model: each
 * request gets the next move, worked out from the messages it was sent (as a real model would see
 * them). Records every request, so tests can check what the model was shown and offered.
 */
import { createServer, type Server } from 'node:http';

export interface ChatRequest {
  model: string;
  messages: { role: string; content?: string | null; tool_calls?: unknown[] }[];
  tools?: { type: string; function: { name: string } }[];
}

export type EndpointMove = { calls: { tool: string; input: Record<string, unknown> }[] } | { text: string };

export interface ScriptedEndpoint {
  url: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

export async function startScriptedEndpoint(
  play: (request: ChatRequest, step: number) => EndpointMove,
): Promise<ScriptedEndpoint> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      const request = JSON.parse(body) as ChatRequest;
      requests.push(request);
      const move = play(request, requests.length - 1);
      const message =
        'text' in move
          ? { role: 'assistant', content: move.text }
          : {
              role: 'assistant',
              content: null,
              tool_calls: move.calls.map((call, index) => ({
                id: `call_${requests.length}_${index}`,
                type: 'function',
                function: { name: call.tool, arguments: JSON.stringify(call.input) },
              })),
            };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 1_764_000_000,
          model: request.model,
          choices: [{ index: 0, message, finish_reason: 'text' in move ? 'stop' : 'tool_calls' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The gate run id in the first user message. */
export function gateRunIn(request: ChatRequest): string {
  const text = request.messages.map((m) => m.content ?? '').join('\n');
  const match = /Gate run (run-[\w-]+)/.exec(text);
  if (!match?.[1]) throw new Error('no gate run in the prompt');
  return match[1];
}
