/**
 * A typosquat finding's reading as JSON, for the audit JSON's finding entries and SARIF result
 * properties: the imitated name, the score and every signal with its weight, and the evidence
 * about the suspect project (first upload, releases, conda-forge, malicious reports). Keys fixed,
 * null when unknown, first upload as an ISO time.
 */
import type { Finding, ProjectHistory } from '../model/finding.ts';

/** The reading of a name the typosquat check judged; undefined for every other finding. */
export function squatJson(finding: Finding) {
  const squat = finding.flags?.squat;
  if (!squat) return undefined;
  return {
    target: squat.target,
    targetRank: squat.targetRank,
    targetTier: squat.targetTier,
    technique: squat.technique,
    distance: squat.distance,
    detail: squat.detail,
    nameScore: squat.nameScore,
    score: squat.score,
    onCondaForge: squat.onCondaForge,
    knownMalicious: squat.knownMalicious ?? null,
    project: projectJson(squat.history),
    signals: squat.signals.map(({ signal, weight, detail }) => ({ signal, weight, detail })),
  };
}

/** `status` is `found`, `absent` (the index lists no file of it), `unavailable` or `not-asked`. */
function projectJson(history: ProjectHistory) {
  const found = history.status === 'found' ? history : undefined;
  const firstUpload = found?.firstUpload;
  return {
    status: history.status,
    index: 'index' in history ? history.index : null,
    firstUpload: firstUpload === undefined ? null : new Date(firstUpload).toISOString(),
    releases: found?.releases ?? null,
    from: found?.from ?? null,
    reason: 'reason' in history ? history.reason : null,
    offline: history.status === 'unavailable' && history.offline,
  };
}
