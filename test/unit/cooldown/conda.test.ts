import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cooldownCheck } from '../../../src/checks/cooldown.ts';
import { CvebuildError } from '../../../src/errors.ts';
import type { Finding } from '../../../src/model/finding.ts';
import type { Inventory } from '../../../src/model/inventory.ts';
import { type CutoffConfig, condaPackage, context, inventory, MANIFEST } from './inventory-builder.ts';

const NOW = '2026-08-10T12:00:00Z';
const DAY = 86_400_000;
const daysAgo = (days: number): number => Date.parse(NOW) - days * DAY;

async function run(inv: Inventory, extra: Parameters<typeof context>[1] = {}): Promise<Finding[]> {
  return cooldownCheck.run(inv, context(NOW, extra));
}

/** `name@version` of the too-new findings. */
async function flagged(config: CutoffConfig, ...packages: ReturnType<typeof condaPackage>[]): Promise<string[]> {
  const findings = await run(inventory(packages, config));
  return findings.filter((f) => f.rule === 'cooldown/too-new').map((f) => `${f.subject?.name}@${f.subject?.version}`);
}

describe('cooldown check: conda records', () => {
  it('flags records built strictly after the cutoff, with the facts behind it', async () => {
    const inv = inventory(
      [
        condaPackage('fresh', '2.0', { timestamp: daysAgo(2) }),
        condaPackage('edge', '1.0', { timestamp: daysAgo(7) }),
        condaPackage('old', '1.0', { timestamp: daysAgo(30) }),
      ],
      { workspace: '7d' },
    );
    const findings = await run(inv);
    assert.equal(findings.length, 1);
    const [finding] = findings as [Finding];
    assert.equal(finding.check, 'cooldown');
    assert.equal(finding.checkVersion, 1);
    assert.equal(finding.rule, 'cooldown/too-new');
    assert.equal(finding.severity, 'high');
    assert.equal(
      finding.message,
      'fresh 2.0 was built 2026-08-08 12:00 UTC (5.0 d after the cutoff 2026-08-03 12:00 UTC from `exclude-newer = "7d"` at pixi.toml:1)',
    );
    assert.deepEqual(finding.subject, {
      ecosystem: 'conda',
      name: 'fresh',
      version: '2.0',
      build: 'h0_0',
      platform: 'linux-64',
      environments: ['default'],
    });
    assert.equal(finding.evidence.publishedAt, '2026-08-08T12:00:00.000Z');
    assert.equal(finding.evidence.cutoff, '2026-08-03T12:00:00.000Z');
    assert.equal(finding.evidence.missedByMs, 5 * DAY);
    assert.equal(finding.evidence.missedBy, '5.0 d');
    assert.equal(finding.evidence.setting, '7d');
    assert.equal(finding.evidence.scope, 'workspace');
    assert.equal(finding.evidence.origin, `${MANIFEST}:1`);
    assert.equal(finding.evidence.basis, 'conda-timestamp');
    assert.match(String(finding.evidence.basisNote), /build time .* not the upload time/);
    assert.equal(finding.evidence.leavesWindowAt, '2026-08-15T12:00:00.000Z');
    assert.match(finding.remedy ?? '', /wait until 2026-08-15 12:00 UTC/);
    assert.deepEqual(finding.location, { file: '/project/pixi.lock', line: 10 });
  });

  it('includes the whole day of a date cutoff', async () => {
    const config = { workspace: '2026-08-01' };
    const lastMinute = condaPackage('a', '1', { timestamp: Date.parse('2026-08-01T23:59:59Z') });
    const nextDay = condaPackage('b', '1', { timestamp: Date.parse('2026-08-02T00:00:01Z') });
    assert.deepEqual(await flagged(config, lastMinute, nextDay), ['b@1']);
    const [finding] = await run(inventory([nextDay], config));
    assert.match(finding?.remedy ?? '', /pin a release from before 2026-08-02 00:00 UTC/);
    assert.equal(finding?.evidence.leavesWindowAt, undefined);
  });

  it('gives nothing when no cutoff is configured anywhere', async () => {
    assert.deepEqual(await run(inventory([condaPackage('fresh', '1', { timestamp: daysAgo(0) })])), []);
  });

  it('lets the cooldown setting replace the workspace cutoff, even without a manifest', async () => {
    const pkgs = [
      condaPackage('a', '1', { timestamp: daysAgo(5) }),
      condaPackage('b', '1', { timestamp: daysAgo(10) }),
    ];
    const settings = { ...context(NOW).settings, cooldown: '14d' };
    const findings = await run(inventory(pkgs, { workspace: '3d' }), { settings });
    assert.deepEqual(
      findings.map((f) => f.subject?.name),
      ['a', 'b'],
    );
    assert.equal(findings[0]?.evidence.scope, 'settings');
    assert.match(findings[0]?.message ?? '', /from the cooldown setting `14d`\)$/);
    assert.equal((await run(inventory(pkgs), { settings })).length, 2);
  });

  it('applies package > channel > workspace, with 0d meaning no delay', async () => {
    const config: CutoffConfig = {
      workspace: '7d',
      channels: { 'https://prefix.dev/internal': '0d', bioconda: '30d' },
      packages: { tombi: '0d', strict: '60d' },
    };
    const pkgs = [
      condaPackage('tombi', '1', { timestamp: daysAgo(1) }),
      condaPackage('strict', '1', { timestamp: daysAgo(40), channel: 'https://prefix.dev/internal' }),
      condaPackage('internal', '1', { timestamp: daysAgo(1), channel: 'https://prefix.dev/internal' }),
      condaPackage('samtools', '1', { timestamp: daysAgo(20), channel: 'https://conda.anaconda.org/bioconda' }),
      condaPackage('mirrored', '1', { timestamp: daysAgo(20), channel: 'https://prefix.dev/bioconda' }),
      condaPackage('numpy', '1', { timestamp: daysAgo(3) }),
    ];
    const findings = await run(inventory(pkgs, config));
    assert.deepEqual(
      findings.map((f) => [f.subject?.name, f.evidence.scope, f.evidence.setting]),
      [
        ['strict', 'package', '60d'],
        ['samtools', 'channel', '30d'],
        ['mirrored', 'channel', '30d'],
        ['numpy', 'workspace', '7d'],
      ],
    );
    assert.equal(findings[1]?.evidence.channel, 'bioconda');
  });

  it('prefers an exact channel URL entry over a name entry that also matches', async () => {
    const pkg = condaPackage('x', '1', { timestamp: daysAgo(3), channel: 'https://prefix.dev/conda-forge' });
    const config = { channels: { 'conda-forge': '0d', 'https://prefix.dev/conda-forge': '5d' } };
    const [finding] = await run(inventory([pkg], config));
    assert.equal(finding?.evidence.channel, 'https://prefix.dev/conda-forge');
  });

  it('leaves packages outside any override unconstrained when only overrides exist', async () => {
    const config = { packages: { strict: '30d' } };
    const pkgs = [
      condaPackage('strict', '1', { timestamp: daysAgo(10) }),
      condaPackage('other', '1', { timestamp: 0 }),
    ];
    assert.deepEqual(await flagged(config, ...pkgs), ['strict@1']);
  });

  it('exempts every version for `*` and matching versions for a spec', async () => {
    const config = { workspace: '7d', exemptions: { 'py-rattler': '*', polars: '1.43.1', numpy: '>=2,<3' } };
    const pkgs = [
      condaPackage('py-rattler', '0.9', { timestamp: daysAgo(1) }),
      condaPackage('polars', '1.43.1', { timestamp: daysAgo(1) }),
      condaPackage('polars', '1.44.0', { timestamp: daysAgo(1) }),
      condaPackage('numpy', '2.3.1', { timestamp: daysAgo(1) }),
      condaPackage('numpy', '3.0.0', { timestamp: daysAgo(1) }),
    ];
    assert.deepEqual(await flagged(config, ...pkgs), ['polars@1.44.0', 'numpy@3.0.0']);
  });

  it('reports records without a timestamp per cooldownUnknownTimestamp', async () => {
    const inv = inventory([condaPackage('winpty', '0.4.3')], { workspace: '7d' });
    const settings = context(NOW).settings;
    const [warned] = await run(inv);
    assert.equal(warned?.rule, 'cooldown/unknown-time');
    assert.equal(warned?.severity, 'low');
    assert.match(warned?.message ?? '', /no build timestamp/);
    const [failed] = await run(inv, { settings: { ...settings, cooldownUnknownTimestamp: 'fail' } });
    assert.equal(failed?.severity, 'high');
    assert.deepEqual(await run(inv, { settings: { ...settings, cooldownUnknownTimestamp: 'ignore' } }), []);
  });

  it('skips source builds and local packages', async () => {
    const pkgs = (['source-build', 'path', 'editable'] as const).map((kind) =>
      condaPackage(kind, '1', { kind, timestamp: daysAgo(1) }),
    );
    assert.deepEqual(await run(inventory(pkgs, { workspace: '7d' })), []);
  });

  it('falls back to the cutoff a v6 lock recorded, the strictest across environments', async () => {
    const pkg = condaPackage('x', '1', { timestamp: daysAgo(3), environments: ['default', 'test'] });
    const inv = inventory([pkg]);
    inv.environments = [
      { name: 'default', channels: [], indexes: [], platforms: [], options: {}, excludeNewer: setting('2026-08-09') },
      { name: 'test', channels: [], indexes: [], platforms: [], options: {}, excludeNewer: setting('2026-08-01') },
    ];
    const [finding] = await run(inv);
    assert.equal(finding?.evidence.scope, 'lock');
    assert.equal(finding?.evidence.cutoff, '2026-08-02T00:00:00.000Z');
    assert.match(finding?.message ?? '', /`options.exclude-newer = "2026-08-01"` at pixi.lock:3/);
  });

  it('rejects values pixi would reject, saying where they are written', async () => {
    const inv = inventory([condaPackage('a', '1', { timestamp: 0 })], { workspace: 'a week' });
    await assert.rejects(run(inv), (error: unknown) => {
      assert.ok(error instanceof CvebuildError);
      assert.equal(error.code, 'MANIFEST_INVALID');
      assert.equal(error.location.file, MANIFEST);
      assert.equal(error.location.line, 1);
      return true;
    });
    const settings = { ...context(NOW).settings, cooldown: 'soon' };
    await assert.rejects(run(inventory([]), { settings }), { code: 'USAGE' });
    await assert.rejects(run(inventory([], { workspace: '7d', exemptions: { x: '>=>1' } })), {
      code: 'MANIFEST_INVALID',
    });
  });
});

function setting(value: string) {
  return { value, origin: { file: '/project/pixi.lock', line: 3 } };
}
