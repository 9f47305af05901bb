/**
 * The model the agent talks to: any OpenAI-compatible endpoint (LM Studio, Ollama, vLLM, a hosted
 * one) or Anthropic's API. Keys come from the environment only, never from a flag (a flag would
 * land in shell history and process listings).
 */
import type { LanguageModel } from 'ai';
import { CvebuildError } from '../errors.ts';
import { withoutCredentials } from '../text/credentials.ts';

export interface ModelFlags {
  modelUrl?: string;
  model?: string;
  anthropicModel?: string;
  anthropicUrl?: string;
}

export interface ChosenModel {
  model: LanguageModel;
  /** For the transcript and the report: endpoint and model, no key. */
  name: string;
}

export const MODEL_KEY_VARIABLE = 'CVEBUILD_MODEL_API_KEY';

const NO_MODEL = `no model configured: give --model-url URL --model NAME for an OpenAI-compatible endpoint (LM Studio http://localhost:1234/v1, Ollama http://localhost:11434/v1, vLLM http://localhost:8000/v1), or --anthropic-model NAME with $ANTHROPIC_API_KEY`;

export async function chooseModel(flags: ModelFlags, env: NodeJS.ProcessEnv = process.env): Promise<ChosenModel> {
  const url = flags.modelUrl ?? env.CVEBUILD_MODEL_URL;
  const name = flags.model ?? env.CVEBUILD_MODEL;
  if (flags.anthropicModel) {
    if (url || flags.model)
      throw new CvebuildError('USAGE', '--anthropic-model and --model-url/--model: give one model');
    const apiKey = env.ANTHROPIC_API_KEY;
    if (!apiKey) throw new CvebuildError('USAGE', '--anthropic-model needs $ANTHROPIC_API_KEY');
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    const provider = createAnthropic({
      apiKey,
      ...(flags.anthropicUrl ? { baseURL: checkedUrl(flags.anthropicUrl, '--anthropic-url') } : {}),
    });
    return { model: provider(flags.anthropicModel), name: `anthropic ${flags.anthropicModel}` };
  }
  if (!url && !name) throw new CvebuildError('USAGE', NO_MODEL);
  if (!url)
    throw new CvebuildError('USAGE', '--model needs --model-url (or $CVEBUILD_MODEL_URL): the endpoint serving it');
  if (!name) throw new CvebuildError('USAGE', '--model-url needs --model (or $CVEBUILD_MODEL): the model to use');
  const baseURL = checkedUrl(url, '--model-url');
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  const apiKey = env[MODEL_KEY_VARIABLE];
  const provider = createOpenAICompatible({ name: 'openai-compatible', baseURL, ...(apiKey ? { apiKey } : {}) });
  return { model: provider(name), name: `${withoutCredentials(baseURL)} ${name}` };
}

function checkedUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CvebuildError('USAGE', `${flag}: not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CvebuildError('USAGE', `${flag}: an http(s) URL, not ${url.protocol}`);
  return text.replace(/\/+$/, '');
}
