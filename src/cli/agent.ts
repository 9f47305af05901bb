/**
 * `cvebuild agent PATH`: the deterministic gate, then a model orchestrating the same tools, able
 * only to tighten. Exit 0 on PASS, 1 on HOLD or FAIL, 2 when it could not run (no model configured,
 * an unreachable endpoint, bad input). The transcript goes to the run directory.
 */
import { join, resolve } from 'node:path';
import { DEFAULT_MAX_STEPS, runAgent } from '../agent/loop.ts';
import { chooseModel, type ModelFlags } from '../agent/providers.ts';
import { terminalApprover } from '../agent/terminal-approver.ts';
import { DEFAULT_OUTPUT_DIR } from '../build/pipeline.ts';
import { CvebuildError } from '../errors.ts';
import { ToolHost } from '../mcp/host.ts';
import { toJson } from '../text/json.ts';
import { line, plainDocument } from '../text/plain.ts';
import { parseNow } from './audit.ts';
import { type SideEffectFlags, sideEffectOptions } from './side-effect-flags.ts';

export interface AgentCommandOptions extends ModelFlags, SideEffectFlags {
  build?: boolean;
  root?: string;
  db?: string;
  offline?: boolean;
  now?: string;
  maxSteps?: string;
  format?: 'text' | 'json';
}

export async function agentCommand(
  path: string,
  options: AgentCommandOptions,
): Promise<{ text: string; exitCode: 0 | 1 }> {
  const chosen = await chooseModel(options);
  const sideEffects = sideEffectOptions(options);
  if (options.build && !sideEffects)
    throw new CvebuildError(
      'USAGE',
      '--build needs --allow-side-effects (and how to build and sign: --build-command, --key or --sign keyless, --channel)',
    );
  const maxSteps = options.maxSteps === undefined ? DEFAULT_MAX_STEPS : Number(options.maxSteps);
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 200)
    throw new CvebuildError(
      'USAGE',
      `--max-steps: a whole number from 1 to 200, not ${JSON.stringify(options.maxSteps)}`,
    );
  const now = options.now ? parseNow(options.now) : undefined;
  const host = new ToolHost({
    root: options.root ?? process.cwd(),
    ...(options.db ? { db: options.db } : {}),
    offline: options.offline ?? false,
    ...(sideEffects ? { sideEffects } : {}),
    ...(now ? { clock: () => now } : {}),
  });
  try {
    const started = host.clock().toISOString().replace(/[:.]/g, '-');
    const runDir = join(resolve(options.outputDir ?? DEFAULT_OUTPUT_DIR), `agent-${started}`);
    const outcome = await runAgent({
      path,
      model: chosen.model,
      modelName: chosen.name,
      host,
      approver: terminalApprover,
      goal: options.build ? 'build' : 'review',
      transcriptFile: join(runDir, 'transcript.jsonl'),
      maxSteps,
    });
    const exitCode = outcome.verdict === 'PASS' ? 0 : 1;
    if (options.format === 'json') return { text: toJson({ ...outcome, model: chosen.name }), exitCode };
    const lines = [
      `verdict: ${outcome.verdict}${outcome.verdict !== outcome.deterministic ? ` (the gate said ${outcome.deterministic}; raised by ${outcome.escalations.length} escalation(s))` : ''}`,
      `gate run: ${outcome.gateRunId}`,
      ...outcome.escalations.map((e) => line`escalated: ${e.reason} (${e.findings.join(', ')})`),
      `model: ${chosen.name}, ${outcome.steps} step(s)`,
      `transcript: ${outcome.transcript}`,
      '',
      "the model's summary (its words, not the gate's):",
      plainDocument(outcome.summary.trim() || '(none)'),
    ];
    return { text: `${lines.join('\n')}\n`, exitCode };
  } finally {
    host.close();
  }
}
