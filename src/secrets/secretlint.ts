/**
 * secretlint's core (`lintSource`) running the rules the prefilter selected for a text: rules of the
 * recommended preset (AWS with `enableIDScanRule`) and cvebuild's detectors wrapped as secretlint
 * rules. Loading secretlint and its preset takes ~40 ms, so `scan.ts` imports this module only for
 * a text that selects a rule: most texts of a project (locks, digests, source without tokens) never
 * need it.
 */
import { extname } from 'node:path';
import { lintSource } from '@secretlint/core';
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig, SecretLintRuleCreator } from '@secretlint/types';
import type { Anchors, Detection } from './detection.ts';
import type { Detector } from './detectors/index.ts';
import { PRESET_PREFIX, presetDetection, tabledPresetRule } from './preset.ts';

/** A detection and who made it: our detector, or a preset rule (its secretlint id). */
export interface Found {
  detection: Detection;
  secretlintRule?: string;
}

export interface PresetEntry {
  /** secretlint's rule id (`@secretlint/secretlint-rule-github`). */
  id: string;
  creator: SecretLintRuleCreator;
  anchors: Anchors;
  options: Record<string, unknown>;
}

/** secretlint's comment filter is left out: suppressions are the caller's (`src/code/suppress.ts`), which keeps suppressed hits as accepted. */
const LEFT_OUT = new Set([`${PRESET_PREFIX}filter-comments`]);

/**
 * The installed preset's rules with their anchors. A rule the table does not know (a newer preset)
 * always runs (no anchors = never skipped) and maps to `secretlint-other`.
 */
export const PRESET_RULES: readonly PresetEntry[] = (presetRules as unknown as SecretLintRuleCreator[])
  .filter((creator) => !LEFT_OUT.has(creator.meta.id))
  .map((creator) => {
    const id = creator.meta.id;
    const known = tabledPresetRule(id);
    return {
      id,
      creator,
      anchors: known?.anchors ?? { pattern: /[\s\S]/ },
      options: known?.options ?? {},
    };
  });

const OURS = 'cvebuild/';

const messages = {
  FOUND: { en: (props?: Detection) => `found ${props?.rule ?? 'secret'}` },
};

function creatorOf(detector: Detector): SecretLintRuleCreator {
  return {
    messages,
    meta: {
      id: `${OURS}${detector.id}`,
      recommended: true,
      type: 'scanner',
      supportedContentTypes: ['text'],
    },
    create(context) {
      const t = context.createTranslator(messages);
      return {
        file(source) {
          for (const detection of detector.detect(source.content, source.filePath ?? '')) {
            context.report({ message: t('FOUND', detection), range: [detection.start, detection.end] });
          }
        },
      };
    },
  };
}

const creators = new Map<Detector, SecretLintRuleCreator>();

function creatorFor(detector: Detector): SecretLintRuleCreator {
  let creator = creators.get(detector);
  if (!creator) {
    creator = creatorOf(detector);
    creators.set(detector, creator);
  }
  return creator;
}

const configs = new Map<string, SecretLintCoreConfig>();

/** The secretlint config running the given rules (cached by selection: texts mostly share a few). */
function configFor(preset: readonly PresetEntry[], ours: readonly Detector[]): SecretLintCoreConfig {
  const key = `${preset.map((entry) => entry.id).join(',')}|${ours.map((detector) => detector.id).join(',')}`;
  let config = configs.get(key);
  if (!config) {
    config = {
      rules: [
        ...preset.map((entry) => ({ id: entry.id, rule: entry.creator, options: entry.options })),
        ...ours.map((detector) => {
          const creator = creatorFor(detector);
          return { id: creator.meta.id, rule: creator };
        }),
      ],
    };
    configs.set(key, config);
  }
  return config;
}

/**
 * The detections of the given rules on a text, before de-duplication: the preset's (by secretlint
 * id, run in the preset's order) and our detectors (in the order given).
 */
export async function lintText(
  path: string,
  content: string,
  presetIds: ReadonlySet<string>,
  ours: readonly Detector[],
): Promise<Found[]> {
  const preset = PRESET_RULES.filter((entry) => presetIds.has(entry.id));
  if (preset.length === 0 && ours.length === 0) return [];
  const result = await lintSource({
    source: { filePath: path, content, contentType: 'text', ext: extname(path) },
    options: { config: configFor(preset, ours), noPhysicFilePath: true, locale: 'en' },
  });
  const found: Found[] = [];
  for (const message of result.messages) {
    if (message.ruleId.startsWith(OURS)) {
      if (message.data) found.push({ detection: message.data as Detection });
      continue;
    }
    const detection = presetDetection(message, content);
    if (detection) found.push({ detection, secretlintRule: message.ruleId });
  }
  return found;
}
