/**
 * Every command's name, arguments and flags, and nothing else: the command that runs is loaded
 * when it runs (`import()` in each action), so `--version`, `--help` or `inventory` never load the
 * checks, the threat-intel store, Sigstore or the report renderers they do not use.
 */
import { Command, Option } from 'commander';
import { DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL } from '../attest/statement.ts';
import { BUILD_FORMATS } from '../build/report-formats.ts';
import { forgetInputs } from '../fs/inputs.ts';
import { DEFAULT_FEEDS, EXTRA_FEEDS, feedEnvironmentVariable } from '../intel/feeds.ts';
import { FEED_NAMES } from '../intel/import/feeds.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from '../net/defaults.ts';
import { FORMAT_NAMES } from '../report/formats.ts';
import { TOOL } from '../report/report.ts';
import { withoutColour } from '../terminal/colour.ts';
import { plain } from '../text/plain.ts';
import type { AgentCommandOptions } from './agent.ts';
import type { SignCommandOptions, VerifyCommandOptions } from './attest.ts';
import type { AuditCommandOptions } from './audit.ts';
import type { BuildCommandOptions } from './build.ts';
import type { ChannelAuditCommandOptions } from './channel-audit.ts';
import type { CoverageOptions } from './coverage.ts';
import type { DbImportOptions, DbStatusOptions } from './db-import.ts';
import type { DbUpdateOptions } from './db-update.ts';
import type { DiffCommandOptions } from './diff.ts';
import type { FixCommandOptions } from './fix.ts';
import type { McpCommandOptions } from './mcp.ts';
import type { ProxyServeOptions } from './proxy.ts';
import type { SbomOptions } from './sbom.ts';
import type { VerifyBundleOptions } from './verify-bundle.ts';

export const EXIT_OK = 0;

/** A repeatable option's values, in the order given. */
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** What commands report back besides their output: the exit code (0 unless a command sets it). */
export interface CommandOutcome {
  exitCode: number;
}

/** Build and sign from a front door other than `build`: the operator's settings, off by default. */
function withSideEffectOptions(command: Command): Command {
  return command
    .option(
      '--allow-side-effects',
      'add rattler_build, sign_artifact and publish_artifact: each needs a PASS verdict of the same bytes and a person approving it at the client',
    )
    .option('--build-command <cmd>', 'with --allow-side-effects: the builder (default: rattler-build from PATH)')
    .option('--pass-env <name>', 'with --allow-side-effects: a variable the builder may see (repeatable)', collect)
    .option('--output-dir <dir>', 'where build runs (and agent transcripts) go (default ./cvebuild-runs)')
    .option('--target-platform <platform>', 'with --allow-side-effects: the conda subdir to build for (default noarch)')
    .option('--key <file>', 'with --allow-side-effects: sign with this private key')
    .addOption(
      new Option('--sign <mode>', 'with --allow-side-effects: sign keyless (Fulcio, Rekor)').choices(['keyless']),
    )
    .option('--identity-token <token>', 'keyless: the OIDC identity token')
    .option('--fulcio-url <url>', 'keyless: Fulcio')
    .option('--rekor-url <url>', 'keyless: Rekor')
    .option('--channel <url>', 'the channel URL signed packages are published to')
    .option(
      '--publish-url <url>',
      'with --allow-side-effects: the prefix.dev server publish_artifact uploads to (token in $PREFIX_API_KEY)',
    )
    .option('--publish-channel <name>', 'with --allow-side-effects: the channel on that server');
}

