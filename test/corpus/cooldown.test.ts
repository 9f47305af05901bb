/**
 * The cooldown check on real pixi projects whose manifests set `exclude-newer = "7d"` with `"0d"`
 * package overrides. Expected sets are computed here from the raw lock text, not from the readers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { cooldownCheck } from '../../src/checks/cooldown.ts';
import { defaultCheckSettings } from '../../src/checks/registry.ts';
import { readInventory } from '../../src/engine/read-project.ts';
import type { Finding } from '../../src/model/finding.ts';
import type { Inventory } from '../../src/model/inventory.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';
const DAY = 86_400_000;

/** Every conda record of a lock as `name-version-build` → build timestamp, straight from the text. */
function rawCondaTimestamps(project: string): Map<string, number | undefined> {
  const records = new Map<string, number | undefined>();
  let current: string | undefined;
  for (const line of readFileSync(corpus(`pixi/${project}/pixi.lock`), 'utf8').split('\n')) {
    const start = /^- (\w+): (.*)$/.exec(line);
    if (start) {
      current = start[1] === 'conda' ? archiveStem(start[2] ?? '') : undefined;
      if (current) records.set(current, undefined);
      continue;
    }
    const stamp = /^ {2}timestamp: (\d+)$/.exec(line);
    if (current && stamp) records.set(current, Number(stamp[1]));
  }
  return records;
}

function rawPypiRegistryFiles(project: string): string[] {
  const text = readFileSync(corpus(`pixi/${project}/pixi.lock`), 'utf8');
  return [...text.matchAll(/^- pypi: (https:\/\/\S+)$/gm)]
    .map((match) => (match[1] ?? '').split('/').pop() ?? '')
    .sort();
}

function archiveStem(url: string): string {
  return (url.split('/').pop() ?? '').replace(/\.(conda|tar\.bz2)$/, '');
}

const nameOf = (stem: string): string => /^(.*)-[^-]+-[^-]+$/.exec(stem)?.[1] ?? stem;

async function audit(inventory: Inventory, now: string, offline = true): Promise<Finding[]> {
  return cooldownCheck.run(inventory, {
    now: new Date(now),
    offline,
    cacheDir: tempDirectory(),
    settings: defaultCheckSettings(),
  });
}

const tooNew = (findings: Finding[]): Set<string> =>
  new Set(
    findings
      .filter((f) => f.rule === 'cooldown/too-new' && f.subject?.ecosystem === 'conda')
      .map((f) => `${f.subject?.name}-${f.subject?.version}-${f.subject?.build}`),
  );

/** Records built after `now − window`, except those of packages whose override is `0d`. */
function expectedTooNew(project: string, now: string, windowDays: number, zeroDay: string[]): Set<string> {
  const cutoff = Date.parse(now) - windowDays * DAY;
  const expected = new Set<string>();
  for (const [stem, timestamp] of rawCondaTimestamps(project)) {
    if (timestamp !== undefined && timestamp > cutoff && !zeroDay.includes(nameOf(stem))) expected.add(stem);
  }
  return expected;
}

