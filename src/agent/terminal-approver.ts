/**
 * The person at the terminal approves a side effect by typing the first characters of the digest
 * shown: a reflexive "y" is not enough, and nothing the model writes reaches this prompt. Without a
 * terminal (CI, a pipe) there is nobody to ask, and the answer is a refusal.
 */
import { createInterface } from 'node:readline/promises';
import { type ApprovalAnswer, type ApprovalRequest, approvalMessage } from '../mcp/approval.ts';

export const CONFIRM_CHARS = 8;

export async function terminalApprover(request: ApprovalRequest): Promise<ApprovalAnswer> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return 'unsupported';
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    process.stderr.write(`\n${approvalMessage(request)}\n`);
    const typed = await prompt.question(
      `Type the first ${CONFIRM_CHARS} characters of the sha256 to approve, anything else to refuse: `,
    );
    return typed.trim().toLowerCase() === request.digest.slice(0, CONFIRM_CHARS) ? 'approved' : 'declined';
  } finally {
    prompt.close();
  }
}
