/**
 * cvebuild's own secret detectors: the formats secretlint's preset lacks (PyPI, anaconda.org,
 * prefix.dev, conda channel tokens, credentials in index/channel URLs, .env files) and stricter or
 * broader versions of some it has (OpenAI / Hugging Face lengths, AWS secrets before `/`/`+`, GitHub
 * checksums, encrypted and PGP private keys). Each is wrapped as a secretlint rule (`creatorOf` in scan.ts).
 * Every regex is anchored on a literal prefix or keyword and has bounded quantifiers.
 */
import { anthropicApiKey, huggingfaceToken, openaiApiKey } from './ai.ts';
import { awsAccessKeyId, awsSecretAccessKey } from './cloud.ts';
import { dotenvSecret } from './dotenv.ts';
import { privateKey } from './private-keys.ts';
import { anacondaToken, condaChannelToken, prefixDevToken, pypiToken } from './registries.ts';
import type { Detector } from './shared.ts';
import { urlCredentials } from './urls.ts';
import { githubToken } from './vcs.ts';

export type { Detector };

/** Our detectors, in the order they run. */
export const DETECTORS: readonly Detector[] = [
  pypiToken,
  githubToken,
  awsAccessKeyId,
  awsSecretAccessKey,
  openaiApiKey,
  anthropicApiKey,
  huggingfaceToken,
  privateKey,
  prefixDevToken,
  anacondaToken,
  condaChannelToken,
  urlCredentials,
  dotenvSecret,
];
