/**
 * The flags that let a front door other than `cvebuild build` (the MCP server, the agent) build and
 * sign: off unless `--allow-side-effects` is given, and every setting the operator's, never a tool
 * argument a model could choose.
 */
import { resolve } from 'node:path';
import { DEFAULT_OUTPUT_DIR } from '../build/pipeline.ts';
import { CvebuildError } from '../errors.ts';
import type { SideEffectOptions } from '../mcp/host.ts';
import { PUBLISH_TOKEN_VARIABLE, type PublishTarget } from '../mcp/publish.ts';
import { DEFAULT_BUILD_TIMEOUT_S } from './build.ts';

export interface SideEffectFlags {
  allowSideEffects?: boolean;
  buildCommand?: string;
  passEnv?: string[];
  outputDir?: string;
  targetPlatform?: string;
  key?: string;
  sign?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  channel?: string;
  publishUrl?: string;
  publishChannel?: string;
}

// --output-dir is not here: the agent writes its transcripts there with or without side effects
const SIDE_EFFECT_FLAGS = [
  'buildCommand',
  'passEnv',
  'targetPlatform',
  'key',
  'sign',
  'channel',
  'publishUrl',
  'publishChannel',
] as const;

/** Build and sign exist only with --allow-side-effects; their settings are the operator's, never the model's. */
export function sideEffectOptions(options: SideEffectFlags): SideEffectOptions | undefined {
  if (!options.allowSideEffects) {
    const stray = SIDE_EFFECT_FLAGS.find((flag) => options[flag] !== undefined);
    if (stray)
      throw new CvebuildError('USAGE', `--${kebab(stray)} configures side effects: it needs --allow-side-effects`);
    return undefined;
  }
  if (options.sign !== undefined && options.sign !== 'keyless')
    throw new CvebuildError('USAGE', '--sign: only "keyless" is a mode (sign with a key through --key FILE)');
  if (options.sign && options.key) throw new CvebuildError('USAGE', '--sign keyless and --key: give one or the other');
  if ((options.key || options.sign) && !options.channel)
    throw new CvebuildError(
      'USAGE',
      `${options.key ? '--key' : '--sign keyless'} needs --channel: the channel URL the package is published to`,
    );
  const passEnv = options.passEnv ?? [];
  const bad = passEnv.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  if (bad !== undefined) throw new CvebuildError('USAGE', `--pass-env: not a variable name: ${JSON.stringify(bad)}`);
  const publish = publishTarget(options);
  return {
    ...(publish ? { publish } : {}),
    build: {
      ...(options.buildCommand ? { command: options.buildCommand } : {}),
      passEnv,
      timeoutMs: DEFAULT_BUILD_TIMEOUT_S * 1000,
    },
    outputDir: resolve(options.outputDir ?? DEFAULT_OUTPUT_DIR),
    targetPlatform: options.targetPlatform ?? 'noarch',
    sign: {
      ...(options.key ? { keyFile: resolve(options.key) } : {}),
      ...(options.sign === 'keyless'
        ? {
            keyless: {
              ...(options.identityToken ? { identityToken: options.identityToken } : {}),
              ...(options.fulcioUrl ? { fulcioUrl: options.fulcioUrl } : {}),
              ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
            },
          }
        : {}),
      ...(options.channel ? { channel: options.channel } : {}),
    },
  };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `--publish-url` and `--publish-channel` together, with the token from the environment (never a flag). */
function publishTarget(options: SideEffectFlags): PublishTarget | undefined {
  if (!options.publishUrl && !options.publishChannel) return undefined;
  if (!options.publishUrl || !options.publishChannel)
    throw new CvebuildError('USAGE', '--publish-url and --publish-channel go together');
  if (!options.channel)
    throw new CvebuildError('USAGE', '--publish-channel needs --channel: the channel URL the attestations name');
  let url: URL;
  try {
    url = new URL(options.publishUrl);
  } catch {
    throw new CvebuildError('USAGE', `--publish-url: not a URL: ${JSON.stringify(options.publishUrl)}`);
  }
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  )
    throw new CvebuildError(
      'USAGE',
      '--publish-url: https, or http to this machine only (a token travels with the upload)',
    );
  const token = process.env[PUBLISH_TOKEN_VARIABLE];
  if (!token) throw new CvebuildError('USAGE', `--publish-url needs the upload token in $${PUBLISH_TOKEN_VARIABLE}`);
  return { server: options.publishUrl, channel: options.publishChannel, channelUrl: options.channel, token };
}
