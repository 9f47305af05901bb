/**
 * PEP 691 content negotiation: which of the three simple-API forms a client's `Accept` header
 * prefers. Hand-written (twenty lines) because only three media types are offered and the
 * tie-breaks are PEP 691's, not a general library's: a type the client named beats a wildcard, and
 * among equals JSON (which carries PEP 700 `upload-time`) comes first. A bare `*\/*` or no header
 * gets `text/html`, the form every installer since PEP 503 reads.
 */

export type SimpleFormat = 'json' | 'html' | 'text-html';

export const MEDIA_TYPES: Record<SimpleFormat, string> = {
  json: 'application/vnd.pypi.simple.v1+json',
  html: 'application/vnd.pypi.simple.v1+html',
  'text-html': 'text/html',
};

/** What the proxy sends upstream: JSON first (it carries upload times), HTML accepted. */
export const UPSTREAM_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

const ALIASES: Record<string, SimpleFormat> = {
  'application/vnd.pypi.simple.v1+json': 'json',
  'application/vnd.pypi.simple.latest+json': 'json',
  'application/vnd.pypi.simple.v1+html': 'html',
  'application/vnd.pypi.simple.latest+html': 'html',
  'text/html': 'text-html',
};

const EXPLICIT_ORDER: SimpleFormat[] = ['json', 'html', 'text-html'];
const WILDCARD_ORDER: SimpleFormat[] = ['text-html', 'html', 'json'];

/** The chosen form, or undefined when the client accepts none of them (406). */
export function negotiate(accept: string | undefined): SimpleFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'text-html';
  // per format: [q, specificity] of the most specific range that matches it
  const best = new Map<SimpleFormat, [number, number]>();
  for (const part of accept.slice(0, 4096).split(',')) {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const qParam = params.find((param) => /^q\s*=/.test(param));
    const q = qParam === undefined ? 1 : Number(qParam.replace(/^q\s*=\s*/, ''));
    if (!Number.isFinite(q) || q < 0 || q > 1) continue;
    for (const format of EXPLICIT_ORDER) {
      const specificity = matches(range, format);
      if (specificity === 0) continue;
      const known = best.get(format);
      if (!known || specificity > known[1]) best.set(format, [q, specificity]);
    }
  }
  const rank = (format: SimpleFormat): number => {
    const [, specificity = 0] = best.get(format) ?? [];
    return (specificity === 3 ? EXPLICIT_ORDER : WILDCARD_ORDER).indexOf(format);
  };
  const candidates = EXPLICIT_ORDER.filter((format) => (best.get(format)?.[0] ?? 0) > 0).sort((a, b) => {
    const [qa = 0, sa = 0] = best.get(a) ?? [];
    const [qb = 0, sb = 0] = best.get(b) ?? [];
    return qb - qa || sb - sa || rank(a) - rank(b);
  });
  return candidates[0];
}

/** 3: the exact type (or its `latest` alias); 2: `type/*`; 1: `*\/*`; 0: no match. */
function matches(range: string, format: SimpleFormat): number {
  if (ALIASES[range] === format) return 3;
  const [type] = MEDIA_TYPES[format].split('/');
  if (range === `${type}/*`) return 2;
  if (range === '*/*') return 1;
  return 0;
}