export function buildProgram(output: (text: string) => void, outcome: CommandOutcome = { exitCode: EXIT_OK }): Command {
  const program = new Command('cvebuild')
    .description('Supply-chain security gate for conda, pixi and PyPI projects')
    .version(TOOL.version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: output,
      writeErr: (text) => process.stderr.write(text),
      // commander quotes the arguments it rejects (an unknown option, a bad choice): from outside.
      // One line, like every other error (a suggestion reads `…'--fromat'\n(Did you mean --format?)`).
      outputError: (text, write) => write(`${plain(text.replace(/\n$/, ''))}\n`),
    })
    .hook('preAction', (_program, command) => {
      forgetInputs();
      if (command.opts().color === false) withoutColour(process.env);
    });

  program
    .command('inventory')
    .description(
      'list every package a project resolves to (pixi.lock, conda-lock, environment.yml, prefix, recipe, package archives)',
    )
    .argument('[path]', 'project directory or input file', '.')
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform (subdir such as linux-64, or a pixi.lock v7 platform name)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(noColourOption())
    .action(async (path: string, options: { env?: string; platform?: string; format: 'table' | 'json' }) => {
      const { inventoryCommand } = await import('./inventory.ts');
      output(await inventoryCommand(path, options));
    });
  addCoverageCommand(program, output);
  withEngineOptions(program.command('gate'))
    .description(
      'apply the policy to every check and decide: exit 0 pass, 1 fail, 2 could not run (bad input, missing or stale threat data)',
    )
    .action(async (path: string, options: AuditCommandOptions) => {
      const { auditCommand } = await import('./audit.ts');
      const result = await auditCommand(path, options, 'gate');
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  withEngineOptions(program.command('audit'))
    .description('the gate in report-only mode: the same checks, policy and reports, exit 0 whatever the verdict')
    .action(async (path: string, options: AuditCommandOptions) => {
      const { auditCommand } = await import('./audit.ts');
      const result = await auditCommand(path, options, 'audit');
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  withReportOptions(withRunOptions(program.command('scan-code')))
    .description(
      "scan the project's own files: SAST on Python code and recipe scripts, and committed secrets (exit 0 pass, 1 fail, 2 could not run)",
    )
    .argument('[path]', 'directory (or one file) to scan', '.')
    .option('--checks <ids>', 'code checks to run: sast, secrets (default: those the policy enables)')
    .action(async (path: string, options: AuditCommandOptions) => {
      const { auditCommand } = await import('./audit.ts');
      const result = await auditCommand(path, options, 'scan-code');
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  withRunOptions(withSettingsOptions(program.command('diff')))
    .description(
      'review a lock update: what changed per environment and platform, red flags, and the checks on what is new',
    )
    .argument('<old>', 'the lock (or project directory) before the update')
    .argument('<new>', 'the lock (or project directory) after the update')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--db <file>', 'threat-intel store, or threat-data files / a directory to load for this run')
    .option('--checks <ids>', "checks to run on the new packages (comma-separated; 'none' for none)")
    .option('--policy <file>', "policy file (default: the new project's cvebuild.toml or [tool.cvebuild])")
    .addOption(noColourOption())
    .action(async (oldPath: string, newPath: string, options: DiffCommandOptions) => {
      const { diffCommand } = await import('./diff.ts');
      const result = await diffCommand(oldPath, newPath, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
  addFixCommand(program, output, outcome);
  addBuildCommand(program, output, outcome);
  withSideEffectOptions(
    program
      .command('agent')
      .description(
        "review a project with a model orchestrating the gate's tools: the gate decides, the model can only raise PASS to HOLD; with --build it builds and signs, each step approved at the terminal (exit 0 PASS, 1 HOLD or FAIL, 2 could not run)",
      )
      .argument('[path]', 'project directory, lock file or recipe directory', '.')
      .option(
        '--model-url <url>',
        'an OpenAI-compatible endpoint (LM Studio, Ollama, vLLM…; default $CVEBUILD_MODEL_URL); key in $CVEBUILD_MODEL_API_KEY',
      )
      .option('--model <name>', 'the model at that endpoint (default $CVEBUILD_MODEL)')
      .option('--anthropic-model <name>', 'an Anthropic model instead (key in $ANTHROPIC_API_KEY)')
      .option('--anthropic-url <url>', "Anthropic's API base URL (default the public one)")
      .option('--build', 'after a PASS, build the recipe and sign the artifacts (needs --allow-side-effects)')
      .option('--root <dir>', 'tool paths must lie inside this directory (default: the working directory)')
      .option('--db <file>', 'threat-intel store (default: $CVEBUILD_DB or the user cache)')
      .option('--offline', 'no network lookups in any tool (the model endpoint is still called)')
      .option('--now <time>', 'the time the checks consider now (ISO 8601)')
      .option('--max-steps <n>', 'most model steps (default 30)')
      .addOption(new Option('--format <format>', 'report on stdout').choices(['text', 'json']).default('text')),
  ).action(async (path: string, options: AgentCommandOptions) => {
    const { agentCommand } = await import('./agent.ts');
    const result = await agentCommand(path, options);
    output(result.text);
    outcome.exitCode = result.exitCode;
  });
  withSideEffectOptions(
    program
      .command('mcp')
      .description(
        "serve the pipeline's tools to MCP clients (Claude Desktop, VS Code, Cursor…): stdio by default, or streamable HTTP on 127.0.0.1",
      )
      .option('--http', 'serve streamable HTTP on 127.0.0.1 instead of stdio, with a bearer token')
      .option('--port <port>', 'with --http: the port (default: any free one, printed on stderr)')
      .option('--root <dir>', 'tool paths must lie inside this directory (default: the working directory)')
      .option('--db <file>', 'threat-intel store (default: $CVEBUILD_DB or the user cache)')
      .option('--offline', 'no network lookups in any tool')
      .option('--now <time>', 'the time the checks consider now (ISO 8601)'),
  ).action(async (options: McpCommandOptions) => {
    const { mcpCommand } = await import('./mcp.ts');
    await mcpCommand(options);
  });
  addProxyCommands(program);
  addSbomCommand(program, output);
  addAttestCommands(program, output, outcome);
  addDbCommands(program, output);
  addChannelCommands(program, output, outcome);
  return program;
}

function addProxyCommands(program: Command): void {
  const proxy = program
    .command('proxy')
    .description('the install-time quarantine proxy for conda channels and PyPI indexes');
  proxy
    .command('serve')
    .description(
      'serve filtered conda channels and PyPI indexes: what the policy or the quarantine list blocks is withheld from metadata and refused at download',
    )
    .requiredOption('--config <file>', 'the proxy configuration (TOML; see the README)')
    .option('--port <port>', "listen on this port instead of the configuration's")
    .action(async (options: ProxyServeOptions) => {
      const { proxyServeCommand } = await import('./proxy.ts');
      await proxyServeCommand(options);
    });
  proxy
    .command('check')
    .description('validate a proxy configuration and exit')
    .requiredOption('--config <file>', 'the proxy configuration (TOML)')
    .action(async (options: ProxyServeOptions) => {
      const { proxyCheckCommand } = await import('./proxy.ts');
      process.stdout.write(proxyCheckCommand(options));
    });
}

/** Everything `gate` and `audit` share: they are one engine. */
function withEngineOptions(command: Command): Command {
  return withReportOptions(withRunOptions(withSettingsOptions(command)))
    .argument('[path]', 'project directory or input file', '.')
    .option(
      '--db <file>',
      'threat-intel store (default: $CVEBUILD_DB or the user cache), or threat-data files / a directory to load for this run',
    )
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform')
    .option('--checks <ids>', 'comma-separated checks to run (default: those the policy enables)');
}

/** `--no-color` for the commands that colour or show progress (NO_COLOR and FORCE_COLOR are read too). */
const noColourOption = () => new Option('--no-color', 'no colour on the terminal (as NO_COLOR=1 does)');

/** The policy file and the report destinations, shared by every command that applies the policy. */
function withReportOptions(command: Command): Command {
  return command
    .option('--policy <file>', 'policy file (default: cvebuild.toml, or [tool.cvebuild] in pyproject.toml / pixi.toml)')
    .option('--format <format>', `report on stdout: ${FORMAT_NAMES.join(', ')} (default: table)`)
    .option(
      '--output <[format=]file...>',
      'also write a report to a file; the format comes from the name (.sarif, .cdx.json, .html, .md, .json) or FORMAT=FILE',
    )
    .addOption(noColourOption());
}

/** Overrides of the policy and of the clock, shared by every command that runs the checks. */
function withRunOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--fail-on <severity>', 'override the policy: fail on findings at or above this severity').choices([
        'low',
        'medium',
        'high',
        'critical',
      ]),
    )
    .option('--max-db-age <duration>', 'override the policy: oldest threat data accepted (default 48h)')
    .option('--offline', 'no network lookups (checks say what they could not check)')
    .addOption(new Option('--now <time>', 'evaluate as of this time (ISO 8601), for reproducible runs').hideHelp());
}

/** The flags that fill the checks' settings, shared by `audit` and `diff`. */
function withSettingsOptions(command: Command): Command {
  return command
    .option('--cooldown <cutoff>', 'cooldown replacing the manifest exclude-newer (7d, a date, RFC 3339)')
    .addOption(
      new Option('--cooldown-unknown-timestamp <action>', 'conda records without a build time').choices([
        'warn',
        'fail',
        'ignore',
      ]),
    )
    .option('--allow-name <name...>', 'names never flagged as typosquats')
    .option('--private-source <url...>', 'channel or index URL prefixes that are private')
    .option('--private-name <name...>', 'names that must only come from private sources')
    .option(
      '--packages <dir...>',
      'directories with package archives to inspect (link scripts, recipe patches that fix CVEs)',
    );
}

function addCoverageCommand(program: Command, output: (text: string) => void): void {
  program
    .command('coverage')
    .description(
      'how each package maps to an advisory source (lock purl, name map, upstream product, PyPI name) or why none',
    )
    .argument('[path]', 'project directory or input file', '.')
    .option(
      '--db <file>',
      'threat-intel store (default: $CVEBUILD_DB or the user cache), or threat-data files / a directory to load for this run',
    )
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--output <file>', 'write the listing to this file instead of standard output')
    .option('--policy <file>', 'policy file (for its max-db-age)')
    .option('--max-db-age <duration>', 'override the policy: oldest threat data accepted (default 48h)')
    .option('--offline', 'accepted for symmetry with the gate: coverage makes no network lookups')
    .addOption(new Option('--now <time>', 'evaluate as of this time (ISO 8601), for reproducible runs').hideHelp())
    .addOption(noColourOption())
    .action(async (path: string, options: CoverageOptions) => {
      const { coverageCommand } = await import('./coverage.ts');
      const text = await coverageCommand(path, options);
      if (text !== undefined) output(text);
    });
}

function addFixCommand(program: Command, output: (text: string) => void, outcome: CommandOutcome): void {
  program
    .command('fix')
    .description(
      'for each package the gate blocks on advisories: the lowest release its channel or index offers that clears them, and the manifest constraint that gets there; --apply writes the constraints, never the lock (exit 0 every blocked package has a confirmed fix, 1 some have none, 2 could not run)',
    )
    .argument('[path]', 'project directory, lock or manifest', '.')
    .option(
      '--apply',
      'write the constraints into the manifests (comments and layout kept), then run the printed pixi update',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option(
      '--channel <[name=]url|dir>',
      "read conda repodata here instead of the lock's channel (repeatable; NAME= replaces only that channel)",
      collect,
    )
    .option('--index <url>', "read PyPI releases from this simple index instead of the lock's")
    .option(
      '--db <file>',
      'threat-intel store (default: $CVEBUILD_DB or the user cache), or threat-data files / a directory to load for this run',
    )
    .option('--policy <file>', 'policy file (default: cvebuild.toml, or [tool.cvebuild] in pyproject.toml / pixi.toml)')
    .addOption(
      new Option('--fail-on <severity>', 'override the policy: fix findings at or above this severity').choices([
        'low',
        'medium',
        'high',
        'critical',
      ]),
    )
    .option('--max-db-age <duration>', 'override the policy: oldest threat data accepted (default 48h)')
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform')
    .option('--timeout <seconds>', `per-request timeout (default ${DEFAULT_TIMEOUT_MS / 1000})`)
    .option('--offline', 'no network: only cached repodata and index pages, and versions not confirmed are said so')
    .addOption(new Option('--now <time>', 'evaluate as of this time (ISO 8601), for reproducible runs').hideHelp())
    .action(async (path: string, options: FixCommandOptions) => {
      const { fixCommand } = await import('./fix.ts');
      const result = await fixCommand(path, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
}

function addBuildCommand(program: Command, output: (text: string) => void, outcome: CommandOutcome): void {
  program
    .command('build')
    .description(
      'build a conda recipe through the gate: typosquat, threat intel, solving the requirements, CVE audit, SAST and secrets before the build, a scan of the artifacts after it, then sign, SBOM and SLSA provenance (exit 0 pass, 1 a stage halted, 2 could not run)',
    )
    .argument('<recipe-dir>', 'directory holding recipe.yaml (rattler-build) or meta.yaml (conda-build)')
    .option('--output-dir <dir>', 'where run directories go (default ./cvebuild-runs)')
    .option(
      '--build-command <cmd>',
      'shell command that builds (given RECIPE_DIR, WORK_DIR, OUTPUT_DIR, TARGET_PLATFORM); default: rattler-build from PATH',
    )
    .option(
      '--pass-env <name>',
      'pass this environment variable to the builder (repeatable); nothing else is passed',
      collect,
    )
    .option('--timeout <seconds>', 'stop the builder after this many seconds (default 3600)')
    .option('--resume <run-dir>', 'an earlier run: stages whose inputs did not change are not run again')
    .option(
      '--channel <url>',
      'solve the build, host and run requirements against this channel (repeatable, in priority order: an http(s) URL or a name under conda.anaconda.org); without one, and without a pixi.lock beside the recipe, requirements are audited as written',
      collect,
    )
    .option('--target-platform <platform>', 'the conda subdir to build for (default noarch: solved for this machine)')
    .option('--key <file>', 'sign each artifact that passed with this private key (cvebuild keygen)')
    .addOption(
      new Option('--sign <mode>', 'sign each artifact that passed keyless: Fulcio certificate, Rekor log').choices([
        'keyless',
      ]),
    )
    .option(
      '--identity-token <token>',
      'keyless: the OIDC identity token (default: the ambient GitHub Actions token or $SIGSTORE_ID_TOKEN)',
    )
    .option('--fulcio-url <url>', `keyless: Fulcio (default ${DEFAULT_FULCIO_URL})`)
    .option('--rekor-url <url>', `keyless: Rekor (default ${DEFAULT_REKOR_URL})`)
    .option(
      '--target-channel <url>',
      'the channel URL the packages are published to, which the attestation names (default: the first --channel)',
    )
    .option(
      '--apply',
      "write the CVE audit's safe pins into the recipe after the run (the diff is in the run directory)",
    )
    .addOption(new Option('--format <format>', 'report on stdout').choices(BUILD_FORMATS).default('table'))
    .option(
      '--output <[format=]file...>',
      'also write a report to a file; the format comes from the name (.html, .sarif, .md, .json, .txt) or FORMAT=FILE',
    )
    .option('--events <file>', 'write progress as JSON lines: stage-start / stage-end and the checks of each stage')
    .option(
      '--db <file>',
      'threat-intel store (default: $CVEBUILD_DB or the user cache), or threat-data files / a directory to load for this run',
    )
    .option('--policy <file>', "policy file (default: the recipe directory's cvebuild.toml)")
    .option('--max-db-age <duration>', 'override the policy: oldest threat data accepted (default 48h)')
    .option('--offline', 'no network lookups (checks say what they could not check)')
    .addOption(new Option('--now <time>', 'evaluate as of this time (ISO 8601), for reproducible runs').hideHelp())
    .addOption(noColourOption())
    .action(async (recipeDir: string, options: BuildCommandOptions) => {
      const { buildCommand } = await import('./build.ts');
      const result = await buildCommand(recipeDir, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
}

function addSbomCommand(program: Command, output: (text: string) => void): void {
  program
    .command('sbom')
    .description('write a software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON) of every resolved package')
    .argument('[path]', 'project directory or input file', '.')
    .addOption(new Option('--format <format>', 'SBOM format').choices(['cyclonedx', 'spdx']).default('cyclonedx'))
    .option('--output <file>', 'write the SBOM to this file instead of standard output')
    .option('--env <name>', 'only this environment')
    .option('--platform <platform>', 'only this platform (subdir such as linux-64, or a pixi.lock v7 platform name)')
    .addOption(new Option('--now <time>', 'creation time to record (ISO 8601), for reproducible documents').hideHelp())
    .action(async (path: string, options: SbomOptions) => {
      const { sbomCommand } = await import('./sbom.ts');
      const text = await sbomCommand(path, options);
      if (text !== undefined) output(text);
    });
}

function addAttestCommands(program: Command, output: (text: string) => void, outcome: CommandOutcome): void {
  program
    .command('keygen')
    .description('create an ECDSA P-256 key pair for keyed (offline) signing: PREFIX.key (secret) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .action(async (options: { out: string }) => {
      const { keygenCommand } = await import('./attest.ts');
      output(keygenCommand(options.out));
    });

  program
    .command('sign')
    .description('sign a .conda / .tar.bz2 package with a CEP-27 attestation (Sigstore bundle v0.3, DSSE)')
    .argument('<package>', 'the package file, named as the channel serves it')
    .requiredOption('--channel <url>', 'the channel URL the package is published to (predicate.targetChannel)')
    .option('--key <file>', 'sign with this private key (cvebuild keygen) instead of keyless: offline, no Rekor')
    .option(
      '--identity-token <jwt>',
      'keyless: the OIDC identity token (default: the ambient GitHub Actions token or $SIGSTORE_ID_TOKEN)',
    )
    .option('--fulcio-url <url>', `keyless: Fulcio (default ${DEFAULT_FULCIO_URL})`)
    .option('--rekor-url <url>', `keyless: Rekor (default ${DEFAULT_REKOR_URL})`)
    .option('--output <file>', "write the bundle here (default: PACKAGE.sigstore.json; '-' for standard output)")
    .option('--sidecar [file]', 'append the bundle to a .sigs JSON array instead (default: PACKAGE.sigs)')
    .option('--force', 'overwrite an existing --output file')
    .action(async (path: string, options: SignCommandOptions) => {
      const { signCommand } = await import('./attest.ts');
      output(await signCommand(path, options, output));
    });

  program
    .command('verify')
    .description(
      'verify a package against its CEP-27 attestation, or the packages of a build against its SLSA provenance (--bundle): exit 0 verified, 1 rejected, 2 could not run (bad input)',
    )
    .argument('<packages...>', 'the package file (several: the packages a build provenance names)')
    .option(
      '--bundle <file>',
      'a Sigstore bundle (a CEP-27 attestation or a build provenance) or a .sigs / .v0.sigs array (default: PACKAGE.sigstore.json, .sigs or .v0.sigs beside it)',
    )
    .option('--url <url>', "the package's URL in its channel: fetch its .sigs / .v0.sigs sidecar from there")
    .option(
      '--channel <url>',
      'the channel the package came from: predicate.targetChannel must name it (default with --url: its channel)',
    )
    .option('--identity <identity>', 'keyless: the signer identity (certificate SAN), exactly')
    .option('--identity-regexp <regexp>', 'keyless: a regular expression the whole signer identity must match')
    .option('--issuer <url>', 'keyless: the OIDC issuer, exactly (e.g. https://token.actions.githubusercontent.com)')
    .option('--key <file>', 'keyed: the public key (PEM) the bundle must be signed with')
    .option('--trusted-root <file>', "a trusted_root.json instead of Sigstore's production root (shipped offline)")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (paths: string[], options: VerifyCommandOptions) => {
      const { verifyCommand } = await import('./attest.ts');
      const result = await verifyCommand(paths, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });

  program
    .command('verify-bundle')
    .description(
      'verify any Sigstore bundle (message signature or DSSE), or a PyPI PEP 740 attestation / provenance, for an artifact: exit 0 verified, 1 rejected, 2 could not run (bad input)',
    )
    .argument('<artifact>', 'the artifact file, or sha256:<hex> when only its digest is at hand')
    .requiredOption('--bundle <file>', 'the Sigstore bundle, or a PEP 740 attestation or provenance object')
    .option('--name <filename>', "with sha256:<hex>: the artifact's file name, which a PEP 740 statement must name")
    .option('--identity <identity>', 'keyless: the signer identity (certificate SAN), exactly')
    .option('--identity-regexp <regexp>', 'keyless: a regular expression the whole signer identity must match')
    .option('--issuer <url>', 'keyless: the OIDC issuer, exactly (e.g. https://token.actions.githubusercontent.com)')
    .option('--key <file>', 'keyed: the public key (PEM) the bundle must be signed with')
    .option('--trusted-root <file>', "a trusted_root.json instead of Sigstore's production root (shipped offline)")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (artifact: string, options: VerifyBundleOptions) => {
      const { verifyBundleCommand } = await import('./verify-bundle.ts');
      const result = await verifyBundleCommand(artifact, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
}

const STORE_HELP = 'threat-intel store (default: $CVEBUILD_DB or the user cache)';

function addDbCommands(program: Command, output: (text: string) => void): void {
  const db = program.command('db').description('manage the local threat-intel store (advisories, KEV, name maps)');
  db.command('import')
    .description(
      'import threat-intel files offline: OSV records (file, JSON-lines, directory, zip), CISA KEV, NVD, OpenSSL CVE 5, curl vuln.pm, parselmouth, top-pypi, feedstock-outputs, malicious names',
    )
    .argument('<paths...>', 'feed files or directories of OSV records')
    .option('--db <file>', `${STORE_HELP}; created if missing`)
    .addOption(
      new Option('--feed <name>', 'the feed these files belong to (recognised from the content by default)').choices(
        FEED_NAMES,
      ),
    )
    .action(async (paths: string[], options: DbImportOptions) => {
      const { dbImportCommand } = await import('./db-import.ts');
      output(await dbImportCommand(paths, options));
    });
  db.command('status')
    .description('show the store: schema, each feed (source, age, records, checksum) and totals')
    .option('--db <file>', STORE_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (options: DbStatusOptions) => {
      const { dbStatusCommand } = await import('./db-import.ts');
      output(dbStatusCommand(options));
    });
  const defaults = DEFAULT_FEEDS.map((feed) => feed.name).join(', ');
  db.command('update')
    .description(`download the threat-intel feeds (${defaults}) and import them`)
    .option('--db <file>', 'threat-intel store, created if missing (default: $CVEBUILD_DB or the user cache)')
    .option(
      '--feed <name=url>',
      'download feed NAME from URL instead (repeatable; also CVEBUILD_FEED_<NAME>)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--only <names>', 'only these feeds (comma-separated)')
    .option('--timeout <seconds>', `per-request timeout (default ${DEFAULT_TIMEOUT_MS / 1000})`)
    .option('--retries <n>', `retries after a network error, 5xx or 429 (default ${DEFAULT_RETRIES})`)
    .option('--keep-going', 'import the feeds that downloaded even when another failed (still exits 2)')
    .addOption(noColourOption())
    .addHelpText('after', feedHelp)
    .action(async (options: DbUpdateOptions) => {
      const { dbUpdateCommand } = await import('./db-update.ts');
      const result = await dbUpdateCommand(options);
      output(result.text);
      if (result.failure) throw result.failure;
    });
}

function addChannelCommands(program: Command, output: (text: string) => void, outcome: CommandOutcome): void {
  const channel = program.command('channel').description('look at a whole conda channel');
  channel
    .command('audit')
    .description(
      'the channel-wide CVE map: which advisories and malicious reports affect which versions and builds of every package, and the lowest safe version; incremental (exit 0 whatever it finds unless --fail; 2 could not run)',
    )
    .argument('<channel>', 'channel URL (http(s), file:) or local directory')
    .option(
      '--subdir <subdir>',
      "audit this subdir (repeatable; default: channeldata.json's subdirs, else the usual ones that exist)",
      collect,
    )
    .option('--since <time>', 'only records built after this time (RFC 3339, a date, or a duration such as 7d)')
    .option('--newest <n>', 'only the newest N versions of each package name (per subdir)')
    .option(
      '--db <file>',
      'threat-intel store (default: $CVEBUILD_DB or the user cache), or threat-data files / a directory to load for this run',
    )
    .option('--max-db-age <duration>', 'oldest threat data accepted (default 48h)')
    .option('--policy <file>', 'policy file (for its max-db-age)')
    .option(
      '--state <file>',
      'where results are kept between runs, so a rerun audits only new records (default: channel-audit.sqlite in the user cache)',
    )
    .option('--format <format>', 'map on stdout: table, json, html (default: table)')
    .option(
      '--output <[format=]file...>',
      'also write the map to a file; the format comes from the name (.json, .html, .txt) or FORMAT=FILE',
    )
    .option('--fail', 'exit 1 when any record is affected or some names could not be checked')
    .option('--quiet', 'no progress on standard error')
    .addOption(new Option('--batch-size <n>', 'records per engine run (default 10000)').hideHelp())
    .addOption(new Option('--now <time>', 'evaluate as of this time (ISO 8601), for reproducible runs').hideHelp())
    .action(async (url: string, options: ChannelAuditCommandOptions) => {
      const { channelAuditCommand } = await import('./channel-audit.ts');
      const result = await channelAuditCommand(url, options);
      output(result.text);
      outcome.exitCode = result.exitCode;
    });
}

/** `db update --help` lists each feed with its URL and the variable that redirects it. */
function feedHelp(): string {
  const rows = [...DEFAULT_FEEDS, ...EXTRA_FEEDS].map((feed) => ({
    feed,
    note: DEFAULT_FEEDS.includes(feed) ? (feed.required ? '' : ' (optional)') : ' (only with --only or --feed)',
  }));
  const lines = rows.map(
    ({ feed, note }) => `  ${feed.name}${note}\n    ${feed.url}\n    ${feedEnvironmentVariable(feed.name)}`,
  );
  return `\nFeeds:\n${lines.join('\n')}\n`;
}
