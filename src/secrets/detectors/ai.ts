/** AI service keys: OpenAI, Anthropic, Hugging Face. */
import type { Detection } from '../detection.ts';
import { type Detector, token, tokenLike } from './shared.ts';

// ---------------------------------------------------------------------------------------------
// OpenAI: project (`sk-proj-`), service account (`sk-svcacct-`) and admin (`sk-admin-`) keys are the
// prefix + a long base64url body (≈ 150 characters today, with `T3BlbkFJ` = base64("OpenAI") in the
// middle); legacy user keys are `sk-` + 20 + `T3BlbkFJ` + 20. The preset only accepts exact lengths.

const OPENAI_SCOPED = /(?<![A-Za-z0-9_-])sk-(proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}(?![A-Za-z0-9_-])/g;
const OPENAI_LEGACY =
  /(?<![A-Za-z0-9_-])sk-(?!ant-|proj-|svcacct-|admin-)[A-Za-z0-9_-]{8,120}T3BlbkFJ[A-Za-z0-9_-]{8,120}(?![A-Za-z0-9_-])/g;

export const openaiApiKey: Detector = {
  id: 'openai-api-key',
  anchors: { literals: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'T3BlbkFJ'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(OPENAI_SCOPED)) {
      const prefix = `sk-${match[1]}-`;
      if (!tokenLike(match[0].slice(prefix.length))) continue;
      found.push(
        token('openai-api-key', match.index, match[0], {
          kind: `${match[1]}-key`,
          prefix,
          confidence: match[0].includes('T3BlbkFJ') ? 'high' : 'medium',
        }),
      );
    }
    for (const match of content.matchAll(OPENAI_LEGACY)) {
      if (!tokenLike(match[0].slice(3))) continue;
      found.push(
        token('openai-api-key', match.index, match[0], { kind: 'user-key', prefix: 'sk-', confidence: 'high' }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// Anthropic: `sk-ant-api03-` (API keys), `sk-ant-admin01-` (admin keys) + ~95 base64url characters
// ending in `AA`. The `AA` is not required here (a truncated or reformatted key is still a key).

const ANTHROPIC = /(?<![A-Za-z0-9_-])sk-ant-(api|admin|oat)(\d{2})-[A-Za-z0-9_-]{32,200}(?![A-Za-z0-9_-])/g;

export const anthropicApiKey: Detector = {
  id: 'anthropic-api-key',
  anchors: { literals: ['sk-ant-'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(ANTHROPIC)) {
      const prefix = `sk-ant-${match[1]}${match[2]}-`;
      if (!tokenLike(match[0].slice(prefix.length))) continue;
      found.push(
        token('anthropic-api-key', match.index, match[0], {
          kind: match[1] === 'admin' ? 'admin-key' : match[1] === 'oat' ? 'oauth-token' : 'api-key',
          prefix,
          confidence: match[0].endsWith('AA') ? 'high' : 'medium',
        }),
      );
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// Hugging Face: `hf_` + 34 base62 characters (the preset accepts letters only).

const HUGGINGFACE = /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34}(?![A-Za-z0-9_])/g;

export const huggingfaceToken: Detector = {
  id: 'huggingface-token',
  anchors: { literals: ['hf_'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(HUGGINGFACE)) {
      if (!tokenLike(match[0].slice(3))) continue;
      found.push(
        token('huggingface-token', match.index, match[0], {
          kind: 'user-access-token',
          prefix: 'hf_',
          confidence: 'high',
        }),
      );
    }
    return found;
  },
};
