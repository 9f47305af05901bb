/**
 * A tool as cvebuild defines it, apart from any MCP SDK: a static description (never built from
 * data, and pinned by a snapshot test), input and output schemas, annotations that say truthfully
 * what it does, and a handler that calls the engine through the host. The adapter (`sdk.ts`)
 * turns these into the SDK's registrations; the built-in agent loop calls the same handlers.
 */
import { z } from 'zod';
import type { ApprovalAnswer, ApprovalRequest } from './approval.ts';
import type { CallControl, ToolHost } from './host.ts';

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a handler gets besides its arguments: the host, and the call's progress and cancellation. */
export interface ToolCall extends CallControl {
  host: ToolHost;
  /** Asks the person at the client to approve this exact side effect (see approval.ts). */
  approve(request: ApprovalRequest): Promise<ApprovalAnswer>;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run(args: z.infer<I>, call: ToolCall): Promise<z.infer<O>>;
  /** Documents to embed in the result besides its JSON (a report, an SBOM). */
  embed?(output: z.infer<O>, call: ToolCall): Promise<EmbeddedDocument[]>;
}

export interface EmbeddedDocument {
  uri: string;
  mimeType: string;
  text: string;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  definition: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return definition;
}

/** Reads and computes, changes nothing, and asks nothing of the network. */
export const LOCAL_READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** Changes the world: runs build scripts, signs in a public log, uploads. Every one needs approval. */
export const SIDE_EFFECT: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

/** Reads only, but may look things up online (attestation sidecars, Rekor, upload times). */
export const ONLINE_READ: ToolAnnotations = { ...LOCAL_READ, openWorldHint: true };

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown', 'info'] as const;

export const pathInput = z
  .string()
  .min(1)
  .max(4096)
  .describe("A project directory, lock file, manifest, recipe or package archive, inside the server's root");

export const verdictSchema = z
  .enum(['PASS', 'HOLD', 'FAIL'])
  .describe('PASS < HOLD < FAIL; HOLD only ever comes from an escalation, which can raise and never lower');

export const checkRunSchema = z.object({
  id: z.string(),
  status: z.enum(['ok', 'failed', 'skipped', 'aborted']),
  reason: z.string().optional(),
});

export const runSummarySchema = z.object({
  runId: z.string().describe('Handle for get_findings and final_report'),
  tool: z.string(),
  target: z.string(),
  digest: z.string().describe('sha256 of the input files the verdict is bound to'),
  verdict: verdictSchema,
  packages: z.number().int(),
  findings: z.number().int(),
  blocking: z.number().int(),
  bySeverity: z.object(
    Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int()])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodNumber
    >,
  ),
  checks: z
    .array(checkRunSchema)
    .describe('Every check selected and how it ran: nothing found is not the same as not looked at'),
});
