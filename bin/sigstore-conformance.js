#!/usr/bin/env node
// The sigstore-conformance client protocol (sigstore/sigstore-conformance docs/cli_protocol.md) on
// top of `cvebuild verify-bundle`, so the suite drives the real command line:
//
//   sigstore-conformance.js verify-bundle [--staging] --bundle FILE
//       (--certificate-identity ID --certificate-oidc-issuer URL | --key FILE) [--trusted-root FILE] FILE_OR_DIGEST
//
// becomes `cvebuild verify-bundle FILE_OR_DIGEST --bundle FILE --identity ID --issuer URL …` (or
// `--key`), run by the ordinary launcher in this process: exit 0 verified, non-zero otherwise.
// `sign-bundle` is refused: it needs Sigstore's public Fulcio and Rekor with the suite's token,
// and cvebuild signs conda packages (CEP 27), not arbitrary files.
import { fileURLToPath } from 'node:url';

const RENAMED = {
  '--bundle': '--bundle',
  '--certificate-identity': '--identity',
  '--certificate-oidc-issuer': '--issuer',
  '--key': '--key',
  '--trusted-root': '--trusted-root',
};

function fail(message) {
  process.stderr.write(`sigstore-conformance: ${message}\n`);
  process.exit(2);
}

const [subcommand, ...rest] = process.argv.slice(2);
if (subcommand === 'sign-bundle') {
  fail(
    'sign-bundle is not supported: cvebuild verifies any Sigstore bundle but signs only conda packages (cvebuild sign)',
  );
}
if (subcommand !== 'verify-bundle') fail(`unknown subcommand ${JSON.stringify(subcommand ?? '')}`);

const mapped = [];
const positional = [];
let staging = false;
for (let index = 0; index < rest.length; index++) {
  const argument = rest[index];
  if (argument === '--staging') {
    staging = true;
  } else if (Object.hasOwn(RENAMED, argument)) {
    const value = rest[++index];
    if (value === undefined) fail(`${argument} needs a value`);
    mapped.push(RENAMED[argument], value);
  } else if (argument.startsWith('--')) {
    fail(`unknown option ${JSON.stringify(argument)}`);
  } else {
    positional.push(argument);
  }
}
if (positional.length !== 1) fail('give exactly one FILE_OR_DIGEST');
// cvebuild carries the production trusted root offline; staging's must be given
if (staging && !mapped.includes('--trusted-root')) {
  fail("--staging needs --trusted-root: cvebuild has no offline copy of the staging instance's trusted root");
}

// the launcher reads its arguments from process.argv; `--` keeps an artifact named like an option an operand
const launcher = fileURLToPath(new URL('./cvebuild.js', import.meta.url));
process.argv = [process.argv[0], launcher, 'verify-bundle', ...mapped, '--', positional[0]];
await import('./cvebuild.js');
