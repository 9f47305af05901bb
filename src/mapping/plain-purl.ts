/**
 * Reads the purls data/conda-ecosystems.json is written in: `pkg:<type>/<namespace…>/<name>`.
 *
 * Hand-written rather than packageurl-js because loading that library builds an Intl.Collator
 * (~13 ms), which every `gate` paid to read this one small map. It accepts only the plain form:
 * a lowercase type, segments of unreserved characters, `%40` opening an npm scope, npm names in
 * lowercase (packageurl-js would lowercase them: refusing keeps the two readers agreeing). Anything
 * else is refused, never guessed. test/unit/mapping/plain-purl.test.ts holds it to packageurl-js
 * over every entry of the shipped map and over crafted purls.
 */

export interface PlainPurl {
  type: string;
  namespace: string | undefined;
  name: string;
  /** The purl says a version, qualifiers or a subpath: the caller decides whether it may. */
  beyondName: boolean;
}

const TYPE = /^[a-z][a-z0-9.+-]*$/;
const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const NPM_SCOPE = '%40';

/** Throws an Error saying what is wrong; the caller words it for its file and key. */
export function readPlainPurl(purl: string): PlainPurl {
  const match = /^pkg:([^/]*)\/(.*)$/.exec(purl);
  if (!match) throw new Error('expected pkg:<type>/<name>');
  const [, type = '', rest = ''] = match;
  if (!TYPE.test(type)) throw new Error(`purl type ${JSON.stringify(type)} is not a lowercase purl type`);
  // `?qualifiers` and `#subpath` end the path; a version follows the last segment's last `@`
  const path = rest.replace(/[?#].*$/s, '');
  const segments = path.split('/');
  const last = segments.pop() ?? '';
  const at = last.lastIndexOf('@');
  const name = at === -1 ? last : last.slice(0, at);
  const beyondName = path !== rest || at !== -1;
  const scoped = type === 'npm' && segments[0]?.startsWith(NPM_SCOPE) === true;
  const bare = [...segments, name].map((segment, index) =>
    index === 0 && scoped ? segment.slice(NPM_SCOPE.length) : segment,
  );
  for (const segment of bare) {
    if (!SEGMENT.test(segment)) {
      throw new Error(
        `segment ${JSON.stringify(segment)} is empty or has characters other than letters, digits and . _ ~ - (%40 only opens an npm scope)`,
      );
    }
  }
  const namespace = segments.map((segment, index) => (index === 0 && scoped ? `@${bare[0]}` : segment));
  if (type === 'npm' && /[A-Z]/.test([...namespace, name].join('/'))) throw new Error('npm names are lowercase');
  return { type, namespace: namespace.length > 0 ? namespace.join('/') : undefined, name, beyondName };
}
