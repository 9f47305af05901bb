/**
 * Every file a command writes on the user's behalf (reports, SBOMs, bundles, sidecars, keys) goes
 * through one writer: none of them follows a symlink planted in the project, and none overwrites
 * an input of the run, whatever name reaches it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const NOW = '--now=2026-11-22T12:00:00Z';

/** A copy of the audit fixture project, with its threat data. */
function project(): string {
  const dir = join(tempDirectory(), 'project');
  cpSync(fixture('audit/project'), dir, { recursive: true });
  return dir;
}

function victim(): string {
  const path = join(tempDirectory(), 'victim.txt');
  writeFileSync(path, 'precious\n');
  return path;
}

function assertRefused(result: ReturnType<typeof runCli>, ...fragments: string[]): void {
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  for (const fragment of fragments) assert.ok(result.stderr.includes(fragment), result.stderr);
}

const gate = (dir: string, ...args: string[]) =>
  runCli(['gate', dir, '--db', fixture('audit/intel'), '--offline', NOW, ...args]);

describe('files cvebuild writes', () => {
  describe('never through a symlink', () => {
    const commands: Record<string, (dir: string, link: string) => string[]> = {
      'gate --output': (dir, link) => [
        'gate',
        dir,
        '--db',
        fixture('audit/intel'),
        '--offline',
        NOW,
        '--output',
        `sarif=${link}`,
      ],
      'audit --output': (dir, link) => [
        'audit',
        dir,
        '--db',
        fixture('audit/intel'),
        '--offline',
        NOW,
        '--output',
        `html=${link}`,
      ],
      'scan-code --output': (dir, link) => ['scan-code', dir, '--output', `json=${link}`],
      'sbom --output': (dir, link) => ['sbom', dir, '--output', link],
    };
    for (const [name, args] of Object.entries(commands)) {
      it(name, () => {
        const dir = project();
        const target = victim();
        const link = join(dir, 'cvebuild.out');
        symlinkSync(target, link);
        assertRefused(runCli(args(dir, link)), 'is a symbolic link');
        assert.equal(readFileSync(target, 'utf8'), 'precious\n');
      });
    }

    it('sign --output, sign --sidecar and keygen --out', () => {
      const dir = tempDirectory();
      const keys = join(dir, 'release');
      assert.equal(runCli(['keygen', '--out', keys]).status, 0);
      const pkg = join(dir, 'demo-1.0-h0_0.conda');
      writeFileSync(pkg, randomBytes(1024));
      const target = victim();
      const sign = ['sign', pkg, '--channel', 'https://prefix.dev/demo', '--key', `${keys}.key`];
      symlinkSync(target, join(dir, 'bundle.json'));
      assertRefused(runCli([...sign, '--output', join(dir, 'bundle.json'), '--force']), 'is a symbolic link');
      symlinkSync(target, `${pkg}.sigs`);
      assertRefused(runCli([...sign, '--sidecar']), 'is a symbolic link');
      // a dangling link where the private key would go: keygen must not create the file it names
      symlinkSync(join(dir, 'stolen.key'), join(dir, 'other.key'));
      assertRefused(runCli(['keygen', '--out', join(dir, 'other')]), 'is a symbolic link');
      assert.ok(!readdirSync(dir).includes('stolen.key'));
      assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    });

    it('nor through a symlinked directory in the project', () => {
      const dir = project();
      const outside = tempDirectory();
      symlinkSync(outside, join(dir, 'reports'));
      const result = runCli(
        ['gate', '.', '--db', fixture('audit/intel'), '--offline', NOW, '--output', 'reports/cvebuild.sarif'],
        { cwd: dir },
      );
      assertRefused(result, `${join(dir, 'reports')} is a symbolic link`);
      assert.deepEqual(readdirSync(outside), []);
    });
  });

  describe('never over an input of the run', () => {
    it('the lock, a hard link to it, the policy or the threat data', () => {
      const dir = project();
      const lock = join(dir, 'pixi.lock');
      const original = readFileSync(lock, 'utf8');
      writeFileSync(join(dir, 'cvebuild.toml'), 'fail-on = "critical"\n');
      linkSync(lock, join(dir, 'report.json'));
      const data = join(tempDirectory(), 'intel');
      cpSync(fixture('audit/intel'), data, { recursive: true });
      for (const output of [`json=${lock}`, join(dir, 'report.json'), `markdown=${join(dir, 'cvebuild.toml')}`]) {
        assertRefused(gate(dir, '--output', output), 'is an input of this run');
      }
      assertRefused(
        runCli(['audit', dir, '--db', data, '--offline', NOW, '--output', `json=${join(data, 'kev.json')}`]),
        'is an input of this run',
      );
      assertRefused(runCli(['sbom', dir, '--output', lock]), 'is an input of this run');
      assert.equal(readFileSync(lock, 'utf8'), original);
    });

    it('the package sign reads, and the key it signs with', () => {
      const dir = tempDirectory();
      assert.equal(runCli(['keygen', '--out', join(dir, 'k')]).status, 0);
      const pkg = join(dir, 'demo-1.0-h0_0.conda');
      writeFileSync(pkg, randomBytes(1024));
      const sign = ['sign', pkg, '--channel', 'https://prefix.dev/demo', '--key', join(dir, 'k.key'), '--force'];
      assertRefused(runCli([...sign, '--output', pkg]), 'is an input of this run');
      assertRefused(runCli([...sign, '--output', join(dir, 'k.key')]), 'is an input of this run');
    });

    it('while a report from the last run in the scanned tree is simply replaced', () => {
      const dir = tempDirectory();
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'app.py'), 'print("hi")\n');
      writeFileSync(join(dir, 'scan.json'), '{"last": "run"}\n');
      const result = runCli(['scan-code', dir, '--output', `json=${join(dir, 'scan.json')}`]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(JSON.parse(readFileSync(join(dir, 'scan.json'), 'utf8')).schemaVersion, 1);
    });
  });
});
