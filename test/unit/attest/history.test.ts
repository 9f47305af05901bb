import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  type AttestationHistoryStore,
  type AttestedVersion,
  FileAttestationHistory,
  historyFile,
  MemoryAttestationHistory,
} from '../../../src/attest/history.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const CHANNEL = 'https://conda.anaconda.org/conda-forge';
const SIGNER = 'https://github.com/conda-forge/openssl-feedstock/.github/workflows/build.yml@refs/heads/main';

function seen(version: string, build?: string): AttestedVersion {
  return { version, ...(build === undefined ? {} : { build }), signer: SIGNER, seenAt: '2026-11-20T00:00:00.000Z' };
}

const versions = (list: AttestedVersion[]): string[] => list.map((entry) => entry.version);

/** The same contract for every store. */
for (const [kind, create] of [
  ['memory', () => new MemoryAttestationHistory()],
  ['file', () => new FileAttestationHistory(tempDirectory())],
] as [string, () => AttestationHistoryStore][]) {
  describe(`${kind} attestation history`, () => {
    it('answers the attested versions older than the one asked about, once per version and build', () => {
      const history = create();
      history.record(CHANNEL, 'OpenSSL', seen('1.1.1l', 'h1'));
      history.record(`${CHANNEL}/`, 'openssl', seen('1.1.1l', 'h1'));
      history.record(CHANNEL, 'openssl', seen('1.1.1l', 'h2'));
      history.record(CHANNEL, 'openssl', seen('3.0.0'));
      assert.deepEqual(versions(history.earlierAttested(CHANNEL, 'openssl', '3.0.0')), ['1.1.1l', '1.1.1l']);
      assert.deepEqual(versions(history.earlierAttested(CHANNEL, 'OPENSSL', '3.1')), ['1.1.1l', '1.1.1l', '3.0.0']);
      assert.deepEqual(history.earlierAttested(CHANNEL, 'openssl', '1.0'), []);
      assert.deepEqual(history.earlierAttested('https://prefix.dev/other', 'openssl', '3.1'), []);
    });

    it('keeps names that are Object.prototype members apart, and pollutes nothing', () => {
      const history = create();
      const hostile = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
      for (const [index, name] of hostile.entries()) {
        history.record('', name, seen(`1.${index}`));
        history.record('__proto__', name, seen(`2.${index}`));
      }
      for (const [index, name] of hostile.entries()) {
        assert.deepEqual(versions(history.earlierAttested('', name, '9')), [`1.${index}`], name);
        assert.deepEqual(versions(history.earlierAttested('__proto__', name, '9')), [`2.${index}`], name);
      }
      assert.deepEqual(history.earlierAttested('', 'valueOf', '9'), []);
      assert.equal(Object.getPrototypeOf({}), Object.prototype);
      assert.equal(({} as Record<string, unknown>).version, undefined);
    });
  });
}

