/**
 * zod, loaded the first time a policy file is validated rather than at start-up: its hundreds of
 * modules cost ~65 ms, which a run without a policy file never needs. Through its CommonJS build,
 * so loading stays synchronous like the policy loader; every runtime use of zod goes through here,
 * so all schemas come from one copy of it.
 */
import { createRequire } from 'node:module';

type Zod = typeof import('zod');
let loaded: Zod['z'] | undefined;

export function zod(): Zod['z'] {
  loaded ??= (createRequire(import.meta.url)('zod') as Zod).z;
  return loaded;
}
