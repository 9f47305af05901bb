/**
 * smol-toml, loaded the first time a TOML file is read rather than at start-up (a lock file alone
 * never needs it). Through its CommonJS build, so loading stays synchronous like the readers; every
 * use goes through here, so `TomlDate` checks compare against the one class it parses into.
 */
import { createRequire } from 'node:module';

type SmolToml = typeof import('smol-toml');
let loaded: SmolToml | undefined;

export function smolToml(): SmolToml {
  loaded ??= createRequire(import.meta.url)('smol-toml') as SmolToml;
  return loaded;
}
