/**
 * A terminal document in colour only where colour cannot carry outside text: it is composed plain
 * and put through the last guard (`plainDocument`) first, and painted only when the guard changed
 * nothing, so every colour sequence in the output is cvebuild's own and the painted document is
 * the plain one with SGR sequences around some of its words.
 */
import { noPaint, type Paint } from '../terminal/colour.ts';
import { plainDocument } from '../text/plain.ts';

export function paintedDocument(compose: (paint: Paint) => string, paint: Paint = noPaint): string {
  const text = compose(noPaint);
  const guarded = plainDocument(text);
  if (paint === noPaint || guarded !== text) return guarded;
  return compose(paint);
}
