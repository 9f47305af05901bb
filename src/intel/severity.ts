/**
 * Severity of an advisory: the CVSS base score computed from the published vectors (4.0 over 3.1/3.0
 * over 2.0), else the source's own textual level (GHSA, OpenSSL, curl, OSS-Fuzz), and critical for
 * malicious packages. Nothing here throws on bad data: an unusable vector or level is skipped.
 */
import cvssModule from 'ae-cvss-calculator';
import type { Severity } from '../model/finding.ts';
import type { AdvisorySeverity } from './model.ts';

interface CvssCalculator {
  calculateScores(): { base?: number };
}
type CvssConstructor = new (vector: string) => CvssCalculator;
const { Cvss4P0, Cvss3P1, Cvss3P0, Cvss2 } = cvssModule as unknown as Record<
  'Cvss4P0' | 'Cvss3P1' | 'Cvss3P0' | 'Cvss2',
  CvssConstructor
>;

export type CvssVersion = '4.0' | '3.1' | '3.0' | '2.0';

interface CvssSpec {
  version: CvssVersion;
  prefix: RegExp;
  /** Base metrics a vector must set: the calculator silently scores a truncated vector as 0. */
  required: readonly string[];
  calculator: CvssConstructor;
}

/** In order of preference. */
const CVSS_SPECS: readonly CvssSpec[] = [
  {
    version: '4.0',
    prefix: /^CVSS:4\.0\//,
    required: ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
    calculator: Cvss4P0,
  },
  {
    version: '3.1',
    prefix: /^CVSS:3\.1\//,
    required: ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
    calculator: Cvss3P1,
  },
  {
    version: '3.0',
    prefix: /^CVSS:3\.0\//,
    required: ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
    calculator: Cvss3P0,
  },
  {
    version: '2.0',
    prefix: /^(?:CVSS:2\.0\/)?(?=AV:)/,
    required: ['AV', 'AC', 'Au', 'C', 'I', 'A'],
    calculator: Cvss2,
  },
];

export interface CvssScore {
  vector: string;
  version: CvssVersion;
  score: number;
}

/** Scores by vector: feeds repeat a few thousand distinct vectors across tens of thousands of records. */
const scoreCache = new Map<string, CvssScore | undefined>();
const SCORE_CACHE_LIMIT = 50_000;

/** The base score of a CVSS vector, or undefined when the vector is not a complete, known one. */
export function scoreCvssVector(vector: string): CvssScore | undefined {
  if (scoreCache.has(vector)) return scoreCache.get(vector);
  const score = computeCvssScore(vector);
  if (scoreCache.size >= SCORE_CACHE_LIMIT) scoreCache.clear();
  scoreCache.set(vector, score);
  return score;
}

function computeCvssScore(vector: string): CvssScore | undefined {
  const trimmed = vector.trim();
  const spec = CVSS_SPECS.find((candidate) => candidate.prefix.test(trimmed));
  if (!spec) return undefined;
  const metrics = new Map<string, string>();
  for (const part of trimmed.replace(spec.prefix, '').split('/')) {
    const [key, value, extra] = part.split(':');
    if (!key || !value || extra !== undefined || metrics.has(key)) return undefined;
    metrics.set(key, value);
  }
  if (!spec.required.every((key) => metrics.has(key) && metrics.get(key) !== 'X')) return undefined;
  try {
    const input = spec.version === '2.0' ? trimmed.replace(/^CVSS:2\.0\//, '') : trimmed;
    const score = new spec.calculator(input).calculateScores().base;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) return undefined;
    return { vector: trimmed, version: spec.version, score: Math.round(score * 10) / 10 };
  } catch {
    return undefined;
  }
}

function preference(version: CvssVersion): number {
  return CVSS_SPECS.findIndex((spec) => spec.version === version);
}

