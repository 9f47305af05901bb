/**
 * Text into HTML: every value from the inventory, the threat data or the policy passes through
 * `esc` (text and attribute values alike), and only http(s) URLs ever become links. `esc` masks
 * credentials in URLs and shows control and bidi characters as visible escapes (`\u202e`), so
 * outside text can neither reorder what the page shows nor carry a secret into it.
 */
import { showControls } from '../text/controls.ts';
import { maskCredentials } from '../text/credentials.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in double- or single-quoted attribute values. */
export function esc(value: string | number): string {
  return showControls(maskCredentials(String(value))).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
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

/**
 * The last guard over the whole page: a control or bidi character that reached it some other way
 * is shown as an escape. Newlines are the page's own layout.
 */
export function htmlDocument(html: string): string {
  return showControls(html, '\n');
}
