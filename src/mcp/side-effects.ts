/**
 * The tools that change the world, registered only when the server was started with
 * `--allow-side-effects`. Each one needs a PASS run of the same bytes (re-hashed now) and then a
 * fresh approval from the person at the client for that digest; a client that cannot ask is refused.
 * Nothing the model passes can stand in for either.
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { runBuild } from '../build/pipeline.ts';
import { threatDataStamp } from '../build/threat-data-stamp.ts';
import { STAGE_NAMES } from '../build/types.ts';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import type { ApprovalRequest } from './approval.ts';
import type { SideEffectOptions } from './host.ts';
import { checkBundle, uploadToPrefix } from './publish.ts';
import { defineTool, pathInput, SIDE_EFFECT, type ToolCall, type ToolDefinition } from './tool.ts';

const verdictRunId = z.string().describe('The PASS run (gate_verdict or artifact_scan) of this same path');

async function approved(call: ToolCall, request: ApprovalRequest): Promise<void> {
  const answer = await call.approve(request);
  if (answer === 'approved') return;
  throw new CvebuildError(
    'USAGE',
    answer === 'unsupported'
      ? `not done: this client cannot ask a person to approve a ${request.action}; run the cvebuild command instead`
      : `not done: the ${request.action} of ${request.target} was not approved`,
  );
}

/** The PASS run it rests on, and its digest, which must still be the input's. */
async function judged(call: ToolCall, path: string, runId: string, tools: string[]): Promise<string> {
  const run = call.host.passingRun(runId, path, tools);
  const digest = await call.host.currentDigest(path);
  if (digest !== run.digest)
    throw new CvebuildError(
      'USAGE',
      `changed since run ${runId} judged it (sha256 ${run.digest}, now ${digest}): judge it again`,
      { file: path },
    );
  return digest;
}

/** The verdict it rests on, its digest still the input's, and the person's yes: in that order. */
async function authorise(call: ToolCall, action: string, path: string, runId: string, tools: string[]) {
  const digest = await judged(call, path, runId, tools);
  await approved(call, { action, target: path, digest, verdictRunId: runId });
  return { digest };
}

function sideEffects(call: ToolCall): SideEffectOptions {
  const options = call.host.sideEffects;
  if (!options) throw new CvebuildError('USAGE', 'side effects are off on this server (--allow-side-effects)');
  return options;
}

export const rattlerBuild = defineTool({
  name: 'rattler_build',
  title: 'Build a recipe',
  description:
    "Builds a recipe through cvebuild's pipeline (checks, the builder, a scan of the artifacts, SBOM). Runs build scripts, so it needs a PASS gate_verdict of this recipe directory, unchanged since, and a person's approval at the client for its sha256.",
  input: z.object({ path: pathInput, verdictRunId }),
  output: z.object({
    runDir: z.string(),
    outcome: z.enum(['pass', 'fail']),
    digest: z.string(),
    stages: z.array(z.object({ stage: z.string(), outcome: z.string(), findings: z.number().int() })),
    artifacts: z.array(z.object({ file: z.string(), sha256: z.string() })),
  }),
  annotations: SIDE_EFFECT,
  async run({ path, verdictRunId: runId }, call) {
    const options = sideEffects(call);
    const { digest } = await authorise(call, 'build', path, runId, ['gate_verdict']);
    const recipeDir = call.host.resolvePath(path);
    const build = await runBuild({
      recipeDir,
      outputDir: options.outputDir,
      build: options.build,
      // requirements are audited as written or from a pixi.lock beside the recipe; no solve from here yet
      channels: [],
      // signing is its own approved step (sign_artifact)
      sign: {},
      targetPlatform: options.targetPlatform,
      engine: call.host.engine,
      policy: call.host.policyFor(path),
      offline: call.host.offline,
      now: call.host.clock(),
      inputs: { db: threatDataStamp(call.host.db), policy: null },
      onEvent: (event) => {
        if (event.type === 'stage-end')
          call.progress(stageIndex(event.stage), STAGE_NAMES.length, `${event.stage}: ${event.outcome}`);
      },
    });
    const artifacts = build.stages.find((record) => record.stage === 'build')?.details?.artifacts;
    return {
      runDir: build.runDir,
      outcome: build.outcome,
      digest,
      stages: build.stages.map((record) => ({
        stage: record.stage,
        outcome: record.outcome,
        findings: record.findings.length,
      })),
      artifacts: Array.isArray(artifacts) ? (artifacts as { file: string; sha256: string }[]) : [],
    };
  },
});

