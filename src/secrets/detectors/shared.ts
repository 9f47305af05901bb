/** What every detector is, and the value tests several providers share. */
import type { Anchors, Detection } from '../detection.ts';
import { isPlaceholder, looksRandom } from '../text.ts';

export interface Detector {
  /** Our rule id. */
  id: string;
  anchors: Anchors;
  detect(content: string, path: string): Detection[];
}

/** A detection whose reported span is the secret itself. */
export function token(
  rule: string,
  start: number,
  secret: string,
  fields: Omit<Detection, 'rule' | 'start' | 'end' | 'secretStart' | 'secretEnd'>,
): Detection {
  return { rule, start, end: start + secret.length, secretStart: start, secretEnd: start + secret.length, ...fields };
}

/** At least two of upper case, lower case and digits (generated tokens are; words and slugs are not). */
function mixedClasses(value: string): boolean {
  let classes = 0;
  if (/[A-Z]/.test(value)) classes++;
  if (/[a-z]/.test(value)) classes++;
  if (/[0-9]/.test(value)) classes++;
  return classes >= 2;
}

/** Random-looking and of mixed character classes: what a generated token body looks like. */
export function tokenLike(value: string, minBits = 3): boolean {
  return mixedClasses(value) && looksRandom(value, minBits);
}

/** A value that is not a placeholder and looks like a credential (not a path, flag or word). */
export function credentialValue(value: string): boolean {
  return (
    !isPlaceholder(value) && /^[A-Za-z0-9._~+/=-]{8,}$/.test(value) && !value.includes('/') && tokenLike(value, 2.5)
  );
}

/** Hosts that serve conda channels (anaconda.org, quetz, prefix.dev...). */
export function condaHost(host: string): boolean {
  return /conda|quetz|binstar|prefix\.dev/i.test(host);
}

/** A templated or environment reference (`$VAR`, `${VAR}`, `{{ var }}`, `<token>`), not a value. */
export function templated(value: string): boolean {
  return /^\$|\$\{|\{\{|%\(|^<.*>$|^\{.*\}$|^%[A-Za-z_]+%$/.test(value);
}
