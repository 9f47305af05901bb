/** Paths tests use: self-made fixtures in the repo, and the shared real-world corpus beside it. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixture = (relative: string): string => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));

export const corpusRoot = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export const hasCorpus = existsSync(corpusRoot);

export const corpus = (relative: string): string => `${corpusRoot}${relative}`;

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
