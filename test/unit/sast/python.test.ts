import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeFile } from '../../../src/code/types.ts';
import { MAX_HITS_PER_FILE, MAX_PYTHON_LINES, scanPython } from '../../../src/sast/python.ts';
import { PYTHON_RULES } from '../../../src/sast/rules/index.ts';
import { PYTHON_NESTING } from '../../helpers/bombs.ts';
import { writeTemp } from '../../helpers/temp.ts';

function file(name: string, content: string | Uint8Array): CodeFile {
  const absolute = writeTemp(name, content);
  return { path: name, absolute, size: content.length };
}

/** Rule ids reported per 1-based line of `source`: `['3:eval', …]`. */
async function scan(source: string): Promise<string[]> {
  const { hits } = await scanPython([file('case.py', source)]);
  return hits.map((hit) => `${hit.line}:${hit.rule}`);
}

/** Each case: code that must be flagged with `rule` (positives) and code that must not (negatives). */
const CASES: { rule: string; positive: string[]; negative: string[] }[] = [
  {
    rule: 'subprocess-shell-true',
    positive: [
      'import subprocess\nsubprocess.call(cmd, shell=True)',
      'import subprocess as sp\nsp.Popen(cmd, shell=1)',
      'from subprocess import check_output\ncheck_output(cmd, shell=flag)',
      'from subprocess import Popen as P\nP(cmd, shell=True)',
    ],
    negative: [
      'import subprocess\nsubprocess.run(["ls"], shell=False)',
      'import subprocess\nsubprocess.run(["ls"])',
      'import subprocess\nsubprocess.run(shell=True)',
    ],
  },
  {
    rule: 'os-shell-call',
    positive: [
      'import os\nos.system(cmd)',
      'from os import popen\npopen("ls")',
      'from os import system as run\nrun(x)',
    ],
    negative: ['import os\nos.listdir(x)', 'import os\nos.system()'],
  },
  { rule: 'shell-true-other-call', positive: ['helper(cmd, shell=True)'], negative: ['helper(cmd, shell=None)'] },
  { rule: 'eval', positive: ['eval(data)'], negative: ['self.eval(data)', 'ast.literal_eval(data)'] },
  { rule: 'exec', positive: ['exec(code)'], negative: ['cursor.exec(code)'] },
  {
    rule: 'pickle-load',
    positive: ['import pickle\npickle.loads(b)', 'import pickle as p\np.load(f)', 'from dill import loads\nloads(b)'],
    negative: ['import pickle\npickle.dumps(o)', 'import json\njson.loads(s)'],
  },
  {
    rule: 'marshal-load',
    positive: ['import marshal\nmarshal.loads(b)'],
    negative: ['import marshal\nmarshal.dumps(o)'],
  },
  {
    rule: 'yaml-load',
    positive: ['import yaml\nyaml.load(f)', 'import yaml\nyaml.load(f, Loader=yaml.FullLoader)'],
    negative: [
      'import yaml\nyaml.load(f, Loader=yaml.SafeLoader)',
      'import yaml\nyaml.load(f, yaml.CSafeLoader)',
      'import yaml\nyaml.safe_load(f)',
    ],
  },
  {
    rule: 'weak-hash',
    positive: ['import hashlib\nhashlib.md5(b)', 'from hashlib import sha1\nsha1(b)'],
    negative: ['import hashlib\nhashlib.md5(b, usedforsecurity=False)', 'import hashlib\nhashlib.sha256(b)'],
  },
  {
    rule: 'hashlib-new-weak',
    positive: ['import hashlib\nhashlib.new("md5")', 'import hashlib\nhashlib.new(name="MD4")'],
    negative: ['import hashlib\nhashlib.new("sha256")', 'import hashlib\nhashlib.new("md5", usedforsecurity=False)'],
  },
  {
    rule: 'tls-verify-disabled',
    positive: ['import requests\nrequests.get(u, verify=False)', 'session.post(u, verify=False)'],
    negative: ['import requests\nrequests.get(u)', 'import requests\nrequests.get(u, verify="/ca.pem")'],
  },
  {
    rule: 'tempfile-mktemp',
    positive: ['import tempfile\ntempfile.mktemp()'],
    negative: ['import tempfile\ntempfile.mkstemp()'],
  },
  {
    rule: 'bind-all-interfaces',
    positive: ['s.bind(("0.0.0.0", 80))'],
    negative: ['s.bind(("127.0.0.1", 80))', '"0.0.0.0"'],
  },
  { rule: 'hardcoded-tmp-directory', positive: ['p = "/tmp/cache"'], negative: ['p = "/var/cache"', 'b = b"/tmp/x"'] },
  {
    rule: 'jinja2-autoescape-false',
    positive: ['import jinja2\njinja2.Environment()', 'from jinja2 import Environment\nEnvironment(autoescape=False)'],
    negative: [
      'import jinja2\njinja2.Environment(autoescape=True)',
      'from jinja2 import Environment, select_autoescape\nEnvironment(autoescape=select_autoescape())',
    ],
  },
  {
    rule: 'sql-string-built',
    positive: [
      'q = "SELECT * FROM users WHERE id = " + uid',
      'cur.execute("DELETE FROM t WHERE id = %s" % uid)',
      'cur.execute(f"UPDATE t SET a = {a}")',
      'q = "INSERT INTO t VALUES ({})".format(v)',
    ],
    negative: ['cur.execute("SELECT * FROM t WHERE id = ?", (uid,))', 'msg = "please select " + "a file"'],
  },
  {
    rule: 'tarfile-extractall-unfiltered',
    positive: ['import tarfile\ntarfile.open(p).extractall(d)'],
    negative: ['import tarfile\ntarfile.open(p).extractall(d, filter="data")', 'import zipfile\nz.extractall(d)'],
  },
  { rule: 'assert-used', positive: ['assert user.is_admin'], negative: ['if not ok: raise ValueError()'] },
  {
    rule: 'try-except-pass',
    positive: ['try:\n    f()\nexcept:\n    pass', 'try:\n    f()\nexcept Exception as e:\n    pass'],
    negative: ['try:\n    f()\nexcept KeyError:\n    pass', 'try:\n    f()\nexcept Exception:\n    log()\n    pass'],
  },
  {
    rule: 'try-except-continue',
    positive: ['for x in y:\n    try:\n        f()\n    except:\n        continue'],
    negative: ['for x in y:\n    try:\n        f()\n    except OSError:\n        continue'],
  },
  {
    rule: 'ssl-insecure-version',
    positive: [
      'import ssl\nssl.wrap_socket(s, ssl_version=ssl.PROTOCOL_SSLv3)',
      'SSL.Context(method=SSL.TLSv1_METHOD)',
    ],
    negative: ['import ssl\nssl.wrap_socket(s, ssl_version=ssl.PROTOCOL_TLS_CLIENT)'],
  },
  {
    rule: 'ssl-insecure-version-default',
    positive: ['def connect(v=ssl.PROTOCOL_TLSv1): pass'],
    negative: ['def connect(v=ssl.PROTOCOL_TLS_CLIENT): pass'],
  },
  {
    rule: 'ssl-wrap-socket-no-version',
    positive: ['import ssl\nssl.wrap_socket(s)'],
    negative: ['ctx.wrap_socket(s)'],
  },
  {
    rule: 'ssl-unverified-context',
    positive: ['import ssl\nssl._create_unverified_context()'],
    negative: ['import ssl\nssl.create_default_context()'],
  },
  {
    rule: 'ssl-verification-disabled',
    positive: ['ctx.check_hostname = False', 'ctx.verify_mode = ssl.CERT_NONE'],
    negative: ['ctx.check_hostname = True', 'ctx.verify_mode = ssl.CERT_REQUIRED'],
  },
  {
    rule: 'paramiko-auto-add-policy',
    positive: ['import paramiko\nc.set_missing_host_key_policy(paramiko.AutoAddPolicy())'],
    negative: ['import paramiko\nc.set_missing_host_key_policy(paramiko.RejectPolicy())'],
  },
  {
    rule: 'random-for-security',
    positive: ['import random\nrandom.choice(xs)', 'from random import randint\ntoken = randint(0, 10**6)'],
    negative: ['import secrets\nsecrets.choice(xs)'],
  },
  {
    rule: 'xml-elementtree',
    positive: [
      'import xml.etree.ElementTree as ET\nET.parse(f)',
      'from xml.etree.ElementTree import fromstring\nfromstring(s)',
    ],
    negative: ['import defusedxml.ElementTree as ET\nET.parse(f)'],
  },
  { rule: 'xml-minidom', positive: ['from xml.dom import minidom\nminidom.parseString(s)'], negative: [] },
  { rule: 'lxml-etree', positive: ['from lxml import etree\netree.fromstring(s)'], negative: [] },
  { rule: 'urllib-urlopen', positive: ['import urllib.request\nurllib.request.urlopen(u)'], negative: [] },
  { rule: 'telnet-call', positive: ['import telnetlib\ntelnetlib.Telnet(h)'], negative: [] },
  { rule: 'ftp-call', positive: ['import ftplib as f\nf.FTP(h)', 'from ftplib import FTP\nFTP(h)'], negative: [] },
  {
    rule: 'telnet-import',
    positive: ['import telnetlib', 'from telnetlib import Telnet'],
    negative: ['import socket'],
  },
  { rule: 'ftp-import', positive: ['import ftplib'], negative: [] },
  {
    rule: 'chmod-permissive',
    positive: ['import os\nos.chmod(p, 0o777)', 'import os\nos.chmod(p, 0o750)'],
    negative: ['import os\nos.chmod(p, 0o600)', 'import os\nos.chmod(p, mode)'],
  },
  {
    rule: 'hardcoded-password-string',
    positive: ['password = "hunter2"', 'if password == "hunter2": pass'],
    negative: ['password = get_password()', 'username = "bob"'],
  },
  {
    rule: 'hardcoded-password-funcarg',
    positive: ['login(user, password="hunter2")'],
    negative: ['login(user, password=pw)'],
  },
  {
    rule: 'hardcoded-password-default',
    positive: ['def login(user, password="hunter2"): pass'],
    negative: ['def login(user, password=None): pass'],
  },
  {
    rule: 'flask-debug-true',
    positive: ['from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)'],
    negative: ['from flask import Flask\napp = Flask(__name__)\napp.run()'],
  },
  {
    rule: 'weak-cipher',
    positive: ['from Crypto.Cipher import DES\nDES.new(k)'],
    negative: ['from Crypto.Cipher import AES\nAES.new(k)'],
  },
];

