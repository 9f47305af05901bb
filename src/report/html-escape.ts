/**
 * Text into HTML: every value from the inventory, the threat data or the policy passes through
 * `esc` (text and attribute values alike), and only http(s) URLs ever become links.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in double- or single-quoted attribute values. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** The URL when it is an absolute http(s) URL without whitespace; javascript:, data: and the rest are refused. */
export function httpUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s<>"']+$/i.test(url) ? url : undefined;
}

/** A link that opens outside the report, or plain text when the URL is not http(s). */
export function externalLink(label: string, url: string | undefined, className?: string): string {
  const href = httpUrl(url);
  const cls = className ? ` class="${esc(className)}"` : '';
  if (!href) return className ? `<span${cls}>${esc(label)}</span>` : esc(label);
  return `<a${cls} href="${esc(href)}" target="_blank" rel="noopener noreferrer">${esc(label)}</a>`;
}