function stageIndex(stage: string): number {
  return (STAGE_NAMES as readonly string[]).indexOf(stage) + 1;
}

export const signArtifact = defineTool({
  name: 'sign_artifact',
  title: 'Sign an artifact',
  description:
    "Signs a built package (.conda, .tar.bz2) with a CEP-27 attestation, keyed or keyless as the server's operator configured; a keyless signature is logged publicly and for good in Rekor. Needs a PASS artifact_scan of this file, unchanged since, and a person's approval at the client for its sha256.",
  input: z.object({ path: pathInput, verdictRunId }),
  output: z.object({
    artifact: z.string(),
    sha256: z.string(),
    bundle: z.string().describe('The Sigstore bundle written beside the artifact'),
    mode: z.enum(['keyed', 'keyless']),
    logIndex: z.string().optional(),
  }),
  annotations: SIDE_EFFECT,
  async run({ path, verdictRunId: runId }, call) {
    const { sign } = sideEffects(call);
    if (!sign.channel || (!sign.keyFile && !sign.keyless))
      throw new CvebuildError(
        'USAGE',
        'signing is not configured on this server (--key FILE or --sign keyless, with --channel)',
      );
    const { digest } = await authorise(call, 'sign', path, runId, ['artifact_scan']);
    const file = call.host.resolvePath(path);
    const how = sign.keyFile
      ? { keyed: { privateKeyPem: readTextInput(sign.keyFile) } }
      : { keyless: sign.keyless ?? {} };
    const { signArtifact: signFile } = await import('../attest/sign.ts');
    const signed = await signFile(file, { channel: sign.channel, ...how });
    const bundle = `${file}.sigstore.json`;
    writeFileSync(bundle, `${JSON.stringify(signed.bundle)}\n`);
    return {
      artifact: path,
      sha256: digest,
      bundle,
      mode: sign.keyFile ? ('keyed' as const) : ('keyless' as const),
      ...(signed.logIndex !== undefined ? { logIndex: String(signed.logIndex) } : {}),
    };
  },
});

export const publishArtifact = defineTool({
  name: 'publish_artifact',
  title: 'Publish an artifact',
  description:
    "Uploads a signed package (.conda, .tar.bz2) with its attestation to the prefix.dev channel the server's operator configured. Needs a PASS artifact_scan of this file, unchanged since, its Sigstore bundle about these exact bytes, and a person's approval at the client for its sha256.",
  input: z.object({ path: pathInput, verdictRunId }),
  output: z.object({
    artifact: z.string(),
    sha256: z.string(),
    channel: z.string(),
    url: z.string(),
    attestation: z
      .enum(['signature', 'statement'])
      .describe(
        'signature: verified with the server key; statement: its subject checked, the certificate left to the channel',
      ),
  }),
  annotations: SIDE_EFFECT,
  async run({ path, verdictRunId: runId }, call) {
    const { publish, sign } = sideEffects(call);
    if (!publish || !sign.channel)
      throw new CvebuildError(
        'USAGE',
        'publishing is not configured on this server (--publish-url, --publish-channel, --channel and $PREFIX_API_KEY)',
      );
    const file = call.host.resolvePath(path);
    const digest = await judged(call, path, runId, ['artifact_scan']);
    // the signature must be about these bytes before anyone is asked to send them
    const bundle = checkBundle(file, digest, sign.channel, sign.keyFile);
    await approved(call, {
      action: 'publish',
      target: `${path} to ${publish.server} channel ${publish.channel}`,
      digest,
      verdictRunId: runId,
    });
    const uploaded = await uploadToPrefix(file, digest, bundle.bundleFile, publish, call.signal);
    return {
      artifact: path,
      sha256: digest,
      channel: publish.channel,
      url: uploaded.url,
      attestation: bundle.verified,
    };
  },
});

export const SIDE_EFFECT_TOOLS: ToolDefinition[] = [
  rattlerBuild as unknown as ToolDefinition,
  signArtifact as unknown as ToolDefinition,
  publishArtifact as unknown as ToolDefinition,
];
