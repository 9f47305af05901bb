/**
 * Inline suppressions: a comment in the scanned file that accepts one hit. Ours is
 * `cvebuild: ignore` (optionally `cvebuild: ignore[rule-a, B602]`) on the line, or
 * `cvebuild: ignore-next-line[...]` on the line above. The markers of the tools people migrate from
 * are honoured too, so existing code keeps its reviewed exceptions: Bandit's `# nosec [B602,...]`
 * and Semgrep's `nosemgrep` for SAST; secretlint's `secretlint-disable-line` /
 * `secretlint-disable-next-line`, gitleaks' `gitleaks:allow` and detect-secrets'
 * `pragma: allowlist secret` for secrets. A suppressed hit stays in every report as accepted.
 */

export type SuppressionFamily = 'sast' | 'secrets';

export interface InlineSuppression {
  /** The marker as written, for the report (`# nosec B602`). */
  marker: string;
  /** 1-based line of the comment. */
  line: number;
}

/** The ids a hit answers to: our rule id, and the Bandit id for SAST rules. */
export interface SuppressibleHit {
  line: number;
  rule: string;
  bandit?: string;
}

const OURS = /cvebuild:\s*ignore(?:\[([^\]]*)\])?(?![-\w])/;
const OURS_NEXT_LINE = /cvebuild:\s*ignore-next-line(?:\[([^\]]*)\])?/;
const NOSEC = /#\s*nosec\b(?::?[ \t]*((?:B\d{3}[ \t]*,?[ \t]*)+))?/;
const NOSEMGREP = /\bnosemgrep\b/;
const SECRET_SAME_LINE = /secretlint-disable-line|gitleaks:allow|pragma:\s*allowlist\s+secret/;
const SECRET_NEXT_LINE = /secretlint-disable-next-line/;

/** The suppression covering `hit` in a file whose text is split into `lines`, if any. */
export function findSuppression(
  lines: readonly string[],
  hit: SuppressibleHit,
  family: SuppressionFamily,
): InlineSuppression | undefined {
  const text = lines[hit.line - 1] ?? '';
  const previous = hit.line >= 2 ? lines[hit.line - 2] : undefined;
  const ids = [hit.rule, hit.bandit].filter((id): id is string => id !== undefined);

  const own = OURS.exec(text);
  if (own && listCovers(own[1], ids)) return { marker: own[0].trim(), line: hit.line };
  const ownAbove = previous === undefined ? null : OURS_NEXT_LINE.exec(previous);
  if (ownAbove && listCovers(ownAbove[1], ids)) return { marker: ownAbove[0].trim(), line: hit.line - 1 };

  if (family === 'sast') {
    const nosec = NOSEC.exec(text);
    if (nosec && listCovers(nosec[1], ids)) return { marker: nosec[0].trim(), line: hit.line };
    const nosemgrep = NOSEMGREP.exec(text);
    if (nosemgrep) return { marker: nosemgrep[0], line: hit.line };
  } else {
    const same = SECRET_SAME_LINE.exec(text);
    if (same) return { marker: same[0], line: hit.line };
    const above = previous === undefined ? null : SECRET_NEXT_LINE.exec(previous);
    if (above) return { marker: above[0], line: hit.line - 1 };
  }
  return undefined;
}

/** An absent or empty id list covers every rule; otherwise one of the hit's ids must be listed. */
function listCovers(list: string | undefined, ids: readonly string[]): boolean {
  if (list === undefined) return true;
  const listed = list
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
  return listed.length === 0 || listed.some((id) => ids.includes(id));
}
