/**
 * The policy file's schema (cvebuild.toml, or `[tool.cvebuild]` in pyproject.toml / pixi.toml).
 * Strict: an unknown key is an error, because a misspelt `fail-on` that is silently ignored
 * would loosen the gate without anyone noticing. Check-specific keys come from the checks
 * themselves (`Check.options`), so a new check joins the schema without touching this file.
 */
import type { z as Z } from 'zod';
import type { Check } from '../checks/check.ts';
import { SEVERITIES } from '../model/finding.ts';
import { smolToml } from '../readers/smol-toml.ts';
import { parseCalendarDate } from '../util/dates.ts';
import { parseDuration } from '../util/duration.ts';
import { zod } from './zod.ts';

export function policySchema(checks: readonly Check[]) {
  const z = zod();
  const severity = z.enum(SEVERITIES as [string, ...string[]]);

  const duration = z.string().refine((value) => parseDuration(value) !== undefined, {
    message: 'not a duration (use e.g. "48h", "7d")',
  });

  /** A TOML date (`2026-12-31`) or the same as a string; kept as `YYYY-MM-DD`. */
  const { TomlDate } = smolToml();
  const day = z.union([z.instanceof(TomlDate), z.string()]).transform((value, context) => {
    const text = value instanceof TomlDate ? value.toISOString().slice(0, 10) : value;
    // a day that exists: Date.parse would roll 2026-02-31 over to 3 March
    if (parseCalendarDate(text) === undefined) {
      context.addIssue({ code: 'custom', message: 'expected a date such as 2026-12-31' });
      return z.NEVER;
    }
    return text;
  });

  const publisher = z
    .strictObject({
      identity: z.string().min(1).optional(),
      'identity-regexp': z.string().min(1).optional(),
      issuer: z.string().min(1),
    })
    .refine((value) => (value.identity === undefined) !== (value['identity-regexp'] === undefined), {
      message: 'give exactly one of identity or identity-regexp',
    });

  const waiver = z
    .strictObject({
      id: z.string().min(1).optional(),
      package: z.string().min(1).optional(),
      check: z.string().min(1).optional(),
      reason: z.string().trim().min(1, 'a waiver needs a reason'),
      by: z.string().min(1).optional(),
      expires: day,
    })
    .refine((value) => value.id !== undefined || value.package !== undefined, {
      message: 'a waiver names an id, a package (name or name@version), or both',
    });

  const checkTables = Object.fromEntries(
    checks.map((check) => [
      check.id,
      z
        .strictObject({
          enabled: z.boolean(),
          severity,
          rules: z.record(z.string(), severity),
          ...check.options?.shape?.(),
        })
        .partial(),
    ]),
  );
  return z.strictObject({
    'fail-on': severity.optional(),
    'fail-on-malicious': z.boolean().optional(),
    'fail-on-kev': z.boolean().optional(),
    'fail-on-unchecked': z.boolean().optional(),
    'max-db-age': duration.optional(),
    checks: z.strictObject(checkTables).partial().optional(),
    sources: z
      .strictObject({
        channels: z.array(z.string().min(1)),
        indexes: z.array(z.string().url()),
        private: z.array(z.string().min(1)),
        'private-names': z.array(z.string().min(1)),
      })
      .partial()
      .optional(),
    attestations: z
      .strictObject({
        require: z.array(
          z
            .strictObject({
              channel: z.string().min(1).optional(),
              index: z.string().url().optional(),
              package: z.string().min(1).optional(),
              publishers: z.array(publisher).optional(),
            })
            .refine(
              (value) => value.channel !== undefined || value.package !== undefined || value.index !== undefined,
              {
                message: 'a requirement names a channel or a PyPI index, a package, or both',
              },
            )
            .refine((value) => value.channel === undefined || value.index === undefined, {
              message: 'a requirement is about a conda channel or a PyPI index, not both',
            })
            // PEP 740: PyPI names each file's Trusted Publisher, which is then the one trusted
            .refine((value) => value.index !== undefined || (value.publishers?.length ?? 0) > 0, {
              message: 'name at least one trusted publisher',
              path: ['publishers'],
            }),
        ),
      })
      .partial()
      .optional(),
    waivers: z.array(waiver).optional(),
  });
}

export type PolicyDocument = Z.infer<ReturnType<typeof policySchema>>;
