/**
 * The frame every cvebuild HTML page shares (the gate's report, the build's report): one
 * self-contained document. Nothing is loaded from anywhere: the CSS and script are inline and
 * admitted by hash, so a Content-Security-Policy of `default-src 'none'` holds and injected markup
 * could not run. The callers give already-escaped HTML for the parts; plain text goes through `esc`.
 */
import { createHash } from 'node:crypto';
import { esc, htmlDocument } from './html-escape.ts';

export interface HtmlPage {
  /** Plain text. */
  title: string;
  /** The verdict: the favicon's colour. */
  fail: boolean;
  /** `cvebuild 0.1.0`, plain text. */
  generator: string;
  /** Plain text after the brand: `supply-chain report`. */
  kind: string;
  /** HTML: the right-hand side of the top bar. */
  meta: string;
  /** HTML: the sections. */
  main: string;
  /** HTML: the footer's sentence. */
  footer: string;
  css: string;
  script: string;
}

export function htmlPage(page: HtmlPage): string {
  return htmlDocument(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(page.css, page.script)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${esc(page.generator)}">
<title>${esc(page.title)}</title>
<link rel="icon" href="${favicon(page.fail)}">
<style>${page.css}</style>
</head>
<body>
<header class="topbar">
<div class="topbar-inner">
<span class="brand">${BRAND_MARK}cvebuild <span class="brand-sub">${esc(page.kind)}</span></span>
<span class="topbar-meta">${page.meta}</span>
</div>
</header>
<main>
${page.main}
</main>
<footer class="footer">${page.footer} This page is self-contained: it loads nothing from the network.</footer>
<script>${page.script}</script>
</body>
</html>
`);
}

/** Nothing may load; the one stylesheet and the one script run because their hashes are listed. */
function contentSecurityPolicy(css: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src '${sha256(css)}'`,
    `script-src '${sha256(script)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

const BRAND_MARK =
  '<svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z"/></svg>';

/** A shield in the verdict's colour, so the browser tab tells pass from fail. */
function favicon(fail: boolean): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="${fail ? '#b42318' : '#067647'}" d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