describe('cooldown check on real pixi projects', { skip: SKIP }, () => {
  it('pixi-root: flags exactly the records inside the 7d window, not the 0d packages', async () => {
    const now = '2026-08-03T06:00:00Z';
    const inventory = readInventory(corpus('pixi/pixi-root'));
    assert.equal(inventory.manifest.excludeNewer.workspace?.value, '7d');
    assert.deepEqual([...inventory.manifest.excludeNewer.packages.keys()].sort(), ['pixi-build-rust', 'tombi']);
    const findings = await audit(inventory, now);
    const expected = expectedTooNew('pixi-root', now, 7, ['pixi-build-rust', 'tombi']);
    assert.ok(expected.size >= 8, `${expected.size} records in the window`);
    assert.deepEqual([...tooNew(findings)].sort(), [...expected].sort());
    // tombi was built inside the window (the reason for its override) and is still not flagged
    const tombi = [...rawCondaTimestamps('pixi-root')].filter(([stem]) => nameOf(stem) === 'tombi');
    assert.ok(tombi.some(([, timestamp]) => (timestamp ?? 0) > Date.parse(now) - 7 * DAY));
    assert.ok(!findings.some((f) => f.subject?.name === 'tombi' || f.subject?.name === 'pixi-build-rust'));
    // one finding per platform record: noarch records repeat per platform
    const perPlatform = inventory.packages.filter(
      (pkg) => pkg.ecosystem === 'conda' && expected.has(`${pkg.name}-${pkg.version}-${pkg.build}`),
    );
    assert.equal(findings.filter((f) => f.rule === 'cooldown/too-new').length, perPlatform.length);
    for (const finding of findings.filter((f) => f.rule === 'cooldown/too-new')) {
      assert.match(finding.message, /from `exclude-newer = "7d"` at pixi\.toml:12\)$/);
    }
    // offline: the PyPI files are reported as not checked, one finding per file
    const notChecked = findings.filter((f) => f.rule === 'cooldown/not-checked');
    assert.deepEqual(notChecked.map((f) => f.evidence.file).sort(), rawPypiRegistryFiles('pixi-root'));
    assert.ok(notChecked.every((f) => f.evidence.offline === true && f.severity === 'low'));
  });

  it('rattler-root: vc14_runtime and vcomp14 (0d) pass although built in the window, the rest is flagged', async () => {
    const now = '2026-06-19T00:00:00Z';
    const zeroDay = ['pixi-build-rust', 'vc14_runtime', 'vcomp14'];
    const findings = await audit(readInventory(corpus('pixi/rattler-root')), now);
    const expected = expectedTooNew('rattler-root', now, 7, zeroDay);
    assert.ok(expectedTooNew('rattler-root', now, 7, []).size > expected.size);
    assert.deepEqual([...new Set([...expected].map(nameOf))].sort(), ['ca-certificates', 'libcxx', 'vc']);
    assert.deepEqual([...tooNew(findings)].sort(), [...expected].sort());
    assert.deepEqual(
      findings.filter((f) => f.rule !== 'cooldown/too-new'),
      [],
    );
  });

  it('pixi-test-mismatch-exclude-newer: a record built after the date cutoff is flagged', async () => {
    const findings = await audit(
      readInventory(corpus('pixi/pixi-test-mismatch-exclude-newer')),
      '2026-01-01T00:00:00Z',
    );
    assert.equal(findings.length, 1);
    const [finding] = findings as [Finding];
    assert.equal(finding.rule, 'cooldown/too-new');
    assert.equal(finding.subject?.name, 'foobar');
    assert.equal(finding.evidence.publishedAt, '2025-11-05T00:00:00.000Z');
    assert.equal(finding.evidence.cutoff, '2025-11-04T00:00:00.000Z');
    assert.equal(finding.evidence.missedBy, '24.0 h');
  });

  it('a channel override by name reaches records locked from a prefix.dev mirror URL', async () => {
    const now = '2026-08-03T06:00:00Z';
    const inventory = readInventory(corpus('pixi/pixi-root'));
    assert.deepEqual(inventory.manifest.channels, ['https://prefix.dev/conda-forge']);
    inventory.manifest.excludeNewer.channels.set('conda-forge', {
      value: '21d',
      origin: { file: 'pixi.toml', line: 99 },
    });
    const findings = await audit(inventory, now);
    const expected = expectedTooNew('pixi-root', now, 21, ['pixi-build-rust', 'tombi']);
    assert.ok(expected.size > expectedTooNew('pixi-root', now, 7, []).size);
    assert.deepEqual([...tooNew(findings)].sort(), [...expected].sort());
    assert.ok(findings.filter((f) => f.rule === 'cooldown/too-new').every((f) => f.evidence.scope === 'channel'));
    inventory.manifest.excludeNewer.channels.set('conda-forge', {
      value: '0d',
      origin: { file: 'pixi.toml', line: 99 },
    });
    assert.deepEqual(tooNew(await audit(inventory, now)), new Set());
  });
});
