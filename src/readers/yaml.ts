/**
 * YAML loading for lock files, environment files and recipes.
 *
 * Version-like scalars must stay text: `version: 1.10` is the string "1.10", not the number 1.1.
 * The schema is YAML 1.2 core with implicit floats switched off and integers limited to their
 * canonical decimal form (so `010` and `1_000` stay text too). Aliases are refused in
 * machine-written files and bounded elsewhere, so an alias bomb cannot expand.
 */
import type { Schema } from 'js-yaml';
import { CvebuildError } from '../errors.ts';
import { jsYaml } from './js-yaml.ts';
import { type ChunkOptions, loadLockInPieces } from './lock-list-chunks.ts';
import { loadLockSubset } from './lock-yaml-subset.ts';

const CANONICAL_INT = /^-?(?:0|[1-9][0-9]*)$/;

let textPreserving: Schema | undefined;
let lock: Schema | undefined;

/** YAML 1.2 core, except that version-like plain scalars stay strings. */
export function textPreservingSchema(): Schema {
  if (textPreserving) return textPreserving;
  const yaml = jsYaml();
  const { CORE_SCHEMA, defineScalarTag, floatCoreTag, intCoreTag } = yaml;
  const canonicalIntTag = defineScalarTag<number>(intCoreTag.tagName, {
    implicit: true,
    implicitFirstChars: ['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    resolve: (source, isExplicit) => {
      if (isExplicit) return intCoreTag.resolve(source, true, intCoreTag.tagName);
      if (!CANONICAL_INT.test(source)) return yaml.NOT_RESOLVED;
      const value = Number(source);
      return Number.isSafeInteger(value) ? value : yaml.NOT_RESOLVED;
    },
    identify: (data) => Number.isInteger(data),
  });
  const explicitOnlyFloatTag = defineScalarTag<number>(floatCoreTag.tagName, {
    implicit: false,
    resolve: floatCoreTag.resolve,
    identify: floatCoreTag.identify,
  });
  textPreserving = CORE_SCHEMA.withTags(canonicalIntTag, explicitOnlyFloatTag);
  return textPreserving;
}

/**
 * For machine-written lock files: only booleans and nulls are resolved, every other scalar stays
 * text (the field accessors read integers from text). Skipping implicit integer resolution makes
 * the parse ~8% faster than js-yaml's default on large locks.
 */
export function lockSchema(): Schema {
  if (lock) return lock;
  const { FAILSAFE_SCHEMA, nullCoreTag, boolCoreTag } = jsYaml();
  lock = FAILSAFE_SCHEMA.withTags(nullCoreTag, boolCoreTag);
  return lock;
}

export interface YamlLoadOptions {
  /**
   * Machine-written files (locks): refuse aliases (rattler and pixi never write them) and use
   * `lockSchema()`. Default: the text-preserving schema, aliases allowed but bounded.
   */
  lockFile?: boolean;
  /**
   * Locks: read the block subset lock writers emit without js-yaml first (see lock-yaml-subset.ts;
   * default true). Tests of the js-yaml paths turn it off.
   */
  subset?: boolean;
  /** How a large lock's package list is parsed in pieces (see lock-list-chunks.ts). */
  chunking?: ChunkOptions;
}

/** Most nodes a document may expand to through aliases before it is treated as an alias bomb. */
const MAX_EXPANDED_NODES = 5_000_000;
const MAX_ALIASES = 1_000;
const MAX_DEPTH = 64;

export function loadYaml(text: string, file: string, options: YamlLoadOptions = {}): unknown {
  if (options.lockFile) {
    const subset = options.subset === false ? undefined : loadLockSubset(text);
    if (subset !== undefined) return subset;
    const lockOptions = { schema: lockSchema(), maxAliases: 0, maxDepth: MAX_DEPTH };
    const pieced = loadLockInPieces(text, lockOptions, options.chunking);
    if (pieced !== undefined) return pieced;
  }
  let document: unknown;
  try {
    document = jsYaml().load(text, {
      filename: file,
      schema: options.lockFile ? lockSchema() : textPreservingSchema(),
      maxAliases: options.lockFile ? 0 : MAX_ALIASES,
      maxDepth: MAX_DEPTH,
    });
  } catch (error) {
    throw yamlError(error, file, options.lockFile === true);
  }
  if (!options.lockFile) assertBoundedExpansion(document, file);
  return document;
}

function yamlError(error: unknown, file: string, aliasesForbidden: boolean): CvebuildError {
  if (error instanceof jsYaml().YAMLException) {
    const line = error.mark ? error.mark.line + 1 : undefined;
    const reason = error.reason || 'invalid YAML';
    if (/alias/i.test(reason)) {
      const why = aliasesForbidden ? 'YAML aliases are not allowed in this file (lock files never use them)' : reason;
      return new CvebuildError('YAML_ALIAS_BOMB', why, { file, line });
    }
    return new CvebuildError('YAML_SYNTAX', `YAML syntax error: ${reason}`, { file, line });
  }
  if (error instanceof RangeError) {
    return new CvebuildError('YAML_SYNTAX', 'YAML document is nested too deeply', { file });
  }
  return new CvebuildError('YAML_SYNTAX', `cannot parse YAML: ${String(error)}`, { file });
}

/**
 * js-yaml shares one object per anchor, so memory stays small, but any code that walks the
 * document would expand every alias. Count the expanded size with memoization per object.
 */
function assertBoundedExpansion(document: unknown, file: string): void {
  const sizes = new Map<object, number>();
  const sizeOf = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1); // guards cycles created by recursive aliases
    let total = 1;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      total += sizeOf(child);
      if (total > MAX_EXPANDED_NODES) break;
    }
    sizes.set(node, total);
    return total;
  };
  if (sizeOf(document) > MAX_EXPANDED_NODES) {
    throw new CvebuildError(
      'YAML_ALIAS_BOMB',
      `YAML aliases expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes (alias bomb?)`,
      { file },
    );
  }
}
