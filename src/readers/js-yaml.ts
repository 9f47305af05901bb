/**
 * js-yaml, loaded the first time a YAML file needs it rather than at start-up: the lock subset
 * reader (lock-yaml-subset.ts) reads the locks pixi and conda-lock write without it, so a gate on
 * such a lock never loads it. Through its CommonJS build, so loading stays synchronous like the
 * readers; every use goes through here, so the schemas and the `YAMLException` errors are checked
 * against come from one copy of it.
 */
import { createRequire } from 'node:module';

type JsYaml = typeof import('js-yaml');
let loaded: JsYaml | undefined;

export function jsYaml(): JsYaml {
  loaded ??= createRequire(import.meta.url)('js-yaml') as JsYaml;
  return loaded;
}
