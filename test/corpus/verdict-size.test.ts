/**
 * Issue 17, "verdict size": real locks audited against the grown threat-intel corpus give
 * verdicts a person reads on one screen. The Markdown, HTML and table verdicts have one line per
 * blocking package version (plus one per other rule), each package named once, with as many
 * advisories as block it and the highest of their safe versions as its fix.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readInventory } from '../../src/engine/read-project.ts';
import { runAudit } from '../../src/engine/run-checks.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore } from '../../src/intel/store-api.ts';
import { type Finding, isAdvisoryFinding } from '../../src/model/finding.ts';
import { renderAuditTable } from '../../src/report/audit-table.ts';
import { auditReport } from '../../src/report/from-audit.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { MAX_VERDICT_LINES } from '../../src/report/verdict-lines.ts';
import { schemeFor } from '../../src/versions/index.ts';
import { grownIntelFiles } from '../helpers/intel-corpus.ts';
import { corpus, corpusRoot, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';

const NOW = new Date();
const LOCKS = ['pixi/pixi-ex-ros2-nav2/pixi.lock', 'pixi/pixi-ex-pypi/pixi.lock'];

describe('verdicts of real locks fit on one screen', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  let store: IntelStore;
  before(async () => {
    store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
    await importSources(
      store,
      grownIntelFiles().map((path) => ({ path })),
    );
  });
  after(() => store?.close());

  for (const lock of LOCKS) {
    it(`${lock}: one line per blocking package in the Markdown, HTML and table verdicts`, async () => {
      const inventory = readInventory(corpus(lock));
      const result = await runAudit(inventory, store, { failOn: 'high', now: NOW, offline: true });
      const report = auditReport({ inventory, result, intel: undefined, target: lock, root: corpusRoot, now: NOW });
      const blocking = result.findings.filter((finding) => finding.blocking);
      const packages = expectedPackages(blocking);
      const otherRules = new Set(
        blocking.filter((finding) => !packageKey(finding)).map((finding) => `${finding.check} ${finding.rule}`),
      );
      assert.ok(packages.size > 0, 'the lock has blocking advisories to group');

      const markdown = markdownVerdict(renderMarkdown(report));
      const html = htmlVerdict(renderHtml(report));
      const table = tableVerdict(renderAuditTable(report));
      const groups = packages.size + otherRules.size;
      const shown = Math.min(groups, MAX_VERDICT_LINES);
      console.log(
        `${lock}: ${blocking.length} blocking findings, ${result.verdict.reasons.length} reasons before grouping; ` +
          `verdict lines: ${markdown.length} Markdown, ${html.length} HTML, ${table.length} table, for ${packages.size} packages and ${otherRules.size} other rules`,
      );
      for (const [name, lines] of Object.entries({ markdown, html, table })) {
        assert.equal(lines.length, shown + (groups > shown ? 1 : 0), `${name}:\n${lines.join('\n')}`);
        assert.ok(lines.length <= MAX_VERDICT_LINES + 1, `${name} fits on one screen`);
      }
      // each package on one line, with the advisories that block it and the version that clears them
      for (const line of markdown.slice(0, shown)) {
        const match = /^- `(\S+) (\S+)`: (?:(\d+) advisories|1 \w+ advisory) .*?; (.*)$/.exec(line);
        if (!match) continue;
        const [, name, version, count, fix] = match;
        const expected = packages.get(`${name} ${version}`);
        assert.ok(expected, `${line} names a blocking package`);
        assert.equal(Number(count ?? 1), expected.advisories.size, line);
        assert.equal(fix, expected.fix, line);
        packages.delete(`${name} ${version}`);
      }
      if (groups <= MAX_VERDICT_LINES) assert.deepEqual([...packages.keys()], [], 'every package has its line');
    });
  }
});

interface ExpectedPackage {
  advisories: Set<string>;
  fix: string;
}

/** `name version` of a blocking advisory finding's package, or undefined for any other finding. */
function packageKey(finding: Finding): string | undefined {
  if (!finding.subject || !isAdvisoryFinding(finding)) return undefined;
  return `${finding.subject.name} ${finding.subject.version}`;
}

/** What each package's line must say, worked out from the findings themselves. */
function expectedPackages(blocking: readonly Finding[]): Map<string, ExpectedPackage> {
  const grouped = new Map<string, Finding[]>();
  for (const finding of blocking) {
    const key = packageKey(finding);
    if (key) grouped.set(key, [...(grouped.get(key) ?? []), finding]);
  }
  const out = new Map<string, ExpectedPackage>();
  for (const [key, findings] of grouped) {
    const advisories = new Set(findings.map((finding) => finding.rule));
    const byId = new Map<string, (string | null)[]>();
    for (const finding of findings)
      byId.set(finding.rule, [
        ...(byId.get(finding.rule) ?? []),
        (finding.evidence.safeVersion as string | null) ?? null,
      ]);
    const fixed = [...byId.values()].filter((safe) => safe.every((version) => version !== null)).flat() as string[];
    const scheme = schemeFor(findings[0]?.subject?.ecosystem === 'pypi' ? 'pep440' : 'conda');
    const highest = fixed.reduce<string | undefined>(
      (best, version) => (best === undefined || scheme.compare(version, best) > 0 ? version : best),
      undefined,
    );
    const unfixed = byId.size - [...byId.values()].filter((safe) => safe.every((version) => version !== null)).length;
    const fix =
      highest === undefined
        ? 'no fixed release'
        : unfixed === 0
          ? `${highest} clears ${advisories.size === 1 ? 'it' : 'them all'}`
          : `${highest} clears ${advisories.size - unfixed} of them; no fixed release for ${unfixed === 1 ? [...byId].find(([, safe]) => safe.includes(null))?.[0] : `the other ${unfixed}`}`;
    out.set(key, { advisories, fix });
  }
  return out;
}

function markdownVerdict(markdown: string): string[] {
  const after = markdown.slice(markdown.indexOf('Why it fails:\n\n') + 'Why it fails:\n\n'.length);
  return after.slice(0, after.indexOf('\n\n')).split('\n');
}

function htmlVerdict(html: string): string[] {
  const start = html.indexOf('<ul class="reasons">');
  const list = html
    .slice(start, html.indexOf('</section>', start))
    .replace(/<ul class="reason-detail">[\s\S]*?<\/ul>/g, '');
  return list.split('\n').filter((line) => line.startsWith('<li'));
}

function tableVerdict(table: string): string[] {
  const after = table.slice(table.indexOf('\nFAIL — '));
  return after.split('\n').filter((line) => line.startsWith('  '));
}
