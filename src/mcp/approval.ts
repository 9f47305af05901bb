/**
 * Side effects (build, sign, publish) run only after a person approves this exact action: the
 * server asks through the client's elicitation (a form showing the action, the target, the sha256
 * and the verdict it rests on), every call asks again, and the answer must name the same digest.
 * A client that cannot ask a person gets a refusal: silence is never a yes. The model has no way
 * to answer: it neither sees the form nor fills it.
 */
import { plain } from '../text/plain.ts';

export interface ApprovalRequest {
  /** `build`, `sign`, `publish`. */
  action: string;
  target: string;
  digest: string;
  /** The PASS run the action rests on. */
  verdictRunId: string;
}

export type ApprovalAnswer = 'approved' | 'declined' | 'unsupported';

export function approvalMessage(request: ApprovalRequest): string {
  // the target is a path a model chose: a person must see it as it is, not as its bidi or escapes draw it
  return [
    `cvebuild asks to ${request.action} ${plain(request.target)}.`,
    `sha256 ${request.digest}, gate verdict PASS (run ${plain(request.verdictRunId)}).`,
    'Approve only if you asked for this. The digest field must stay as shown.',
  ].join('\n');
}

export function approvalSchema(request: ApprovalRequest) {
  return {
    type: 'object' as const,
    properties: {
      approve: { type: 'boolean' as const, title: `Approve: ${request.action}`, default: false },
      digest: { type: 'string' as const, title: 'sha256 approved', default: request.digest },
    },
    required: ['approve', 'digest'],
  };
}

/** An answer approves only with the box ticked and the digest unchanged. */
export function isApproval(content: unknown, request: ApprovalRequest): boolean {
  if (typeof content !== 'object' || content === null) return false;
  const { approve, digest } = content as { approve?: unknown; digest?: unknown };
  return approve === true && digest === request.digest;
}