describe('file attestation history', () => {
  it('writes on flush, only when something was recorded, and a new store reads it back', async () => {
    const cacheDir = tempDirectory();
    const path = historyFile(cacheDir);
    const first = new FileAttestationHistory(cacheDir);
    await first.flush();
    assert.equal(existsSync(path), false);
    for (const name of ['constructor', '__proto__', 'openssl']) first.record('', name, seen('1.0', 'h0'));
    first.record(CHANNEL, 'openssl', seen('1.1'));
    await first.flush();
    assert.deepEqual(readdirSync(dirname(path)), ['history.json']);
    const again = new FileAttestationHistory(cacheDir);
    for (const name of ['constructor', '__proto__', 'openssl'])
      assert.deepEqual(again.earlierAttested('', name, '2'), [seen('1.0', 'h0')], name);
    assert.deepEqual(again.earlierAttested(CHANNEL, 'openssl', '2'), [seen('1.1')]);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, 'utf8'))), [
      '|constructor',
      '|__proto__',
      '|openssl',
      `${CHANNEL}|openssl`,
    ]);
  });

  it('merges what another run wrote since it read the file', async () => {
    const cacheDir = tempDirectory();
    const one = new FileAttestationHistory(cacheDir);
    const two = new FileAttestationHistory(cacheDir);
    one.record(CHANNEL, 'openssl', seen('1.0'));
    two.record(CHANNEL, 'openssl', seen('1.1'));
    two.record(CHANNEL, 'zlib', seen('1.2'));
    await Promise.all([one.flush(), two.flush()]);
    const after = new FileAttestationHistory(cacheDir);
    assert.deepEqual(versions(after.earlierAttested(CHANNEL, 'openssl', '9')).sort(), ['1.0', '1.1']);
    assert.deepEqual(versions(after.earlierAttested(CHANNEL, 'zlib', '9')), ['1.2']);
  });

  it('loses no entry when several processes flush at once', async () => {
    const cacheDir = tempDirectory();
    const module = pathToFileURL(join(projectRoot, 'src/attest/history.ts')).href;
    const writers = 5;
    const script = `
      const { FileAttestationHistory } = await import(${JSON.stringify(module)});
      const [cacheDir, writer, at] = process.argv.slice(1);
      const history = new FileAttestationHistory(cacheDir);
      for (let i = 0; i < 4; i++)
        history.record('conda-forge', 'pkg-' + i, { version: writer + '.' + i, signer: 's', seenAt: 't' });
      await new Promise((resolve) => setTimeout(resolve, Number(at) - Date.now()));
      await history.flush();`;
    // every writer flushes at the same moment, once all have started and read the (empty) file
    const at = Date.now() + 1_000;
    const run = (writer: number) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', script, cacheDir, String(writer), String(at)],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer}: ${stderr}`))));
      });
    await Promise.all(Array.from({ length: writers }, (_, writer) => run(writer + 1)));
    const history = new FileAttestationHistory(cacheDir);
    for (let i = 0; i < 4; i++) {
      const expected = Array.from({ length: writers }, (_, writer) => `${writer + 1}.${i}`);
      assert.deepEqual(versions(history.earlierAttested('conda-forge', `pkg-${i}`, '99')).sort(), expected);
    }
    assert.deepEqual(readdirSync(join(cacheDir, 'attestations')), ['history.json']);
  });

  it('reads a corrupt file or malformed entries as less history, and rewrites the file whole', async () => {
    const cacheDir = tempDirectory();
    const path = historyFile(cacheDir);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"|openssl": [');
    const corrupt = new FileAttestationHistory(cacheDir);
    assert.deepEqual(corrupt.earlierAttested('', 'openssl', '9'), []);
    writeFileSync(
      path,
      JSON.stringify({
        '|openssl': [seen('1.0'), { version: 2, signer: 's', seenAt: 't' }, { version: '1.1', build: 7 }, null],
        '|zlib': 'not a list',
      }),
    );
    const partial = new FileAttestationHistory(cacheDir);
    assert.deepEqual(partial.earlierAttested('', 'openssl', '9'), [seen('1.0')]);
    partial.record('', 'zlib', seen('1.3'));
    await partial.flush();
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { '|openssl': [seen('1.0')], '|zlib': [seen('1.3')] });
  });

  it('waits while another run holds the lock', async () => {
    const cacheDir = tempDirectory();
    const path = historyFile(cacheDir);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, '');
    const history = new FileAttestationHistory(cacheDir);
    history.record('', 'openssl', seen('1.0'));
    const flushed = history.flush();
    await delay(300);
    assert.equal(existsSync(path), false);
    rmSync(`${path}.lock`);
    await flushed;
    assert.deepEqual(new FileAttestationHistory(cacheDir).earlierAttested('', 'openssl', '9'), [seen('1.0')]);
  });

  it('breaks a lock left behind by a run that died holding it', async () => {
    const cacheDir = tempDirectory();
    const path = historyFile(cacheDir);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    const history = new FileAttestationHistory(cacheDir);
    history.record('', 'openssl', seen('1.0'));
    const started = Date.now();
    await history.flush();
    assert.ok(Date.now() - started < 2_000);
    assert.deepEqual(readdirSync(dirname(path)), ['history.json']);
  });
});
