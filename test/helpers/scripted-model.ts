/**
 * A scripted language model (the AI SDK's MockLanguageModelV4) that plays a part: each step it
 * sees what a real model would see (the system text, the prompt, the tool results so far) and
 * answers with tool calls or text, so tests can drive the real agent loop deterministically.
 */
import { MockLanguageModelV4 } from 'ai/test';

export interface ModelView {
  step: number;
  /** Every text the model was shown (system, user, and tool results as JSON), in order. */
  seen: string;
  /** Tool results so far, newest last. */
  results: { tool: string; output: unknown }[];
}

export type ModelMove = { calls: { tool: string; input: Record<string, unknown> }[] } | { text: string };

const USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 10, text: 10, reasoning: undefined },
};

export function scriptedModel(play: (view: ModelView) => ModelMove): MockLanguageModelV4 {
  let step = 0;
  return new MockLanguageModelV4({
    doGenerate: async (options) => {
      const results: ModelView['results'] = [];
      const seen: string[] = [];
      for (const message of options.prompt) {
        if (typeof message.content === 'string') {
          seen.push(message.content);
          continue;
        }
        for (const part of message.content as {
          type: string;
          text?: string;
          toolName?: string;
          output?: { value?: unknown };
        }[]) {
          if (part.type === 'text' && part.text) seen.push(part.text);
          if (part.type === 'tool-result') {
            results.push({ tool: String(part.toolName), output: part.output?.value });
            seen.push(JSON.stringify(part.output?.value));
          }
        }
      }
      const move = play({ step: step++, seen: seen.join('\n'), results });
      const content =
        'text' in move
          ? [{ type: 'text' as const, text: move.text }]
          : move.calls.map((call, index) => ({
              type: 'tool-call' as const,
              toolCallId: `call-${step}-${index}`,
              toolName: call.tool,
              input: JSON.stringify(call.input),
            }));
      return {
        content,
        finishReason: { unified: 'text' in move ? ('stop' as const) : ('tool-calls' as const), raw: undefined },
        usage: USAGE,
        warnings: [],
      };
    },
  });
}

/** The gate run id the agent's first prompt names. */
export function gateRunOf(seen: string): string {
  const match = /Gate run (run-[\w-]+)/.exec(seen);
  if (!match?.[1]) throw new Error('the prompt names no gate run');
  return match[1];
}