describe('Python rules: planted positives and negatives', () => {
  it('every rule has a case', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    const missing = PYTHON_RULES.map((r) => r.id).filter(
      (id) => !covered.has(id) && !/^xml-|^weak-cipher-mode$/.test(id),
    );
    assert.deepEqual(missing, []);
  });
  for (const { rule, positive, negative } of CASES) {
    it(rule, async () => {
      for (const code of positive) {
        const found = await scan(code);
        assert.ok(
          found.some((entry) => entry.endsWith(`:${rule}`)),
          `expected ${rule} in:\n${code}\ngot ${found.join(', ')}`,
        );
      }
      for (const code of negative) {
        const found = await scan(code);
        assert.ok(!found.some((entry) => entry.endsWith(`:${rule}`)), `unexpected ${rule} in:\n${code}`);
      }
    });
  }
});

describe('scanPython', () => {
  it('reports positions, snippet, CWE/OWASP/Bandit ids, sorted by file, line, column, rule', async () => {
    const { hits } = await scanPython([
      file('b.py', 'import os\nx = 1\n    \nos.system("ls " + d)  # run it\n'),
      file('a.py', 'assert x\neval(y)\n'),
    ]);
    assert.deepEqual(
      hits.map((h) => [h.file, h.line, h.column, h.rule]),
      [
        ['a.py', 1, 1, 'assert-used'],
        ['a.py', 2, 1, 'eval'],
        ['b.py', 4, 1, 'os-shell-call'],
      ],
    );
    const shell = hits[2];
    assert.equal(shell?.snippet, 'os.system("ls " + d)');
    assert.equal(shell?.engine, 'cvebuild');
    assert.equal(shell?.cwe, 'CWE-78');
    assert.equal(shell?.owasp, 'A03:2021-Injection');
    assert.equal(shell?.bandit, 'B605');
    assert.equal(shell?.severity, 'high');
    assert.equal(shell?.endColumn, 21);
  });

  it('a literal shell command is low severity (Bandit)', async () => {
    const { hits } = await scanPython([file('c.py', 'import os\nos.system("ls -l")\n')]);
    assert.equal(hits[0]?.severity, 'low');
  });

  it('an alias only counts after its import, like Bandit', async () => {
    assert.deepEqual(await scan('p.loads(b)\nimport pickle as p\np.loads(b)'), ['3:pickle-load']);
  });

  it('multi-line calls span their lines; a nested call is reported too', async () => {
    const { hits } = await scanPython([
      file('m.py', 'import subprocess\nsubprocess.Popen(\n    eval(c),\n    shell=True,\n)\n'),
    ]);
    assert.deepEqual(
      hits.map((h) => [h.rule, h.line, h.endLine]),
      [
        ['subprocess-shell-true', 2, 5],
        ['eval', 3, 3],
      ],
    );
  });

  it('skips non-UTF-8 files and says why; other files still scan', async () => {
    const latin1 = Uint8Array.from([...Buffer.from('# caf'), 0xe9, ...Buffer.from('\neval(x)\n')]);
    const { hits, skipped } = await scanPython([file('latin1.py', latin1), file('ok.py', 'eval(x)\n')]);
    assert.deepEqual(
      hits.map((h) => h.file),
      ['ok.py'],
    );
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]?.path, 'latin1.py');
    assert.match(skipped[0]?.reason ?? '', /UTF-8/);
  });

  it('sets aside a file nested past the parser limits, before the parser sees it; other files still scan', async () => {
    // 511 indentation levels with a string open abort the process inside tree-sitter (exit 134).
    const { hits, skipped } = await scanPython([
      file('deep.py', PYTHON_NESTING.indent(600, 'eval("a")')),
      file('ok.py', 'eval(x)\n'),
    ]);
    assert.deepEqual(
      hits.map((hit) => hit.file),
      ['ok.py'],
    );
    assert.deepEqual(skipped, [
      { path: 'deep.py', reason: "indented 320 columns or more (the Python parser's state would overflow)" },
    ]);
  });

  it(`reports at most ${MAX_HITS_PER_FILE} hits of one file, and says the rest was not examined`, async () => {
    const { hits, skipped } = await scanPython([file('many.py', 'eval(x)\n'.repeat(MAX_HITS_PER_FILE + 50))]);
    assert.equal(hits.length, MAX_HITS_PER_FILE);
    assert.deepEqual(skipped, [
      { path: 'many.py', reason: `more than ${MAX_HITS_PER_FILE} hits (the rest was not examined)` },
    ]);
  });

  it(`does not parse a file of more than ${MAX_PYTHON_LINES} lines, and says so; one line fewer is scanned`, async () => {
    const { hits, skipped } = await scanPython([
      file('huge.py', 'eval(x)\n'.repeat(MAX_PYTHON_LINES + 1)),
      file('largest.py', `eval(x)\n${'pass\n'.repeat(MAX_PYTHON_LINES - 2)}eval(y)`),
    ]);
    assert.deepEqual(
      hits.map((hit) => `${hit.file}:${hit.line}`),
      ['largest.py:1', `largest.py:${MAX_PYTHON_LINES}`],
    );
    assert.deepEqual(skipped, [{ path: 'huge.py', reason: 'more than 50,000 lines' }]);
  });

  it('snippets come from the line, even for a node spanning a long nested call', async () => {
    const nested = `eval(${'f('.repeat(150)}x${')'.repeat(150)})\n`;
    const { hits } = await scanPython([file('nested.py', nested)]);
    assert.equal(hits[0]?.snippet, nested.trim().slice(0, 199).concat('…'));
  });

  it('missing files are skipped, not thrown', async () => {
    const { skipped } = await scanPython([{ path: 'gone.py', absolute: '/nonexistent/gone.py', size: 0 }]);
    assert.match(skipped[0]?.reason ?? '', /unreadable/);
  });

  it('marks hits Bandit 1.6.2 would not report', async () => {
    const { hits } = await scanPython([file('s.py', 'import shelve\nshelve.open(p)\nimport pickle\npickle.load(f)\n')]);
    assert.deepEqual(
      hits.map((h) => [h.rule, h.extra?.beyondBandit === true]),
      [
        ['pickle-load', true],
        ['pickle-load', false],
      ],
    );
  });

  it('rule metadata is complete', () => {
    const ids = new Set<string>();
    for (const rule of PYTHON_RULES) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(!ids.has(rule.id), rule.id);
      ids.add(rule.id);
      assert.match(rule.cwe, /^CWE-\d+$/);
      assert.match(rule.owasp, /^A\d\d:2021-/);
      if (rule.bandit) assert.match(rule.bandit, /^B\d{3}$/);
      assert.ok(rule.help.split('. ').length >= 2, `${rule.id}: help has 2–3 sentences`);
    }
  });
});
