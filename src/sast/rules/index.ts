/**
 * The Python rule pack, as data. Each rule is one Bandit family (`bandit` names the Bandit test
 * covering it) ported to ast-grep: `sg` is an ast-grep rule over the tree-sitter Python grammar
 * that selects candidate nodes, `calls` the qualified callee names a call must resolve to through
 * the file's imports (Bandit's resolution: `import pickle as p` → `p.loads` is `pickle.loads`,
 * `from subprocess import Popen` → `Popen` is `subprocess.Popen`), and `refine` the few checks
 * ast-grep cannot express (bit masks, string concatenation, keyword values that depend on others).
 *
 * Where we knowingly differ from Bandit 1.6.2 it is said at the rule. Callees listed under
 * `callsBeyondBandit` are ones Bandit 1.6.2 does not flag (newer Bandit does, or it is plainly the
 * same family): their hits carry `extra.beyondBandit` so the bench compares like with like.
 */
import { hardcodedPasswordDefault, hardcodedPasswordFuncarg, hardcodedPasswordString } from './credentials.ts';
import { hashlibNewWeak, randomForSecurity, weakCipher, weakCipherMode, weakHash } from './crypto.ts';
import { marshalLoad, pickleLoad, xmlRules, yamlLoad } from './deserialisation.ts';
import { evalCall, execCall, osShellCall, shellTrueOtherCall, subprocessShellTrue } from './exec.ts';
import { chmodPermissive, hardcodedTmpDirectory, tarfileExtractallUnfiltered, tempfileMktemp } from './filesystem.ts';
import { assertUsed, flaskDebugTrue, tryExceptContinue, tryExceptPass } from './hygiene.ts';
import { bindAllInterfaces, ftpCall, ftpImport, telnetCall, telnetImport, urllibUrlopen } from './network.ts';
import { RECIPE_RULES } from './recipe.ts';
import { jinja2AutoescapeFalse, sqlStringBuilt } from './sql-templates.ts';
import {
  paramikoAutoAddPolicy,
  sslInsecureVersion,
  sslInsecureVersionDefault,
  sslUnverifiedContext,
  sslVerificationDisabled,
  sslWrapSocketNoVersion,
  tlsVerifyDisabled,
} from './tls.ts';
import type { PythonRule, SastRuleInfo } from './types.ts';

export { escapeText as escapeRegExp, fieldOf, kindOf } from './shared.ts';
export type { PythonRule, Refinement, RuleContext, SastRuleInfo } from './types.ts';
export { RECIPE_RULES };

/** The Python pack, in the order hits are reported and SARIF lists rules. */
export const PYTHON_RULES: readonly PythonRule[] = [
  subprocessShellTrue,
  shellTrueOtherCall,
  osShellCall,
  evalCall,
  execCall,
  pickleLoad,
  marshalLoad,
  yamlLoad,
  weakHash,
  hashlibNewWeak,
  weakCipher,
  weakCipherMode,
  tlsVerifyDisabled,
  tempfileMktemp,
  bindAllInterfaces,
  hardcodedTmpDirectory,
  jinja2AutoescapeFalse,
  sqlStringBuilt,
  tarfileExtractallUnfiltered,
  assertUsed,
  tryExceptPass,
  tryExceptContinue,
  sslInsecureVersion,
  sslInsecureVersionDefault,
  sslWrapSocketNoVersion,
  sslUnverifiedContext,
  sslVerificationDisabled,
  paramikoAutoAddPolicy,
  randomForSecurity,
  ...xmlRules,
  urllibUrlopen,
  telnetCall,
  ftpCall,
  telnetImport,
  ftpImport,
  chmodPermissive,
  hardcodedPasswordString,
  hardcodedPasswordFuncarg,
  hardcodedPasswordDefault,
  flaskDebugTrue,
];

/** Every rule of both packs, for SARIF `rules[]` help text (no native code is loaded by importing this). */
export const SAST_RULE_INFO: readonly SastRuleInfo[] = [...PYTHON_RULES, ...RECIPE_RULES];
