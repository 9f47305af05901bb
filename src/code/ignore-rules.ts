/**
 * The `ignore` package, loaded the first time gitignore-style rules are compiled rather than at
 * start-up: a tree without `.gitignore`, `.cvebuildignore`, `.git/info/exclude` or policy excludes
 * never needs it (~4–8 ms, most of it the CommonJS export scan an ESM import of it costs). Through
 * require, so loading stays synchronous like the walk.
 */
import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';

type IgnoreFactory = typeof import('ignore');
let loaded: IgnoreFactory | undefined;

/** A matcher for these gitignore-style rules (one pattern a line, or a list of patterns). */
export function ignoreRules(rules: string | readonly string[]): Ignore {
  loaded ??= createRequire(import.meta.url)('ignore') as IgnoreFactory;
  return loaded().add(typeof rules === 'string' ? rules : [...rules]);
}