/** CVSS qualitative rating: 0 none (info), < 4 low, < 7 medium, < 9 high, else critical. */
export function levelFromScore(score: number): Severity {
  if (score === 0) return 'info';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

const TEXT_LEVELS: Record<string, Severity> = {
  none: 'info',
  informational: 'info',
  low: 'low',
  moderate: 'medium',
  medium: 'medium',
  high: 'high',
  important: 'high',
  critical: 'critical',
};

/** A textual level as vendors write it (GHSA `MODERATE`, OpenSSL `Moderate`, curl `medium`); undefined for `unknown`. */
export function levelFromText(text: unknown): Severity | undefined {
  if (typeof text !== 'string') return undefined;
  const key = text.trim().toLowerCase();
  // own keys only: feed text such as "constructor" must not reach Object.prototype
  return Object.hasOwn(TEXT_LEVELS, key) ? TEXT_LEVELS[key] : undefined;
}

/** The severity the best-scoring vector gives (highest CVSS version that parses), or undefined when none parses. */
export function severityFromVectors(vectors: readonly string[], basis = 'cvss'): AdvisorySeverity | undefined {
  const scored = vectors
    .map(scoreCvssVector)
    .filter((entry) => entry !== undefined)
    .sort((a, b) => preference(a.version) - preference(b.version));
  const best = scored[0];
  if (!best) return undefined;
  return { level: levelFromScore(best.score), score: best.score, vectors: [...vectors], basis };
}

/** A severity from a vendor's textual level; vectors (if any) are kept as published. */
export function severityFromText(text: unknown, basis: string, vectors: readonly string[] = []): AdvisorySeverity {
  const level = levelFromText(text);
  return level ? { level, vectors: [...vectors], basis } : { vectors: [...vectors] };
}

/** A malicious package is blocking whatever else is said about it. */
export function maliciousSeverity(vectors: readonly string[] = []): AdvisorySeverity {
  return { level: 'critical', vectors: [...vectors], basis: 'malicious' };
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * OSV: CVSS vectors in `severity[]` (record level, then `affected[].severity`), else GHSA's
 * `database_specific.severity`, else OSS-Fuzz's `affected[].ecosystem_specific.severity`.
 */
export function osvSeverity(record: Json, malicious: boolean): AdvisorySeverity {
  const affected = asArray(record.affected).filter(isObject);
  const vectors = [...asArray(record.severity), ...affected.flatMap((entry) => asArray(entry.severity))]
    .filter(isObject)
    .filter((entry) => typeof entry.type === 'string' && entry.type.startsWith('CVSS_'))
    .map((entry) => entry.score)
    .filter((score): score is string => typeof score === 'string');
  const distinct = [...new Set(vectors)];
  if (malicious) return maliciousSeverity(distinct);
  const fromVectors = severityFromVectors(distinct);
  if (fromVectors) return fromVectors;
  const databaseSpecific = isObject(record.database_specific) ? record.database_specific : {};
  if (levelFromText(databaseSpecific.severity)) return severityFromText(databaseSpecific.severity, 'ghsa', distinct);
  for (const entry of affected) {
    const ecosystemSpecific = isObject(entry.ecosystem_specific) ? entry.ecosystem_specific : {};
    if (levelFromText(ecosystemSpecific.severity)) {
      return severityFromText(ecosystemSpecific.severity, 'oss-fuzz', distinct);
    }
  }
  return { vectors: distinct };
}

interface NvdMetric {
  primary: boolean;
  version: CvssVersion | undefined;
  vector: string;
  baseScore: number | undefined;
}

const NVD_METRIC_KEYS = ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'] as const;

/**
 * NVD CVE API 2.0 `metrics`: NVD's own (`Primary`, nvd@nist.gov) CVSS 3.x/4.0 metric first (the CNA's
 * `Secondary` score often disagrees, e.g. expat CVE-2024-45490 7.5 vs 9.8), then the CNA's, and
 * CVSS 2.0 only when nothing newer exists. The score is recomputed from the vector.
 */
export function nvdSeverity(metrics: unknown): AdvisorySeverity {
  if (!isObject(metrics)) return { vectors: [] };
  const candidates: NvdMetric[] = NVD_METRIC_KEYS.flatMap((key) =>
    asArray(metrics[key])
      .filter(isObject)
      .flatMap((metric): NvdMetric[] => {
        const data = isObject(metric.cvssData) ? metric.cvssData : {};
        if (typeof data.vectorString !== 'string') return [];
        return [
          {
            primary: metric.type === 'Primary',
            version: scoreCvssVector(data.vectorString)?.version,
            vector: data.vectorString,
            baseScore: typeof data.baseScore === 'number' ? data.baseScore : undefined,
          },
        ];
      }),
  );
  const rank = (metric: NvdMetric) =>
    (metric.version === '2.0' ? 2 : 0) + (metric.primary ? 0 : 1) + (metric.version ? 0 : 4);
  candidates.sort((a, b) => rank(a) - rank(b) || preference(a.version ?? '2.0') - preference(b.version ?? '2.0'));
  const vectors = [...new Set(candidates.map((metric) => metric.vector))];
  const best = candidates[0];
  if (!best) return { vectors: [] };
  const score = scoreCvssVector(best.vector)?.score ?? best.baseScore;
  if (score === undefined) return { vectors };
  return { level: levelFromScore(score), score, vectors, basis: 'nvd' };
}
